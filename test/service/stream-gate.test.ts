// The stream gate: SPARK_MAX_CONCURRENT_STREAMS over the server and SPARK_MAX_STREAMS_PER_CONNECTION on one
// connection, each refusal naming its setting; slots come back when streams end. Both are validated settings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/config.ts';
import { ConfigError } from '../../src/config/config-error.ts';
import {
  DEFAULT_MAX_CONCURRENT_STREAMS,
  DEFAULT_MAX_STREAMS_PER_CONNECTION,
} from '../../src/config/defaults.ts';
import { RequestError } from '../../src/errors/request-error.ts';
import { createStreamGate } from '../../src/service/limits.ts';

function refusal(f: () => unknown): RequestError {
  try {
    f();
  } catch (e) {
    if (e instanceof RequestError) return e;
    throw e;
  }
  assert.fail('expected a refusal');
}

test('a connection past its own limit is refused naming SPARK_MAX_STREAMS_PER_CONNECTION; others still get in', () => {
  const gate = createStreamGate(10, 3);
  const a = {};
  const b = {};
  const onA = [gate.enter(a), gate.enter(a), gate.enter(a)];
  const refused = refusal(() => gate.enter(a));
  assert.equal(refused.code, 'TOO_MANY_STREAMS');
  assert.match(
    refused.message,
    /^too many open streams on this connection: SPARK_MAX_STREAMS_PER_CONNECTION is 3;/,
  );
  const onB = gate.enter(b);
  assert.equal(gate.open, 4);
  onA[0]?.();
  onA[0]?.(); // leaving twice frees one slot only
  assert.equal(gate.open, 3);
  onA.push(gate.enter(a));
  for (const leave of [...onA, onB]) leave();
  assert.equal(gate.open, 0);
});

test('the server-wide limit is refused naming SPARK_MAX_CONCURRENT_STREAMS, whatever the connections', () => {
  const gate = createStreamGate(4, 3);
  const leaves = [gate.enter({}), gate.enter({}), gate.enter({}), gate.enter()];
  const refused = refusal(() => gate.enter({}));
  assert.equal(refused.code, 'TOO_MANY_STREAMS');
  assert.match(
    refused.message,
    /^too many open streams: SPARK_MAX_CONCURRENT_STREAMS is 4; retry when one ends/,
  );
  leaves[3]?.();
  gate.enter({})();
});

test('without a per-connection limit the gate counts toward the total only', () => {
  const gate = createStreamGate(2);
  const c = {};
  gate.enter(c);
  gate.enter(c);
  assert.match(refusal(() => gate.enter(c)).message, /SPARK_MAX_CONCURRENT_STREAMS is 2/);
});

test('both stream limits are settings with named defaults; a bad value is refused naming its setting', () => {
  const config = loadConfig({});
  assert.equal(config.maxConcurrentStreams, DEFAULT_MAX_CONCURRENT_STREAMS);
  assert.equal(config.maxStreamsPerConnection, DEFAULT_MAX_STREAMS_PER_CONNECTION);
  assert.equal(loadConfig({ SPARK_MAX_STREAMS_PER_CONNECTION: '20' }).maxStreamsPerConnection, 20);
  for (const value of ['0', '-1', '1.5', 'many', '100001']) {
    try {
      loadConfig({ SPARK_MAX_STREAMS_PER_CONNECTION: value });
      assert.fail(`${value} was accepted`);
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      assert.deepEqual(
        e.issues.map((i) => i.setting),
        ['SPARK_MAX_STREAMS_PER_CONNECTION'],
      );
      assert.match(e.message, /SPARK_MAX_STREAMS_PER_CONNECTION/);
    }
  }
});
