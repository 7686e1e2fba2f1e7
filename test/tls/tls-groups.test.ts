// Group names and the SPARK_TLS_GROUPS list syntax (OpenSSL 3.5's): what the start-up check accepts and refuses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupByName, parseGroupList } from '../../src/service/tls-groups.ts';

const X25519MLKEM768 = 0x11ec;
const X25519 = 0x001d;
const P256 = 0x0017;
const P384 = 0x0018;

test("names and aliases resolve to IANA ids, Node's curve names included", () => {
  assert.equal(groupByName('prime256v1')?.id, P256);
  assert.equal(groupByName('secp256r1')?.id, P256);
  assert.equal(groupByName('p-256')?.id, P256);
  assert.equal(groupByName('x25519mlkem768')?.id, X25519MLKEM768);
  assert.equal(groupByName('SecP256r1MLKEM768')?.id, 0x11eb);
  assert.equal(groupByName('MLKEM768')?.id, 0x0201);
  assert.equal(groupByName('X448')?.id, 0x001e);
  assert.equal(groupByName('P-384')?.id, P384);
  assert.equal(groupByName('Curve1174'), undefined);
});

test('lists parse into tuples; mistakes are named', () => {
  assert.deepEqual(parseGroupList('X25519MLKEM768:X25519:P-256'), [[X25519MLKEM768, X25519, P256]]);
  assert.deepEqual(parseGroupList('*X25519MLKEM768/X25519:?NoSuchGroup:P-256'), [
    [X25519MLKEM768],
    [X25519, P256],
  ]);
  assert.match(parseGroupList('X25519:Bogus') as string, /"Bogus" is not a known TLS group/);
  assert.match(parseGroupList('X25519:x25519') as string, /listed twice/);
  assert.match(parseGroupList('P-256:prime256v1') as string, /"prime256v1" is listed twice/);
  assert.match(parseGroupList('DEFAULT') as string, /explicitly/);
  assert.match(parseGroupList('X25519:-P-256') as string, /explicitly/);
  assert.match(parseGroupList('X25519::P-256') as string, /empty group name/);
  assert.match(parseGroupList('?NoSuchGroup') as string, /names no group/);
});
