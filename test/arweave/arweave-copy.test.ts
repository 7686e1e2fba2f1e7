// The offline check of an Arweave copy (src/proof/arweave): the deep hash, data root, RSA-PSS verification and id
// agree with the `arweave` package itself on transactions it signs, and every field a copy could be altered in
// makes the check fail naming that field.
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { clone, create } from '@bufbuild/protobuf';
import Arweave from 'arweave';
import deepHashModule from 'arweave/node/lib/deepHash.js';

// A CommonJS module whose default export is under `default` once more when imported from ESM.
const deepHashOfArweave = (deepHashModule as unknown as { default: (data: unknown) => Promise<Uint8Array> })
  .default;

import { computeRootHash } from 'arweave/node/lib/merkle.js';
import type { JWKInterface } from 'arweave/node/lib/wallet.js';
import { arweaveEvidence, type ArweaveTx as Transaction } from '../../src/arweave/arweave-evidence.ts';
import {
  ArweaveTagSchema,
  type ArweaveTransaction,
  ArweaveTransactionSchema,
} from '../../src/gen/spark/v1/bundle_pb.js';
import {
  arweaveSignatureData,
  checkArweaveCopy,
  singleChunkDataRoot,
} from '../../src/proof/arweave/arweave-copy.ts';
import { deepHash } from '../../src/proof/arweave/deep-hash.ts';
import { verifyRsaPssSha256 } from '../../src/proof/arweave/rsa-pss.ts';
import { toBase64Url } from '../../src/proof/encoding/base64.ts';

const arweave = Arweave.init({});
const sha256 = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());
const FIELD = 'publication.arweave';

let wallet: JWKInterface;
let other: JWKInterface;

async function signed(data: Uint8Array, jwk = wallet): Promise<Transaction> {
  const tx = await arweave.createTransaction(
    { data, last_tx: toBase64Url(new Uint8Array(randomBytes(48))), reward: '123456789' },
    jwk,
  );
  tx.addTag('Content-Type', 'application/vnd.spark.bundle');
  tx.addTag('Spark-CID', 'bafkreiexample');
  await arweave.transactions.sign(tx, jwk);
  return tx;
}

before(async () => {
  [wallet, other] = await Promise.all([arweave.wallets.generate(), arweave.wallets.generate()]);
});

test('base64url matches the platform for every length', () => {
  for (let n = 0; n < 70; n++) {
    const b = new Uint8Array(randomBytes(n));
    assert.equal(toBase64Url(b), Buffer.from(b).toString('base64url'), `length ${n}`);
  }
});

test("the deep hash is Arweave's, for blobs, lists and nested lists", async () => {
  const cases = [
    new Uint8Array(0),
    new Uint8Array(randomBytes(1000)),
    [],
    [
      new Uint8Array(randomBytes(5)),
      [new Uint8Array(2), [new Uint8Array(randomBytes(33))]],
      new Uint8Array(0),
    ],
  ];
  for (const c of cases) {
    assert.deepEqual(deepHash(c), new Uint8Array(await deepHashOfArweave(c)));
  }
});

test("a one-chunk data root is Arweave's root of the bytes, from their SHA-256 and length alone", async () => {
  for (const size of [1, 31, 32, 1000, 32 * 1024, 200_000, 256 * 1024 - 1]) {
    const data = new Uint8Array(randomBytes(size));
    assert.deepEqual(singleChunkDataRoot(sha256(data), size), await computeRootHash(data), `size ${size}`);
  }
});

describe('RSASSA-PSS with SHA-256', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const modulus = new Uint8Array(Buffer.from(publicKey.export({ format: 'jwk' }).n ?? '', 'base64url'));
  const message = new Uint8Array(randomBytes(48));
  const pss = (saltLength: number, m = message) =>
    new Uint8Array(sign('sha256', m, { key: privateKey, padding: 6, saltLength }));

  test('verifies signatures with any salt length: none, 32 bytes, the longest', () => {
    for (const salt of [0, 32, 256 - 32 - 2])
      assert.ok(verifyRsaPssSha256(modulus, message, pss(salt)), `${salt}`);
  });

  test('refuses another message, a flipped byte, another key, a value above the modulus, a short signature', () => {
    const s = pss(32);
    assert.ok(!verifyRsaPssSha256(modulus, new Uint8Array(randomBytes(48)), s));
    for (const at of [0, 100, 255]) {
      const f = s.slice();
      f[at] = (f[at] ?? 0) ^ 1;
      assert.ok(!verifyRsaPssSha256(modulus, message, f), `flipped byte ${at}`);
    }
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
    assert.ok(!verifyRsaPssSha256(new Uint8Array(Buffer.from(otherKey.n ?? '', 'base64url')), message, s));
    assert.ok(!verifyRsaPssSha256(modulus, message, new Uint8Array(256).fill(0xff)));
    assert.ok(!verifyRsaPssSha256(modulus, message, s.subarray(1)));
    assert.ok(!verifyRsaPssSha256(new Uint8Array(0), message, new Uint8Array(0)));
  });

  test('refuses a PKCS#1 v1.5 signature of the same message', () => {
    const v15 = new Uint8Array(sign('sha256', message, { key: privateKey, padding: 1 }));
    assert.ok(!verifyRsaPssSha256(modulus, message, v15));
  });
});

describe('an Arweave copy', () => {
  let data: Uint8Array;
  let tx: Transaction;
  let copy: ArweaveTransaction;
  before(async () => {
    data = new Uint8Array(randomBytes(12_345));
    tx = await signed(data);
    copy = arweaveEvidence(tx);
  });

  test('a transaction the package signed: its fields, id and owner address check against the bytes', async () => {
    assert.deepEqual(arweaveSignatureData(copy), new Uint8Array(await tx.getSignatureData()));
    assert.ok(await arweave.transactions.verify(tx));
    const checked = checkArweaveCopy(copy, sha256(data), FIELD);
    assert.ok(checked.ok, checked.ok ? '' : checked.reason);
    assert.equal(checked.value.id, tx.id);
    assert.equal(checked.value.address, await arweave.wallets.jwkToAddress(wallet));
  });

  test('other bytes than the CID names fail at data_root', () => {
    const r = checkArweaveCopy(copy, sha256(new Uint8Array(randomBytes(12_345))), FIELD);
    assert.deepEqual(r, {
      ok: false,
      reason: `${FIELD}.data_root: not the root of the 12345 bytes the CID names`,
    });
  });

  const flip = (b: Uint8Array, at: number) => {
    const f = b.slice();
    f[at] = (f[at] ?? 0) ^ 1;
    return f;
  };
  const tag = (name: Uint8Array, value: Uint8Array) => create(ArweaveTagSchema, { name, value });
  const altered: Array<[string, (c: ArweaveTransaction) => Partial<ArweaveTransaction>, RegExp]> = [
    ['reward', () => ({ reward: '123456780' }), /\.signature: does not verify/],
    ['reward spelling', () => ({ reward: '0123456789' }), /\.reward: not a winston amount/],
    [
      'a tag value',
      (c) => ({
        tags: c.tags.map((t, i) => (i === 1 ? tag(t.name, new TextEncoder().encode('bafkreiother')) : t)),
      }),
      /\.signature: does not verify/,
    ],
    [
      'a tag added',
      (c) => ({ tags: [...c.tags, tag(new Uint8Array(1), new Uint8Array(1))] }),
      /\.signature: does not verify/,
    ],
    [
      'tags too long',
      (c) => ({ tags: [...c.tags, tag(new Uint8Array(2049), new Uint8Array(0))] }),
      /\.tags: \d+ bytes, more than the 2048 Arweave accepts/,
    ],
    [
      'a million empty tags (the deep hash would walk them all)',
      () => ({ tags: Array.from({ length: 1_000_000 }, () => tag(new Uint8Array(0), new Uint8Array(0))) }),
      /\.tags: 2000000 bytes, more than the 2048 Arweave accepts/,
    ],
    [
      'owner with its top bit clear',
      (c) => ({ owner: Uint8Array.from(c.owner, (b, i) => (i === 0 ? b & 0x7f : b)) }),
      /\.owner: its top bit is clear/,
    ],
    ['last_tx', () => ({ lastTx: new Uint8Array(48) }), /\.signature: does not verify/],
    ['last_tx length', () => ({ lastTx: new Uint8Array(40) }), /\.last_tx: 40 bytes/],
    ['data_size', (c) => ({ dataSize: c.dataSize + 1n }), /\.data_root: not the root of the 12346 bytes/],
    ['data_size over a chunk', () => ({ dataSize: 262_144n }), /\.data_size: 262144 is not in 1\.\.262143/],
    ['data_size zero', () => ({ dataSize: 0n }), /\.data_size: 0 is not in/],
    [
      'id',
      (c) => ({ id: `${c.id.slice(0, 42)}${c.id.endsWith('A') ? 'B' : 'A'}` }),
      /\.id: .* is not SHA-256 of the signature/,
    ],
    ['signature', (c) => ({ signature: flip(c.signature, 7) }), /\.id: /],
    [
      'owner',
      () => ({ owner: new Uint8Array(Buffer.from(other.n, 'base64url')) }),
      /\.signature: does not verify/,
    ],
    [
      'owner length',
      (c) => ({ owner: c.owner.subarray(1) }),
      /\.owner: 511 bytes, not a 4096-bit RSA modulus/,
    ],
    [
      'signature length',
      (c) => ({ signature: c.signature.subarray(0, 256) }),
      /\.signature: 256 bytes, must be 512/,
    ],
  ];
  for (const [what, alter, reason] of altered) {
    test(`altered ${what}: fails naming the field`, () => {
      const c = clone(ArweaveTransactionSchema, copy);
      Object.assign(c, alter(c));
      const r = checkArweaveCopy(c, sha256(data), FIELD);
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.reason, reason);
      assert.ok(!r.ok && r.reason.startsWith(`${FIELD}.`));
    });
  }

  test('a signature with its id recomputed still fails when it does not verify', () => {
    const signature = flip(copy.signature, 7);
    const c = { ...clone(ArweaveTransactionSchema, copy), signature, id: toBase64Url(sha256(signature)) };
    const r = checkArweaveCopy(c, sha256(data), FIELD);
    assert.match(r.ok ? '' : r.reason, /\.signature: does not verify under owner/);
  });

  test('a copy signed by another wallet over the same bytes checks too, naming that wallet', async () => {
    const theirs = arweaveEvidence(await signed(data, other));
    const r = checkArweaveCopy(theirs, sha256(data), FIELD);
    assert.ok(r.ok);
    assert.equal(r.value.address, await arweave.wallets.jwkToAddress(other));
  });

  test('the evidence form refuses a transaction that is not a signed data transaction', async () => {
    const unsigned = await arweave.createTransaction(
      { data, last_tx: toBase64Url(new Uint8Array(32)), reward: '1' },
      wallet,
    );
    assert.throws(() => arweaveEvidence(unsigned), /not a signed format-2 data transaction/);
  });
});
