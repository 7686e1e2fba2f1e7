// The observer over in-memory nodes (no network): what a quorum supports, and the walk from each node's finalized
// block down to the anchor that FINALIZED rests on — a stale block, a wrong finalized hash, a budget spread over rounds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sha3_256 } from '@noble/hashes/sha3.js';
import { createNodePool } from '../../src/anchor/symbol/node-pool.ts';
import type { BlockInfo, SymbolRestClient } from '../../src/anchor/symbol/rest-client.ts';
import {
  createTransactionObserver,
  type NodeFinality,
  type ObserveRequest,
} from '../../src/anchor/symbol/transaction-observer.ts';
import { symbolMerklePath } from '../../src/proof/anchor/anchor-share.ts';
import { createNobleEd25519Verifier } from '../../src/proof/anchor/noble-ed25519-verifier.ts';
import { capturedLog } from '../support/captured-log.ts';
import { linkedBlocks } from './block-fixture.ts';

const txHash = sha3_256(Uint8Array.of(42));
const filler = sha3_256(Uint8Array.of(43));
const AT = 5n;
const leavesAt = (h: bigint) => (h === AT ? [filler, txHash] : [sha3_256(Uint8Array.of(Number(h)))]);

/** A node serving `blocks`, the transaction at AT, and finality `fin`; counts block reads. */
function fakeNode(url: string, blocks: Map<bigint, BlockInfo>, fin: () => NodeFinality) {
  const reads: bigint[] = [];
  const client = {
    url,
    transactionStatus: async () => ({ group: 'confirmed', code: 'Success', height: AT, deadline: 0n }),
    confirmed: async () => ({
      hash: txHash,
      height: AT,
      merkleComponentHash: txHash,
      index: 1,
      timestamp: blocks.get(AT)?.timestamp ?? 0n,
      feeMultiplier: 100,
    }),
    block: async (h: bigint) => {
      reads.push(h);
      const block = blocks.get(h);
      if (block === undefined) throw new Error(`no block ${h}`);
      return block;
    },
    merklePath: async () => symbolMerklePath([filler, txHash], 1),
    chainInfo: async () => ({ height: 10n, finalizedHeight: fin().height, finalizedHash: fin().hash }),
  } as unknown as SymbolRestClient;
  return { client, reads };
}

function setup(clients: SymbolRestClient[], quorum: number, maxWalkBlocks?: number) {
  const { log, lines } = capturedLog();
  const pool = createNodePool({ clients, quorum, now: () => 0, log });
  const observer = createTransactionObserver({
    pool,
    ed25519: createNobleEd25519Verifier(),
    ...(maxWalkBlocks === undefined ? {} : { maxWalkBlocks }),
  });
  const ask = (finality: Map<SymbolRestClient, NodeFinality>, wantFinality = true) =>
    observer.observe({
      expect: { txHash, merkleComponentHash: txHash, network: 0x98 },
      recorded: undefined,
      wantFinality,
      finality,
      context: { txHash: 'tx' },
    } satisfies ObserveRequest);
  return { pool, ask, lines };
}

const chain = linkedBlocks(1n, 10n, leavesAt);
const finAt = (blocks: Map<bigint, BlockInfo>, h: bigint): NodeFinality => ({
  height: h,
  hash: (blocks.get(h) as BlockInfo).hash,
});

test('an honest node: in a block, and final once its finalized chain leads down to that block', async () => {
  const n = fakeNode('http://a', chain, () => finAt(chain, 8n));
  const { ask } = setup([n.client], 1);
  const obs = await ask(new Map([[n.client, finAt(chain, 8n)]]));
  assert.equal(obs.kind, 'in-block');
  if (obs.kind !== 'in-block') return;
  assert.equal(obs.final, true);
  assert.deepEqual(obs.evidence.blockHash, chain.get(AT)?.hash);
  assert.deepEqual(n.reads, [5n, 8n, 7n, 6n, 5n], 'the anchor block, then the finalized block down to it');
  // The links are kept: a second look reads only the anchor block again.
  n.reads.length = 0;
  await ask(new Map([[n.client, finAt(chain, 8n)]]));
  assert.deepEqual(n.reads, [5n]);
  // Not final while the node's finality is below the anchor, and no walk at all without finality wanted.
  const early = await ask(new Map([[n.client, finAt(chain, 4n)]]));
  assert.equal(early.kind === 'in-block' && early.final, false);
});

test('a node serving a stale block at the anchor height, off its own finalized chain, is refused (ancestry)', async () => {
  // Its finalized chain 6..8 was built on another block 5; it still serves the old block 5 with our transaction.
  const fork = linkedBlocks(5n, 8n, leavesAt, { stateFill: 9, below: (chain.get(4n) as BlockInfo).hash });
  const served = new Map([...chain].map(([h, blk]) => [h, h > AT ? (fork.get(h) as BlockInfo) : blk]));
  const n = fakeNode('http://stale', served, () => finAt(fork, 8n));
  const { ask, lines } = setup([n.client], 1);
  const obs = await ask(new Map([[n.client, finAt(fork, 8n)]]));
  assert.equal(obs.kind === 'in-block' && obs.final, false, 'never final on a stale block');
  const line = lines.find((l) => l['check'] === 'ancestry');
  assert.ok(line, 'refused as ancestry');
  assert.equal(line['node'], 'http://stale');
});

test("a finalized hash that is not the finalized block's is refused (finalized-hash)", async () => {
  const n = fakeNode('http://a', chain, () => finAt(chain, 8n));
  const { ask, lines } = setup([n.client], 1);
  const obs = await ask(new Map([[n.client, { height: 8n, hash: new Uint8Array(32).fill(1) }]]));
  assert.equal(obs.kind === 'in-block' && obs.final, false);
  assert.ok(lines.some((l) => l['check'] === 'finalized-hash'));
});

test('a long walk is spread over rounds within its budget, and then final', async () => {
  const n = fakeNode('http://a', chain, () => finAt(chain, 10n));
  const { ask } = setup([n.client], 1, 2);
  const fin = new Map([[n.client, finAt(chain, 10n)]]);
  const first = await ask(fin);
  assert.equal(first.kind === 'in-block' && first.final, false, 'blocks 10, 9 read; 8..6 left');
  const second = await ask(fin);
  assert.equal(second.kind === 'in-block' && second.final, false, 'blocks 8, 7 read');
  const third = await ask(fin);
  assert.equal(third.kind === 'in-block' && third.final, true, 'block 6 links to the anchor block');
});

test('three nodes, one on another fork: the two that agree decide, the third is reported as a disagreement', async () => {
  const other = linkedBlocks(1n, 10n, leavesAt, { stateFill: 7 });
  const a = fakeNode('http://a', chain, () => finAt(chain, 8n));
  const b = fakeNode('http://b', chain, () => finAt(chain, 8n));
  const c = fakeNode('http://c', other, () => finAt(other, 8n));
  const { ask, lines, pool } = setup([a.client, b.client, c.client], 2);
  const fin = new Map([
    [a.client, finAt(chain, 8n)],
    [b.client, finAt(chain, 8n)],
    [c.client, finAt(other, 8n)],
  ]);
  const obs = await ask(fin);
  assert.equal(obs.kind, 'in-block');
  if (obs.kind !== 'in-block') return;
  assert.deepEqual(obs.nodes, ['http://a', 'http://b']);
  assert.equal(obs.final, true);
  assert.deepEqual(obs.evidence.blockHash, chain.get(AT)?.hash);
  const line = lines.find((l) => l['check'] === 'disagreement');
  assert.equal(line?.['node'], 'http://c');
  assert.equal(pool.health()[2]?.state, 'flagged');
  // With quorum 3 the same answers settle nothing.
  const strict = setup([a.client, b.client, c.client], 3);
  const undecided = await strict.ask(fin);
  assert.equal(undecided.kind, 'undecided');
});
