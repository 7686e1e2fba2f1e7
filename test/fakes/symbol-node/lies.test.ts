// Lies of one Symbol TEST DOUBLE front: each breaks exactly what it should (block hash, signature, Merkle path,
// finality, placement, agreement), stays on that front, honours its scope, and clearing it restores honest answers.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { announce, type BuiltTransaction, buildAggregate, nodeTime, rest } from './fixture.ts';
import {
  checkRestBlock,
  type RestBlock,
  type RestChainInfo,
  type RestMerklePath,
  type RestStatus,
  verifyRestMerklePath,
} from './rest-checks.ts';
import { type SymbolTestNetwork, startSymbolTestNetwork } from './symbol-test-network.ts';
import type { SymbolTestNode } from './symbol-test-node.ts';

interface Confirmed {
  meta: { height: string; timestamp: string; merkleComponentHash: string; index: number };
}

const getBlock = async (node: SymbolTestNode, height: bigint | string): Promise<RestBlock> =>
  (await rest<RestBlock>(node.url, `/blocks/${height}`)).body;

const getPath = async (node: SymbolTestNode, height: bigint, leaf: string) =>
  rest<{ merklePath: RestMerklePath }>(node.url, `/blocks/${height}/transactions/${leaf}/merkle`);

describe('lies of one front', () => {
  let network: SymbolTestNetwork;
  let liar: SymbolTestNode;
  let honest: SymbolTestNode[];
  let triple: BuiltTransaction[];
  let single: BuiltTransaction;
  let tripleHeight: bigint;
  let singleHeight: bigint;

  /** Whether `leaf`'s path from `node` leads to the transactionsHash `node` reports for the block. */
  async function pathHolds(node: SymbolTestNode, height: bigint, leaf: string): Promise<boolean> {
    const path = await getPath(node, height, leaf);
    assert.equal(path.status, 200);
    return verifyRestMerklePath(
      leaf,
      path.body.merklePath,
      (await getBlock(node, height)).block.transactionsHash,
    );
  }

  async function assertHonestFronts(): Promise<void> {
    for (const node of honest)
      for (const height of [tripleHeight, singleHeight]) {
        const check = checkRestBlock(await getBlock(node, height));
        assert.deepEqual([check.hashMatches, check.signatureVerifies], [true, true]);
        assert.ok(await pathHolds(node, tripleHeight, triple[1]?.hash ?? ''));
      }
  }

  before(async () => {
    network = await startSymbolTestNetwork({ nodes: 3, blockIntervalMs: 0, finalizationLagBlocks: 2 });
    const [first, ...others] = network.nodes;
    assert.ok(first);
    liar = first;
    honest = others;
    const now = await nodeTime(liar.url);
    triple = [1, 2, 3].map((i) =>
      buildAggregate({ nowMs: now, messages: [new Uint8Array([0xa7, 0x1e, i])] }),
    );
    single = buildAggregate({ nowMs: now, messages: [new Uint8Array([0xa7, 0x1e, 0x09])] });
    for (const tx of triple) await announce(liar.url, tx);
    await network.whenIdle();
    tripleHeight = network.produceBlock().height;
    await announce(liar.url, single);
    await network.whenIdle();
    singleHeight = network.produceBlock().height;
    for (let i = 0; i < 4; i++) network.produceBlock();
  });
  after(() => network.close());
  afterEach(async () => {
    liar.lies.clear();
    assert.deepEqual(liar.lies.active(), []);
    // Clearing restores honest answers: the former liar answers as the others do.
    for (const height of [tripleHeight, singleHeight])
      assert.deepEqual(await getBlock(liar, height), await getBlock(honest[0] as SymbolTestNode, height));
    assert.deepEqual(
      (await rest(liar.url, '/chain/info')).body,
      (await rest((honest[0] as SymbolTestNode).url, '/chain/info')).body,
    );
  });

  test('wrongMerklePath: one sibling altered, the path misses the root; other fronts stay honest', async () => {
    const leaf = triple[0]?.hash ?? '';
    const truth = (await getPath(honest[0] as SymbolTestNode, tripleHeight, leaf)).body.merklePath;
    liar.lies.wrongMerklePath();
    assert.deepEqual(liar.lies.active(), ['wrongMerklePath']);
    const lied = (await getPath(liar, tripleHeight, leaf)).body.merklePath;
    assert.equal(lied.length, truth.length);
    assert.equal(lied.filter((item, i) => item.hash !== truth[i]?.hash).length, 1);
    assert.equal(await pathHolds(liar, tripleHeight, leaf), false);
    // A single-transaction block's empty path gains a made-up sibling.
    assert.equal(await pathHolds(liar, singleHeight, single.hash), false);
    await assertHonestFronts();
    // The header itself is untouched.
    const check = checkRestBlock(await getBlock(liar, tripleHeight));
    assert.deepEqual([check.hashMatches, check.signatureVerifies], [true, true]);
    liar.lies.off('wrongMerklePath');
    assert.ok(await pathHolds(liar, tripleHeight, leaf));
  });

  test('wrongMerklePath limited to one transaction and to N answers', async () => {
    const [a, b] = triple.map((tx) => tx.hash);
    assert.ok(a && b);
    liar.lies.wrongMerklePath({ hash: a, count: 2 });
    assert.ok(await pathHolds(liar, tripleHeight, b), 'another transaction is answered honestly');
    assert.equal(await pathHolds(liar, tripleHeight, a), false);
    assert.equal(await pathHolds(liar, tripleHeight, a), false);
    assert.ok(await pathHolds(liar, tripleHeight, a), 'after two lies the third answer is honest');
    assert.deepEqual(liar.lies.active(), []);
  });

  // What each variant leaves standing: [rebuilt hash = meta.hash, signature verifies, meta.hash moved, signer moved].
  const variants = [
    ['stale-hash', [false, false, false, false]],
    ['rehash', [true, false, true, false]],
    ['resign', [true, true, true, true]],
  ] as const;
  for (const [variant, expected] of variants)
    test(`wrongTransactionsHash '${variant}': ${expected.slice(0, 2).join('/')} for hash/signature, the paths fail`, async () => {
      const truth = await getBlock(liar, tripleHeight);
      liar.lies.wrongTransactionsHash({ variant });
      const lied = await getBlock(liar, tripleHeight);
      assert.notEqual(lied.block.transactionsHash, truth.block.transactionsHash);
      const check = checkRestBlock(lied);
      assert.deepEqual(
        [
          check.hashMatches,
          check.signatureVerifies,
          lied.meta.hash !== truth.meta.hash,
          lied.block.signerPublicKey !== truth.block.signerPublicKey,
        ],
        expected,
      );
      for (const tx of triple) assert.equal(await pathHolds(liar, tripleHeight, tx.hash), false);
      await assertHonestFronts();
    });

  test('wrongTransactionsHash limited to the block holding one transaction, then to N answers', async () => {
    liar.lies.wrongTransactionsHash({ variant: 'rehash', hash: single.hash });
    assert.ok(checkRestBlock(await getBlock(liar, tripleHeight)).signatureVerifies);
    assert.equal(checkRestBlock(await getBlock(liar, singleHeight)).signatureVerifies, false);
    liar.lies.wrongTransactionsHash({ variant: 'stale-hash', count: 1 });
    assert.equal(checkRestBlock(await getBlock(liar, tripleHeight)).hashMatches, false);
    assert.ok(checkRestBlock(await getBlock(liar, tripleHeight)).hashMatches);
  });

  test('finalityBackwards: the finalized block goes down by N, with that block’s hash', async () => {
    const truth = (await rest<RestChainInfo>(liar.url, '/chain/info')).body.latestFinalizedBlock;
    liar.lies.finalityBackwards(2, { count: 1 });
    const lied = (await rest<RestChainInfo>(liar.url, '/chain/info')).body.latestFinalizedBlock;
    assert.equal(BigInt(lied.height), BigInt(truth.height) - 2n);
    assert.equal(lied.hash, (await getBlock(liar, lied.height)).meta.hash);
    assert.ok(lied.finalizationPoint <= truth.finalizationPoint);
    for (const node of honest)
      assert.deepEqual((await rest<RestChainInfo>(node.url, '/chain/info')).body.latestFinalizedBlock, truth);
    // count: 1 — the next answer is honest again.
    assert.deepEqual((await rest<RestChainInfo>(liar.url, '/chain/info')).body.latestFinalizedBlock, truth);
    liar.lies.finalityBackwards(1_000);
    assert.equal((await rest<RestChainInfo>(liar.url, '/chain/info')).body.latestFinalizedBlock.height, '1');
  });

  test('claimBlockLacksTransaction: status and transaction name the block below, whose Merkle endpoint says 404', async () => {
    const [tx, other] = triple;
    assert.ok(tx && other);
    liar.lies.claimBlockLacksTransaction({ hash: tx.hash });
    const claimed = tripleHeight - 1n;
    assert.equal(
      (await rest<RestStatus>(liar.url, `/transactionStatus/${tx.hash}`)).body.height,
      claimed.toString(),
    );
    const batch = await rest<RestStatus[]>(liar.url, '/transactionStatus', {
      method: 'POST',
      body: JSON.stringify({ hashes: [tx.hash, other.hash] }),
    });
    assert.deepEqual(
      batch.body.map((s) => s.height),
      [claimed.toString(), tripleHeight.toString()],
    );
    const confirmed = (await rest<Confirmed>(liar.url, `/transactions/confirmed/${tx.hash}`)).body;
    assert.equal(confirmed.meta.height, claimed.toString());
    assert.equal(confirmed.meta.timestamp, network.block(claimed)?.timestamp.toString());
    const path = await rest(
      liar.url,
      `/blocks/${claimed}/transactions/${confirmed.meta.merkleComponentHash}/merkle`,
    );
    assert.deepEqual([path.status, path.body['code']], [404, 'ResourceNotFound']);
    // The other transaction, and every other front, tell the truth.
    assert.equal(
      (await rest<Confirmed>(liar.url, `/transactions/confirmed/${other.hash}`)).body.meta.height,
      tripleHeight.toString(),
    );
    for (const node of honest)
      assert.equal(
        (await rest<RestStatus>(node.url, `/transactionStatus/${tx.hash}`)).body.height,
        tripleHeight.toString(),
      );
  });

  test('claimBlockLacksTransaction limited to N answers', async () => {
    liar.lies.claimBlockLacksTransaction({ count: 1 });
    const first = (await rest<RestStatus>(liar.url, `/transactionStatus/${single.hash}`)).body.height;
    const second = (await rest<RestStatus>(liar.url, `/transactionStatus/${single.hash}`)).body.height;
    assert.deepEqual([first, second], [(singleHeight - 1n).toString(), singleHeight.toString()]);
  });

  test('disagreeFrom: an alternative chain from a height, consistent, signed by the same harvester', async () => {
    const from = tripleHeight;
    liar.lies.disagreeFrom(from);
    const top = network.height();
    const reference = honest[0] as SymbolTestNode;
    let previous = await getBlock(liar, from - 1n);
    assert.deepEqual(previous, await getBlock(reference, from - 1n), 'below the height they agree');
    for (let height = from; height <= top; height++) {
      const mine = await getBlock(liar, height);
      const theirs = await getBlock(reference, height);
      const check = checkRestBlock(mine);
      assert.deepEqual([check.hashMatches, check.signatureVerifies], [true, true], `block ${height}`);
      assert.notEqual(mine.meta.hash, theirs.meta.hash);
      assert.notEqual(mine.block.stateHash, theirs.block.stateHash);
      assert.equal(mine.block.signerPublicKey, theirs.block.signerPublicKey);
      assert.equal(mine.block.transactionsHash, theirs.block.transactionsHash);
      assert.equal(
        mine.block.previousBlockHash,
        previous.meta.hash,
        `block ${height} links to its own chain`,
      );
      previous = mine;
    }
    // Transactions and their paths are the same as everywhere.
    for (const tx of triple) {
      assert.ok(await pathHolds(liar, tripleHeight, tx.hash));
      assert.deepEqual(
        (await rest(liar.url, `/transactions/confirmed/${tx.hash}`)).body,
        (await rest(reference.url, `/transactions/confirmed/${tx.hash}`)).body,
      );
    }
    const info = (await rest<RestChainInfo>(liar.url, '/chain/info')).body.latestFinalizedBlock;
    assert.ok(BigInt(info.height) >= from);
    assert.equal(info.hash, (await getBlock(liar, info.height)).meta.hash);
    assert.notEqual(info.hash, network.block(BigInt(info.height))?.hash);

    // The alternative chain follows the shared chain's own fork and growth.
    network.fork({ depth: 1, mode: 'drop' });
    const newTop = network.height();
    const tip = await getBlock(liar, newTop);
    assert.equal(tip.block.previousBlockHash, (await getBlock(liar, newTop - 1n)).meta.hash);
    assert.notEqual(tip.meta.hash, network.block(newTop)?.hash);
    await assertHonestFronts();
  });

  test('lies are checked when switched on', () => {
    assert.throws(() => liar.lies.wrongMerklePath({ hash: 'nope' }), RangeError);
    assert.throws(() => liar.lies.wrongMerklePath({ count: 0 }), RangeError);
    assert.throws(() => liar.lies.wrongTransactionsHash({ variant: 'other' as 'rehash' }), RangeError);
    assert.throws(() => liar.lies.finalityBackwards(0), RangeError);
    assert.throws(() => liar.lies.disagreeFrom(0), RangeError);
    assert.deepEqual(liar.lies.active(), []);
  });

  test('lies and faults are apart: faults.clear() leaves a lie on, lies.clear() leaves a fault on', async () => {
    liar.lies.finalityBackwards(1);
    liar.faults.slow(1);
    await liar.faults.clear();
    assert.deepEqual(liar.lies.active(), ['finalityBackwards']);
    liar.faults.slow(150);
    liar.lies.clear();
    const started = performance.now();
    await rest(liar.url, '/chain/info');
    assert.ok(performance.now() - started >= 140, 'still slow');
    liar.faults.slow(0);
  });
});
