// The Symbol TEST DOUBLE behaves and validates like a node: real symbol-sdk aggregates are confirmed with verifiable
// Merkle paths, every invalid one fails with catapult's code, metadata applies as XOR deltas, and every fault works.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sha3_256 } from '@noble/hashes/sha3.js';
import { SymbolFacade } from 'symbol-sdk/symbol';
import type { SymbolFailureCode } from './failure-codes.ts';
import {
  aliceAddress,
  announce,
  type BuiltTransaction,
  bob,
  buildAggregate,
  nodeTime,
  rest,
} from './fixture.ts';
import { type RestChainInfo, type RestStatus, verifyRestMerklePath } from './rest-checks.ts';
import { type SymbolTestNode, startSymbolTestNode } from './symbol-test-node.ts';

interface MerklePath {
  merklePath: { position: 'left' | 'right'; hash: string }[];
}

interface BlockInfo {
  meta: { hash: string };
  block: { height: string; transactionsHash: string; previousBlockHash: string; feeMultiplier: number };
}

async function status(node: SymbolTestNode, hash: string): Promise<{ status: number; body: RestStatus }> {
  return rest<RestStatus>(node.url, `/transactionStatus/${hash}`);
}

/** Announces, waits for validation, returns the status (404 body when the node kept none). */
async function announceAndSettle(
  node: SymbolTestNode,
  tx: BuiltTransaction,
): Promise<{ status: number; body: RestStatus }> {
  const accepted = await announce(node.url, tx);
  assert.equal(accepted.status, 202);
  await node.whenIdle();
  return status(node, tx.hash);
}

async function expectFailure(
  node: SymbolTestNode,
  tx: BuiltTransaction,
  code: SymbolFailureCode,
): Promise<void> {
  const result = await announceAndSettle(node, tx);
  assert.equal(result.status, 200, `status of ${code} case`);
  assert.deepEqual({ group: result.body.group, code: result.body.code }, { group: 'failed', code });
  node.produceBlock();
  assert.equal((await rest(node.url, `/transactions/confirmed/${tx.hash}`)).status, 404);
}

describe('Symbol test node (manual blocks)', () => {
  let node: SymbolTestNode;
  let now: bigint;

  before(async () => {
    node = await startSymbolTestNode({ blockIntervalMs: 0, finalizationLagBlocks: 3 });
    now = await nodeTime(node.url);
  });
  after(async () => {
    await node.close();
  });

  test('says it is a test double and reports the testnet constants', async () => {
    const info = await rest<Record<string, unknown>>(node.url, '/node/info');
    assert.match(String(info.body['friendlyName']), /TEST DOUBLE/);
    assert.equal(
      info.body['networkGenerationHashSeed'],
      new SymbolFacade('testnet').network.generationHashSeed.toString(),
    );
    assert.equal(info.body['networkIdentifier'], 0x98);
    const props = await rest<{
      network: { epochAdjustment: string };
      chain: { blockGenerationTargetTime: string };
      plugins: Record<string, Record<string, unknown>>;
      forkHeights: Record<string, string>;
    }>(node.url, '/network/properties');
    assert.equal(props.body.network.epochAdjustment, '1667250467s');
    assert.equal(props.body.plugins['transfer']?.['maxMessageSize'], "1'024");
    assert.equal(props.body.plugins['aggregate']?.['maxTransactionsPerAggregate'], '100');
    assert.equal(props.body.plugins['metadata']?.['maxValueSize'], "1'024");
    assert.equal(props.body.forkHeights['uniqueAggregateTransactionHash'], '0');
    const fees = await rest<Record<string, number>>(node.url, '/network/fees/transaction');
    assert.equal(fees.body['minFeeMultiplier'], 100);
    const unixNow = Date.now();
    const networkNow = Number(await nodeTime(node.url));
    assert.ok(Math.abs(unixNow - 1667250467 * 1000 - networkNow) < 5000);
  });

  test('confirms a valid aggregate v3; REST status, transaction, block and Merkle path agree', async () => {
    const txs = [1, 2, 3, 4].map((i) =>
      buildAggregate({ nowMs: now, messages: [new Uint8Array([0xa7, i])] }),
    );
    const cosigned = buildAggregate({ nowMs: now, cosigners: [bob] });
    const all = [...txs, cosigned];
    for (const tx of all)
      assert.equal(
        (await announce(node.url, tx)).body.message,
        'packet 9 was pushed to the network via /transactions',
      );
    await node.whenIdle();
    for (const tx of all) assert.equal((await status(node, tx.hash)).body.group, 'unconfirmed');

    const block = node.produceBlock();
    const height = block.height.toString();
    const blockJson = await rest<BlockInfo>(node.url, `/blocks/${height}`);
    assert.equal(blockJson.body.block.height, height);
    assert.equal(blockJson.body.meta.hash, block.hash);
    const previous = await rest<BlockInfo>(node.url, `/blocks/${block.height - 1n}`);
    assert.equal(blockJson.body.block.previousBlockHash, previous.body.meta.hash);

    for (const tx of all) {
      const s = await status(node, tx.hash);
      assert.deepEqual(
        { group: s.body.group, code: s.body.code, height: s.body.height },
        { group: 'confirmed', code: 'Success', height },
      );
      const confirmed = await rest<{
        meta: { height: string; hash: string; merkleComponentHash: string; index: number };
        transaction: Record<string, unknown>;
      }>(node.url, `/transactions/confirmed/${tx.hash}`);
      assert.equal(confirmed.status, 200);
      assert.equal(confirmed.body.meta.hash, tx.hash);
      assert.equal(confirmed.body.transaction['type'], 0x4141);
      assert.equal(confirmed.body.transaction['version'], 3);
      assert.equal(confirmed.body.transaction['network'], 0x98);
      assert.equal(typeof confirmed.body.transaction['maxFee'], 'string');
      assert.equal(typeof confirmed.body.transaction['deadline'], 'string');
      const leaf = confirmed.body.meta.merkleComponentHash;
      const path = await rest<MerklePath>(node.url, `/blocks/${height}/transactions/${leaf}/merkle`);
      assert.equal(path.status, 200);
      assert.ok(
        verifyRestMerklePath(leaf, path.body.merklePath, blockJson.body.block.transactionsHash),
        tx.hash,
      );
      assert.deepEqual(node.payloadOf(tx.hash), tx.bytes);
    }
    // The cosigned aggregate's leaf is SHA3-256(hash ‖ cosigner key), the others' leaf is their hash.
    const records = node.confirmedTransactions();
    const cosignedRecord = records.find((r) => r.hash === cosigned.hash);
    const expectedLeaf = sha3_256(
      Buffer.concat([Buffer.from(cosigned.hash, 'hex'), Buffer.from(bob.publicKey.bytes)]),
    );
    assert.equal(
      cosignedRecord?.merkleComponentHash,
      Buffer.from(expectedLeaf).toString('hex').toUpperCase(),
    );
    assert.equal(records.find((r) => r.hash === txs[0]?.hash)?.merkleComponentHash, txs[0]?.hash);
    const tampered = verifyRestMerklePath(txs[0]?.hash ?? '', [], blockJson.body.block.transactionsHash);
    assert.equal(tampered, false);
  });

  test('a block with a single transaction has root = leaf; an empty block has a zero root', async () => {
    const tx = buildAggregate({ nowMs: now, messages: [new Uint8Array([0xa7, 0x55])] });
    await announceAndSettle(node, tx);
    const single = node.produceBlock();
    assert.equal(single.transactionsHash, tx.hash);
    const path = await rest<MerklePath>(node.url, `/blocks/${single.height}/transactions/${tx.hash}/merkle`);
    assert.deepEqual(path.body.merklePath, []);
    const empty = node.produceBlock();
    assert.equal(empty.transactionsHash, '0'.repeat(64));
  });

  test('finality follows with the lag, stalls when told, and catches up', async () => {
    for (let i = 0; i < 4; i++) node.produceBlock();
    let info = (await rest<RestChainInfo>(node.url, '/chain/info')).body;
    assert.equal(BigInt(info.latestFinalizedBlock.height), BigInt(info.height) - 3n);
    const finalized = await rest<BlockInfo>(node.url, `/blocks/${info.latestFinalizedBlock.height}`);
    assert.equal(info.latestFinalizedBlock.hash, finalized.body.meta.hash);
    node.faults.stallFinality(true);
    const stalledAt = info.latestFinalizedBlock.height;
    for (let i = 0; i < 5; i++) node.produceBlock();
    info = (await rest<RestChainInfo>(node.url, '/chain/info')).body;
    assert.equal(info.latestFinalizedBlock.height, stalledAt);
    node.faults.stallFinality(false);
    info = (await rest<RestChainInfo>(node.url, '/chain/info')).body;
    assert.equal(BigInt(info.latestFinalizedBlock.height), BigInt(info.height) - 3n);
  });

  describe('rejections', () => {
    test('bad signature', async () => {
      const tx = buildAggregate({
        nowMs: now,
        afterSign: (bytes) => {
          bytes[8] = (bytes[8] as number) ^ 1;
        },
      });
      await expectFailure(node, tx, 'Failure_Signature_Not_Verifiable');
    });

    test('wrong network byte (a mainnet transaction sent to testnet)', async () => {
      const mainnet = new SymbolFacade('mainnet');
      await expectFailure(
        node,
        buildAggregate({ nowMs: now, facade: mainnet }),
        'Failure_Core_Wrong_Network',
      );
    });

    test('deadline passed, and deadline beyond 6 h', async () => {
      await expectFailure(
        node,
        buildAggregate({ nowMs: now, deadlineOffsetMs: -60_000n }),
        'Failure_Core_Past_Deadline',
      );
      const future = buildAggregate({
        nowMs: await nodeTime(node.url),
        deadlineOffsetMs: 6n * 3_600_000n + 60_000n,
      });
      await expectFailure(node, future, 'Failure_Core_Future_Deadline');
    });

    test('aggregate v2 after the fork', async () => {
      await expectFailure(
        node,
        buildAggregate({ nowMs: now, version: 2 }),
        'Failure_Aggregate_V2_Prohibited',
      );
    });

    test('transactionsHash mismatch', async () => {
      const tx = buildAggregate({
        nowMs: now,
        beforeSign: (agg) => {
          agg.transactionsHash = new (
            agg.transactionsHash.constructor as new (
              b: Uint8Array,
            ) => typeof agg.transactionsHash
          )(new Uint8Array(32));
        },
      });
      await expectFailure(node, tx, 'Failure_Aggregate_Transactions_Hash_Mismatch');
    });

    test('more than 100 embedded transactions', async () => {
      const messages = Array.from({ length: 101 }, () => new Uint8Array(0));
      await expectFailure(
        node,
        buildAggregate({ nowMs: now, messages }),
        'Failure_Aggregate_Too_Many_Transactions',
      );
      const hundred = buildAggregate({ nowMs: now, messages: messages.slice(1) });
      assert.equal((await announceAndSettle(node, hundred)).body.group, 'unconfirmed');
    });

    test('a 1025-byte transfer message (1024 passes)', async () => {
      const big = buildAggregate({ nowMs: now, messages: [new Uint8Array(1025).fill(0xa7)] });
      await expectFailure(node, big, 'Failure_Transfer_Message_Too_Large');
      const max = buildAggregate({ nowMs: now, messages: [new Uint8Array(1024).fill(0xa7)] });
      assert.equal((await announceAndSettle(node, max)).body.group, 'unconfirmed');
    });

    test('a missing cosignature', async () => {
      // Bob signs an embedded transfer but does not cosign.
      const tx = buildAggregate({ nowMs: now, cosigners: [bob], cosign: false });
      await expectFailure(node, tx, 'Failure_Aggregate_Missing_Cosignatures');
    });

    test('a duplicate is ignored: the status stays confirmed and the node records why', async () => {
      const tx = buildAggregate({ nowMs: now, messages: [new Uint8Array([0xa7, 0xdd])] });
      await announceAndSettle(node, tx);
      assert.equal((await announceAndSettle(node, tx)).body.group, 'unconfirmed');
      node.produceBlock();
      const again = await announceAndSettle(node, tx);
      assert.equal(again.body.group, 'confirmed');
      const drops = node.dropped().filter((d) => d.hash === tx.hash && d.reason === 'duplicate');
      assert.equal(drops.length, 2);
      assert.match(drops[1]?.detail ?? '', /Failure_Hash_Already_Exists \(already confirmed\)/);
      assert.equal(node.confirmedTransactions().filter((r) => r.hash === tx.hash).length, 1);
    });

    test('a fee below size × minFeeMultiplier is dropped without a status, as catapult does', async () => {
      const tx = buildAggregate({ nowMs: now, feeMultiplier: 99n });
      const result = await announceAndSettle(node, tx);
      assert.equal(result.status, 404);
      assert.equal((result.body as unknown as { code: string }).code, 'ResourceNotFound');
      assert.equal(node.dropped().at(-1)?.reason, 'fee-below-minimum');
    });

    test('malformed payloads: 409 for non-hex, 400 for invalid JSON, silent drop for undecodable bytes', async () => {
      const nonHex = await rest(node.url, '/transactions', { method: 'PUT', body: '{"payload":"XYZ1"}' });
      assert.deepEqual([nonHex.status, nonHex.body['code']], [409, 'InvalidArgument']);
      const badJson = await rest(node.url, '/transactions', { method: 'PUT', body: '{"payload":' });
      assert.equal(badJson.status, 400);
      const garbage = await rest(node.url, '/transactions', {
        method: 'PUT',
        body: '{"payload":"00112233"}',
      });
      assert.equal(garbage.status, 202);
      await node.whenIdle();
      assert.equal(node.dropped().at(-1)?.reason, 'malformed');
      const unknown = await rest(node.url, `/transactionStatus/${'AB'.repeat(32)}`);
      assert.deepEqual([unknown.status, unknown.body['code']], [404, 'ResourceNotFound']);
      const badHash = await rest(node.url, '/transactionStatus/1234');
      assert.equal(badHash.status, 409);
    });
  });

  test('POST /transactionStatus returns the known statuses', async () => {
    const tx = buildAggregate({ nowMs: now, messages: [new Uint8Array([0xa7, 0x77])] });
    await announceAndSettle(node, tx);
    const result = await rest<RestStatus[]>(node.url, '/transactionStatus', {
      method: 'POST',
      body: JSON.stringify({ hashes: [tx.hash, 'CD'.repeat(32)] }),
    });
    assert.equal(result.status, 200);
    assert.deepEqual(
      result.body.map((s) => [s.hash, s.group]),
      [[tx.hash, 'unconfirmed']],
    );
  });

  test('account metadata is applied as XOR deltas and readable via /metadata', async () => {
    const scopedKey = 0x8000_0000_0000_0042n;
    const keyHex = scopedKey.toString(16).toUpperCase();
    const address = aliceAddress.toString();
    const query = `/metadata?sourceAddress=${address}&targetAddress=${address}&scopedMetadataKey=${keyHex}&metadataType=0`;
    const first = new TextEncoder().encode('{"alg":"ML-DSA-65","since":1}');
    const tx1 = buildAggregate({
      nowMs: now,
      metadata: [{ scopedKey, oldValue: undefined, newValue: first }],
    });
    assert.equal((await announceAndSettle(node, tx1)).body.group, 'unconfirmed');
    node.produceBlock();
    let read = await rest<{
      data: {
        metadataEntry: { value: string; valueSize: number; sourceAddress: string; scopedMetadataKey: string };
      }[];
      pagination: { pageNumber: number; pageSize: number };
    }>(node.url, query);
    assert.equal(read.body.data.length, 1);
    assert.equal(read.body.data[0]?.metadataEntry.value, Buffer.from(first).toString('hex').toUpperCase());
    assert.equal(
      read.body.data[0]?.metadataEntry.sourceAddress,
      Buffer.from(aliceAddress.bytes).toString('hex').toUpperCase(),
    );
    assert.equal(read.body.data[0]?.metadataEntry.scopedMetadataKey, keyHex);
    assert.deepEqual(read.body.pagination, { pageNumber: 1, pageSize: 10 });

    // A delta that ignores the current value is rejected; a proper shrinking XOR delta applies.
    const second = new TextEncoder().encode('{"alg":"ML-DSA-87"}');
    const wrong = buildAggregate({
      nowMs: now,
      metadata: [{ scopedKey, oldValue: undefined, newValue: second }],
    });
    await expectFailure(node, wrong, 'Failure_Metadata_Value_Size_Delta_Mismatch');
    const tx2 = buildAggregate({ nowMs: now, metadata: [{ scopedKey, oldValue: first, newValue: second }] });
    assert.equal((await announceAndSettle(node, tx2)).body.group, 'unconfirmed');
    node.produceBlock();
    read = await rest(node.url, query);
    assert.equal(read.body.data[0]?.metadataEntry.value, Buffer.from(second).toString('hex').toUpperCase());
    assert.equal(read.body.data[0]?.metadataEntry.valueSize, second.length);

    const tooBig = buildAggregate({
      nowMs: now,
      metadata: [{ scopedKey: 1n, oldValue: undefined, newValue: new Uint8Array(1025) }],
    });
    await expectFailure(node, tooBig, 'Failure_Metadata_Value_Too_Large');
    // An in-place update (a same-size XOR delta) of an entry this account does not hold is refused, as catapult
    // refuses it: a new account cannot retire a key whose entry another account wrote.
    const orphanUpdate = buildAggregate({
      nowMs: now,
      metadata: [{ scopedKey: 0x77n, oldValue: first, newValue: first.map((b) => b ^ 1) }],
    });
    await expectFailure(node, orphanUpdate, 'Failure_Metadata_Value_Size_Delta_Mismatch');
    const badAddress = await rest(node.url, '/metadata?sourceAddress=TOO-SHORT');
    assert.deepEqual([badAddress.status, badAddress.body['code']], [409, 'InvalidArgument']);
  });

  describe('faults', () => {
    test('down refuses connections; up listens again on the same port', async () => {
      const port = node.port;
      await node.faults.down();
      try {
        assert.equal(node.faults.isDown, true);
        // A pooled keep-alive socket may first fail as "socket closed"; a fresh connection must be refused.
        let code: string | undefined;
        for (let i = 0; i < 3 && code !== 'ECONNREFUSED'; i++) {
          const error = await rest(node.url, '/chain/info').then(
            () => assert.fail('request succeeded while down'),
            (e: Error) => e,
          );
          code = (error.cause as { code?: string } | undefined)?.code;
        }
        assert.equal(code, 'ECONNREFUSED');
      } finally {
        await node.faults.up();
      }
      assert.equal(node.port, port);
      assert.equal((await rest(node.url, '/chain/info')).status, 200);
    });

    test('slow delays every response', async () => {
      node.faults.slow(300);
      const started = performance.now();
      await rest(node.url, '/chain/info');
      assert.ok(performance.now() - started >= 290);
      node.faults.slow(0);
      const quick = performance.now();
      await rest(node.url, '/chain/info');
      assert.ok(performance.now() - quick < 290);
    });

    test('dropSilently answers 202 but never reports or includes the transaction', async () => {
      node.faults.dropSilently(1);
      const tx = buildAggregate({ nowMs: now, messages: [new Uint8Array([0xa7, 0xd0])] });
      assert.equal((await announceAndSettle(node, tx)).status, 404);
      node.produceBlock();
      assert.equal((await status(node, tx.hash)).status, 404);
      assert.equal(node.dropped().at(-1)?.reason, 'dropped-by-fault');
      // Only one announcement is dropped: the re-announcement goes through.
      assert.equal((await announceAndSettle(node, tx)).body.group, 'unconfirmed');
    });

    test('rejectWith fails the next announcement with the given code', async () => {
      node.faults.rejectWith('Failure_Core_Insufficient_Balance');
      const tx = buildAggregate({ nowMs: now, messages: [new Uint8Array([0xa7, 0xb0])] });
      await expectFailure(node, tx, 'Failure_Core_Insufficient_Balance');
      const next = buildAggregate({ nowMs: now, messages: [new Uint8Array([0xa7, 0xb1])] });
      assert.equal((await announceAndSettle(node, next)).body.group, 'unconfirmed');
    });
  });
});

describe('Symbol test node (options)', () => {
  test('before forkHeightV3 only aggregate v2 is accepted', async () => {
    const node = await startSymbolTestNode({ blockIntervalMs: 0, forkHeightV3: 100, initialHeight: 90 });
    try {
      const now = await nodeTime(node.url);
      await expectFailure(node, buildAggregate({ nowMs: now }), 'Failure_Aggregate_V3_Prohibited');
      const v2 = buildAggregate({ nowMs: now, version: 2 });
      assert.equal((await announceAndSettle(node, v2)).body.group, 'unconfirmed');
      assert.equal((await rest(node.url, '/blocks/89')).status, 404);
    } finally {
      await node.close();
    }
  });

  test('balance bookkeeping rejects a fee the signer cannot pay and charges confirmed fees', async () => {
    const node = await startSymbolTestNode({
      blockIntervalMs: 0,
      balances: { [aliceAddress.toString()]: 1_000_000n },
    });
    try {
      const now = await nodeTime(node.url);
      const tx = buildAggregate({ nowMs: now });
      assert.equal((await announceAndSettle(node, tx)).body.group, 'unconfirmed');
      node.produceBlock();
      assert.equal(node.balanceOf(aliceAddress.toString()), 1_000_000n - BigInt(tx.size) * 100n);
      const expensive = buildAggregate({ nowMs: now, feeMultiplier: 10_000n });
      await expectFailure(node, expensive, 'Failure_Core_Insufficient_Balance');
    } finally {
      await node.close();
    }
  });

  test('the block timer confirms an announced transaction (status unconfirmed → confirmed)', async () => {
    const node = await startSymbolTestNode({ blockIntervalMs: 50, finalizationLagBlocks: 2 });
    try {
      const tx = buildAggregate({ nowMs: await nodeTime(node.url) });
      await announce(node.url, tx);
      const seen = new Set<string>();
      const deadline = Date.now() + 5000;
      for (let i = 0; i < 200 && Date.now() < deadline; i++) {
        const s = await status(node, tx.hash);
        if (s.status === 200) seen.add(s.body.group);
        if (s.body.group === 'confirmed') break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.ok(seen.has('confirmed'), `groups seen: ${[...seen].join(', ')}`);
      const confirmedAt = BigInt((await status(node, tx.hash)).body.height);
      for (let i = 0; i < 200 && Date.now() < deadline; i++) {
        const info = (await rest<RestChainInfo>(node.url, '/chain/info')).body;
        if (BigInt(info.latestFinalizedBlock.height) >= confirmedAt) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const info = (await rest<RestChainInfo>(node.url, '/chain/info')).body;
      assert.ok(BigInt(info.latestFinalizedBlock.height) >= confirmedAt);
    } finally {
      await node.close();
    }
  });

  test('invalid options are reported together', async () => {
    await assert.rejects(
      startSymbolTestNode({ blockIntervalMs: -1, minFeeMultiplier: 1.5, balances: { nope: 1n } }),
      /blockIntervalMs.*minFeeMultiplier.*balances/,
    );
  });
});
