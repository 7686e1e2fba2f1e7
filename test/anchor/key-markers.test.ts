// Key-history markers: an entry belongs to the account that wrote it; markers stored before accounts were kept are
// given the account of the announcement that carried them into a block.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OutboxEntry } from '../../src/anchor/anchor-state.ts';
import { accountOf, keyMarker, markersOf, qualifyLegacy } from '../../src/anchor/symbol/key-markers.ts';
import { toHex } from '../../src/proof/encoding/bytes.ts';

const signer = (fill: number) => {
  const payload = new Uint8Array(200);
  payload.fill(fill, 72, 104);
  return payload;
};
const entry = (fill: number, keyIds: string[], state: OutboxEntry['state']) =>
  ({ payload: signer(fill), keyIds, state }) as unknown as OutboxEntry;
const account = (fill: number) => toHex(new Uint8Array(32).fill(fill));

test('the account of an announcement is its aggregate signer; markers name it', () => {
  assert.equal(accountOf(entry(7, [], 'live')), account(7));
  assert.deepEqual(markersOf(entry(7, ['k1', 'k0:until'], 'live')), [
    keyMarker(account(7), 'k1'),
    keyMarker(account(7), 'k0:until'),
  ]);
});

test('bare markers of older data take the account that carried them into a block, else the current one', () => {
  const qualified = qualifyLegacy(
    new Set(['k1', 'k1:until', 'k2', `${account(9)}/k3`]),
    [entry(5, ['k1'], 'failed'), entry(6, ['k1', 'k1:until'], 'final'), entry(8, ['k2'], 'expired')],
    account(9),
  );
  assert.deepEqual(
    [...qualified].sort(),
    [
      keyMarker(account(6), 'k1'),
      keyMarker(account(6), 'k1:until'),
      keyMarker(account(9), 'k2'),
      keyMarker(account(9), 'k3'),
    ].sort(),
  );
});
