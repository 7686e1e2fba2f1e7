// Byte helpers: equality at every position and alignment, hex of every byte value.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromBase64 } from '../../src/proof/encoding/base64.ts';
import { bytesEqual, fromHex, toHex } from '../../src/proof/encoding/bytes.ts';
import { createLru } from '../../src/proof/encoding/lru.ts';

test('bytesEqual finds a difference at any position, at any alignment, in short and long arrays', () => {
  for (const length of [0, 1, 7, 8, 31, 32, 33, 63, 64, 65, 1952, 3309]) {
    for (const offset of [0, 1, 3, 4, 5]) {
      const backing = new Uint8Array(length + 8);
      const a = backing.subarray(offset, offset + length);
      for (let i = 0; i < length; i++) a[i] = (i * 31 + 7) & 0xff;
      const b = Uint8Array.from(a);
      assert.equal(bytesEqual(a, b), true, `length ${length} offset ${offset}`);
      const positions = length < 70 ? [...Array(length).keys()] : [0, 1, 7, 8, 9, length - 9, length - 1];
      for (const i of positions) {
        b[i] = (b[i] as number) ^ 0x80;
        assert.equal(bytesEqual(a, b), false, `length ${length} offset ${offset} differs at ${i}`);
        assert.equal(bytesEqual(b, a), false);
        b[i] = (b[i] as number) ^ 0x80;
      }
    }
  }
  assert.equal(bytesEqual(new Uint8Array(40), new Uint8Array(41)), false);
});

test('toHex writes every byte value as two lower-case digits and fromHex reads it back', () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  const hex = toHex(all);
  assert.equal(hex.length, 512);
  assert.equal(hex.slice(0, 6), '000102');
  assert.equal(hex.slice(-4), 'feff');
  assert.deepEqual(fromHex(hex), all);
});

test('an LRU map holds at most its capacity and drops the least recently used first', () => {
  const lru = createLru<number>(3);
  for (const k of ['a', 'b', 'c']) lru.set(k, k.charCodeAt(0));
  assert.equal(lru.get('a'), 97); // a is now the most recently used
  lru.set('d', 100);
  assert.equal(lru.size, 3);
  assert.equal(lru.get('b'), undefined, 'b was the least recently used');
  assert.equal(lru.get('a'), 97);
  lru.set('c', 1); // replacing does not grow
  assert.equal(lru.size, 3);
  for (let i = 0; i < 100; i++) lru.set(`k${i}`, i);
  assert.equal(lru.size, 3);
  assert.deepEqual(
    ['k97', 'k98', 'k99'].map((k) => lru.get(k)),
    [97, 98, 99],
  );
  const none = createLru<number>(0);
  none.set('x', 1);
  assert.equal(none.size, 0);
  assert.equal(none.get('x'), undefined);
  assert.throws(() => createLru(-1), RangeError);
});

test('fromBase64 reads what Buffer writes for every length 0..300 and refuses what is not canonical base64', () => {
  const all = Uint8Array.from({ length: 300 }, (_, i) => (i * 167 + 13) & 0xff);
  for (let n = 0; n <= all.length; n++) {
    const bytes = all.subarray(0, n);
    assert.deepEqual(
      fromBase64(Buffer.from(bytes).toString('base64')),
      Uint8Array.from(bytes),
      `length ${n}`,
    );
  }
  for (const bad of ['A', 'AAA', 'AA=A', 'A===', 'AB==', 'AAB=', 'AA-_', 'AA A', '====']) {
    assert.equal(fromBase64(bad), undefined, bad);
  }
});
