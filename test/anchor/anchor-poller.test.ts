// The anchor tracker's poller on fake timers: a round every poll interval; no node reachable backs off 0.5 s
// doubling to 30 s, another failure 1 s doubling to 30 s (and is logged); a good round resets the wait; runNow runs
// at once; stop cancels the next round and waits for the one under way.
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { createAnchorPoller } from '../../src/anchor/symbol/anchor-poller.ts';
import { SymbolNodeError } from '../../src/anchor/symbol/rest-client.ts';
import { capturedLog } from '../support/captured-log.ts';

/** Lets the promise callbacks of a round that just ran settle. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

test('rounds every interval; unreachable nodes and other failures back off apart; success resets', async (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const { log, lines } = capturedLog();
  const outcomes: Array<'ok' | 'down' | 'bug'> = [];
  let rounds = 0;
  const poller = createAnchorPoller({
    pollIntervalMs: 1_000,
    log,
    round: async () => {
      rounds++;
      const next = outcomes.shift() ?? 'ok';
      if (next === 'down') throw new SymbolNodeError('UNAVAILABLE', 'no Symbol node answered /node/info');
      if (next === 'bug') throw new Error('an unexpected answer');
    },
  });
  /** Advances to the next round and returns the delay the poller then asks for. */
  const nextRound = async (ms: number) => {
    mock.timers.tick(ms);
    await settle();
    return poller.nextDelayMs();
  };
  poller.start();
  assert.equal(poller.nextDelayMs(), 1_000);
  mock.timers.tick(999);
  await settle();
  assert.equal(rounds, 0, 'not before the interval');
  assert.equal(await nextRound(1), 1_000);
  assert.equal(rounds, 1);
  outcomes.push('down', 'down', 'down', 'down', 'down', 'down', 'down', 'down');
  const waits: number[] = [];
  let delay = 1_000;
  for (let i = 0; i < 8; i++) {
    delay = await nextRound(delay);
    waits.push(delay);
  }
  assert.deepEqual(
    waits,
    [1_500, 2_000, 3_000, 5_000, 9_000, 17_000, 31_000, 31_000],
    'unreachable: 0.5 s doubling to 30 s',
  );
  assert.equal(rounds, 9);
  assert.equal(await nextRound(delay), 1_000, 'a good round resets the wait');
  outcomes.push('bug', 'bug');
  assert.equal(await nextRound(1_000), 2_000, 'another failure: 1 s first');
  assert.equal(await nextRound(2_000), 3_000);
  assert.equal(
    lines.filter((l) => l['msg'] === 'anchoring round failed; retrying').length,
    2,
    'and is logged',
  );
  assert.equal(lines.filter((l) => String(l['msg']).includes('UNAVAILABLE')).length, 0);
  // runNow: at once, and the next timer counts from then.
  const before = rounds;
  poller.runNow();
  await settle();
  assert.equal(rounds, before + 1);
  await poller.stop();
  mock.timers.tick(60_000);
  await settle();
  assert.equal(rounds, before + 1, 'nothing after stop');
});
