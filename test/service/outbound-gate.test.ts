// The outbound gate: a connection's writes go in rounds of CONNECTION_OUTBOUND_BYTES; once a round is full, no
// writer of that connection goes on until what it queued has gone out (or is held by its own stream), so nothing
// written in one round waits behind writes of later rounds. Connections are independent.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createOutboundGate } from '../../src/service/outbound-gate.ts';

test('writes go through until the round is full; then writers wait until everything queued went out', () => {
  const gate = createOutboundGate(1000, 60_000);
  const connection = {};
  const [s1, s2, s3] = [new EventEmitter(), new EventEmitter(), new EventEmitter()];
  const a = gate.stream(connection, s1);
  const b = gate.stream(connection, s2);
  const c = gate.stream(connection, s3);
  const doneA = a.wrote(600);
  assert.equal(b.room(), 400);
  const doneB = b.wrote(500);
  assert.equal(a.room(), 0, 'the round is full');
  const resumed: string[] = [];
  a.whenRoom(() => resumed.push('a'));
  c.whenRoom(() => resumed.push('c'));
  doneA();
  assert.equal(a.room(), 0, 'below the limit is not enough: the round drains first');
  assert.deepEqual(resumed, []);
  doneB();
  doneB(); // a second call does nothing
  assert.deepEqual(
    resumed,
    ['a', 'c'],
    'every waiter resumes once the round drained, in the order they asked',
  );
  assert.equal(c.room(), 1000);
  let now = false;
  c.whenRoom(() => {
    now = true;
  });
  assert.ok(now, 'with room, whenRoom resumes at once');
});

test('a closing stream gives back what it still had counted', () => {
  const gate = createOutboundGate(100, 60_000);
  const connection = {};
  const stuck = new EventEmitter();
  const other = new EventEmitter();
  gate.stream(connection, stuck).wrote(150);
  const o = gate.stream(connection, other);
  assert.equal(o.room(), 0);
  let resumed = false;
  o.whenRoom(() => {
    resumed = true;
  });
  stuck.emit('close');
  assert.ok(resumed);
  assert.equal(o.room(), 100);
});

test('connections are independent', () => {
  const gate = createOutboundGate(100, 60_000);
  gate.stream({}, new EventEmitter()).wrote(100);
  assert.equal(gate.stream({}, new EventEmitter()).room(), 100);
});

test('bytes that do not move while the connection sends nothing are counted as held by their stream', async () => {
  const gate = createOutboundGate(100, 20);
  const connection = {};
  // A stream whose client does not read it: 60 bytes stay queued for good.
  gate.stream(connection, new EventEmitter()).wrote(60);
  const moving = gate.stream(connection, new EventEmitter());
  const done = moving.wrote(50);
  assert.equal(moving.room(), 0);
  let resumed = false;
  moving.whenRoom(() => {
    resumed = true;
  });
  done();
  assert.ok(!resumed, 'the stuck bytes still count in this round');
  await sleep(80);
  assert.ok(resumed, 'after a quiet spell the stuck bytes are held by their stream and the round is over');
  assert.equal(moving.room(), 40, 'held bytes still take their part of the limit');
});

test('a connection whose held bytes reach the limit takes no more writes', async () => {
  const gate = createOutboundGate(100, 20);
  const connection = {};
  gate.stream(connection, new EventEmitter()).wrote(120);
  const other = gate.stream(connection, new EventEmitter());
  let resumed = false;
  other.whenRoom(() => {
    resumed = true;
  });
  await sleep(80);
  assert.ok(!resumed);
  assert.equal(other.room(), 0);
});
