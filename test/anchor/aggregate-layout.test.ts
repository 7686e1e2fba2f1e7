// The Symbol layouts of docs/anchoring.md §5.1–§5.4, written out by hand (test/anchor/aggregate-fixture.ts), give the
// SDK builder's bytes exactly; and the parser's reader rules: messages over 1,024 bytes are refused, transfers of
// another version and other transaction types stay opaque, cosignatures are parsed (and refused by the verifier).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAggregate } from '../../src/proof/anchor/aggregate-layout.ts';
import { createNobleEd25519Verifier } from '../../src/proof/anchor/noble-ed25519-verifier.ts';
import { chunkRecord } from '../../src/proof/anchor/record-chunks.ts';
import { symbolAddress } from '../../src/proof/anchor/symbol-address.ts';
import { verifyAnchorTransaction } from '../../src/proof/anchor/verify-anchor.ts';
import { toHex } from '../../src/proof/encoding/bytes.ts';
import { createTestKey, keyEntry, seedOf } from '../bundle/fixture.ts';
import {
  assembleAggregate,
  embeddedOf,
  embeddedTransaction,
  seedSigner,
  transferBody,
} from './aggregate-fixture.ts';
import { ACCOUNT_SEED, keyHistoryOf, SHARE_NETWORK, signedAggregate } from './share-fixture.ts';

const account = seedSigner(ACCOUNT_SEED);
const NET = SHARE_NETWORK.identifier;
const seed = SHARE_NETWORK.generationHashSeed;
const record = Uint8Array.from(
  { length: 2500 },
  (_, i) => (i < 4 ? [0xa5, 0x53, 0x50, 0x4b][i] : i % 251) as number,
);
record[4] = 0x41;
const key = createTestKey(seedOf(0x09));
const history = keyHistoryOf(keyEntry(key, { validFromMs: 1_000 }));

test("the hand-written layouts give the SDK builder's aggregate byte for byte (v2 and v3, with key history)", async () => {
  for (const version of [2, 3] as const) {
    const built = await signedAggregate({
      records: [record],
      keyRecords: [history],
      aggregateVersion: version,
    });
    const embedded = embeddedOf(built.payload);
    const chunks = chunkRecord(record);
    // The transfers the builder wrote are the ones §5.3 describes: self-transfers, no mosaics, the chunk as message.
    const transfers = chunks.map((message) =>
      embeddedTransaction({
        signerPublicKey: account.publicKey,
        version: 1,
        network: NET,
        type: 0x4154,
        body: transferBody({ recipient: symbolAddress(account.publicKey, NET), message }),
      }),
    );
    for (const t of transfers) assert.ok(embedded.some((e) => toHex(e) === toHex(t)));
    const hand = assembleAggregate({
      embedded,
      signer: account,
      network: NET,
      generationHashSeed: seed,
      version,
    });
    assert.equal(toHex(hand.payload), toHex(built.payload), `aggregate v${version}`);
    assert.equal(toHex(hand.hash), toHex(built.hash));
  }
});

test('a transfer message over 1,024 bytes is refused; other transfer versions and types are opaque', () => {
  const self = symbolAddress(account.publicKey, NET);
  const transfer = (message: Uint8Array, version = 1) =>
    embeddedTransaction({
      signerPublicKey: account.publicKey,
      version,
      network: NET,
      type: 0x4154,
      body: transferBody({ recipient: self, message }),
    });
  const aggregate = (embedded: Uint8Array[]) =>
    assembleAggregate({ embedded, signer: account, network: NET, generationHashSeed: seed }).payload;
  const at1024 = parseAggregate(aggregate([transfer(new Uint8Array(1024))]));
  assert.ok(at1024.ok);
  const over = parseAggregate(aggregate([transfer(new Uint8Array(1025))]));
  assert.equal(over.ok, false);
  assert.match(over.ok ? '' : over.reason, /messageSize: 1025 exceeds Symbol's maxMessageSize 1024/);
  const v2 = parseAggregate(aggregate([transfer(new Uint8Array(1025), 2)]));
  assert.ok(v2.ok);
  assert.equal(v2.value.embedded[0]?.transfer, undefined, 'a transfer v2 is not read as a transfer');
  const other = parseAggregate(
    aggregate([
      embeddedTransaction({
        signerPublicKey: account.publicKey,
        version: 1,
        network: NET,
        type: 0x414e,
        body: new Uint8Array(9),
      }),
    ]),
  );
  assert.ok(other.ok);
  assert.equal(other.value.embedded[0]?.type, 0x414e);
});

test('cosignatures follow the payload as 104-byte records and are refused; so is an embedded transaction of another signer', () => {
  const ed25519 = createNobleEd25519Verifier();
  const embedded = [
    embeddedTransaction({
      signerPublicKey: account.publicKey,
      version: 1,
      network: NET,
      type: 0x4154,
      body: transferBody({ recipient: symbolAddress(account.publicKey, NET), message: new Uint8Array(3) }),
    }),
  ];
  const cosigned = assembleAggregate({
    embedded,
    signer: account,
    network: NET,
    generationHashSeed: seed,
    cosigners: [seedOf(0x44)],
  });
  const parsed = parseAggregate(cosigned.payload);
  assert.ok(parsed.ok);
  assert.equal(parsed.value.cosignatures.length, 1);
  const r = verifyAnchorTransaction(cosigned.payload, { generationHashSeed: seed, ed25519 });
  assert.deepEqual(
    r.checks.filter((c) => !c.ok).map((c) => c.name),
    ['cosignatures'],
  );
  assert.equal(toHex(r.merkleComponentHash ?? new Uint8Array(0)), toHex(cosigned.merkleComponentHash));
  const foreign = seedSigner(seedOf(0x45));
  const mixed = assembleAggregate({
    embedded: [
      ...embedded,
      embeddedTransaction({
        signerPublicKey: foreign.publicKey,
        version: 1,
        network: NET,
        type: 0x4154,
        body: transferBody({ recipient: symbolAddress(foreign.publicKey, NET), message: new Uint8Array(3) }),
      }),
    ],
    signer: account,
    network: NET,
    generationHashSeed: seed,
  });
  const m = verifyAnchorTransaction(mixed.payload, { generationHashSeed: seed, ed25519 });
  assert.match(
    m.checks.find((c) => c.name === 'cosignatures')?.detail ?? '',
    /transactions\[1\]: signed by another key/,
  );
});
