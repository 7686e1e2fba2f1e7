// Prepaid credit from Symbol transfers, against the Symbol test double (three REST fronts over one chain, quorum 2):
// a top-up is credited once its block is finalized and not before, once only (again and again, across a restart and
// across a fork that moves it), never when a fork drops it; a front that inflates amounts, hides transfers or invents
// one changes nothing; transfers that are not top-ups are ignored.
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { type AnchorStateStore, anchorStateStore } from '../../src/anchor/anchor-state.ts';
import { createMemoryEd25519Signer } from '../../src/anchor/memory-ed25519-signer.ts';
import { createAnchorTracker } from '../../src/anchor/symbol/anchor-tracker.ts';
import { createNodePool } from '../../src/anchor/symbol/node-pool.ts';
import { createSymbolRestClient } from '../../src/anchor/symbol/rest-client.ts';
import { createCreditWatch } from '../../src/credit/credit-watch.ts';
import { embeddedTopUpId } from '../../src/credit/incoming-aggregate.ts';
import { createNobleEd25519Verifier } from '../../src/proof/anchor/noble-ed25519-verifier.ts';
import { addressOf } from '../../src/proof/trust/trust-root.ts';
import { openLmdbStore } from '../../src/store/lmdb-store.ts';
import type { Store } from '../../src/store/store.ts';
import { buildAggregateTransfers, buildTransfer, testKeyPair } from '../fakes/symbol-node/fixture.ts';
import { type SymbolTestNetwork, startSymbolTestNetwork } from '../fakes/symbol-node/symbol-test-network.ts';
import { capturedLog } from '../support/captured-log.ts';
import { tempDir } from '../support/spawn-server.ts';

const TESTNET = 0x98;
const alice = testKeyPair('C1');
const bob = testKeyPair('C2');
/** A wallet's cosignatory: signs the aggregates alice's and bob's transfers travel in. */
const carol = testKeyPair('C3');

interface Rig {
  readonly network: SymbolTestNetwork;
  readonly operator: string;
  readonly lines: Array<Record<string, unknown>>;
  store: Store;
  /** One tracker round (the credit watch follows it). */
  tick(): Promise<void>;
  /** Closes the store and opens it again with a new tracker: a restart. */
  restart(): Promise<void>;
  /** Announces a transfer of `amount` µXYM from `from` with the plain message `text`; its hash. */
  send(from: typeof alice, text: string, amount?: bigint, recipient?: string): Promise<Uint8Array>;
  credit(client: string): bigint;
  /** Announces an aggregate signed by `signer` holding `transfers` (cosigned by their senders); its hash. */
  sendAggregate(signer: typeof alice, transfers: readonly AggregateTransfer[]): Promise<Uint8Array>;
}

/** One embedded transfer (to the operator unless `recipient`). */
interface AggregateTransfer {
  readonly sender: typeof alice;
  readonly text: string;
  readonly amount: bigint;
  readonly recipient?: string;
}

async function rig(t: TestContext, nodes = 3, quorum = 2): Promise<Rig> {
  const dir = tempDir('spark-credit-');
  const network = await startSymbolTestNetwork({
    nodes,
    blockIntervalMs: 0,
    finalizationLagBlocks: 3,
    balances: {
      [addressOf(alice.publicKey.bytes, TESTNET)]: 1_000_000_000n,
      [addressOf(bob.publicKey.bytes, TESTNET)]: 1_000_000_000n,
      [addressOf(carol.publicKey.bytes, TESTNET)]: 1_000_000_000n,
    },
  });
  const signer = createMemoryEd25519Signer();
  const operator = addressOf(signer.publicKey, TESTNET);
  const { log, lines } = capturedLog();
  const open = async () => {
    const store = await openLmdbStore({ path: dir.path, pendingCapacity: 100 });
    const states: AnchorStateStore = anchorStateStore(store);
    const tracker = createAnchorTracker({
      store,
      states,
      pool: createNodePool({
        clients: network.nodes.map((n) => createSymbolRestClient({ url: n.url, timeoutMs: 2_000 })),
        quorum,
        now: Date.now,
        log,
      }),
      signer,
      maxFeeMultiplier: 1000,
      pollIntervalMs: 60_000,
      deadlineMs: 3_600_000,
      resendAfterMs: 30_000,
      maxBatchesPerAggregate: 20,
      now: Date.now,
      log,
      followers: [createCreditWatch({ store, ed25519: createNobleEd25519Verifier(), log })],
    });
    return { store, tracker };
  };
  let current = await open();
  const client = createSymbolRestClient({ url: network.nodes[0]?.url ?? '' });
  t.after(async () => {
    await current.store.close();
    await network.close();
    dir.cleanup();
  });
  const r: Rig = {
    network,
    operator,
    lines,
    store: current.store,
    tick: () => current.tracker.tick(),
    async restart() {
      await current.store.close();
      current = await open();
      r.store = current.store;
    },
    async send(from, text, amount = 5_000_000n, recipient = operator) {
      const tx = buildTransfer({ nowMs: await client.nodeTime(), signer: from, recipient, amount, text });
      await client.announce(tx.bytes);
      await network.whenIdle();
      return Uint8Array.from(Buffer.from(tx.hash, 'hex'));
    },
    async sendAggregate(signer, transfers) {
      const tx = buildAggregateTransfers({
        nowMs: await client.nodeTime(),
        signer,
        transfers: transfers.map((x) => ({ ...x, recipient: x.recipient ?? operator })),
      });
      await client.announce(tx.bytes);
      await network.whenIdle();
      return Uint8Array.from(Buffer.from(tx.hash, 'hex'));
    },
    credit: (name) => {
      const b = current.store.creditBalances(name)[0];
      return b === undefined ? 0n : b.credited - b.spent;
    },
  };
  return r;
}

/** Produces `n` blocks. */
function blocks(r: Rig, n: number): void {
  for (let i = 0; i < n; i++) r.network.produceBlock();
}

test('a top-up is credited once its block is final, and once only, also after a restart', async (t) => {
  const r = await rig(t);
  blocks(r, 4);
  const hash = await r.send(alice, 'spark-credit:alice', 5_000_000n);
  blocks(r, 1);
  const height = r.network.height();
  await r.tick();
  assert.equal(r.credit('alice'), 0n, 'in a block, not final: nothing yet');
  assert.ok(r.store.creditScan(r.operator) < height, 'the scan stays below the unfinalized block');
  blocks(r, 3);
  assert.ok(r.network.finalizedHeight() >= height);
  await r.tick();
  assert.equal(r.credit('alice'), 5_000_000n);
  assert.equal(r.store.creditedTopUp(hash)?.height, height);
  assert.equal(r.store.creditScan(r.operator), r.network.finalizedHeight());
  assert.ok(r.lines.some((l) => l['msg'] === 'credit: 5 XYM credited to client alice'));
  await r.tick();
  blocks(r, 2);
  await r.tick();
  assert.equal(r.credit('alice'), 5_000_000n, 'not twice');
  // A restart that lost the scan position cannot double it either: the transfer's hash is the key.
  await r.restart();
  await r.tick();
  assert.equal(r.credit('alice'), 5_000_000n, 'not twice after a restart');
  // A second top-up adds up.
  await r.send(alice, 'spark-credit:alice', 2_500_000n);
  blocks(r, 4);
  await r.tick();
  assert.equal(r.credit('alice'), 7_500_000n);
});

test('a fork that moves a top-up credits it once at its new height; one that drops it credits nothing', async (t) => {
  const r = await rig(t);
  blocks(r, 4);
  const moved = await r.send(alice, 'spark-credit:alice', 3_000_000n);
  const dropped = await r.send(bob, 'spark-credit:bob', 4_000_000n);
  blocks(r, 1);
  const first = r.network.height();
  await r.tick();
  assert.equal(r.credit('alice') + r.credit('bob'), 0n);
  // Reincluded: back to the pool, harvested above its old height.
  r.network.fork({ depth: 1, mode: 'reinclude', replacementBlocks: 1 });
  blocks(r, 1);
  const second = r.network.height();
  assert.ok(second > first);
  blocks(r, 4);
  await r.tick();
  assert.equal(r.credit('alice'), 3_000_000n);
  assert.equal(r.store.creditedTopUp(moved)?.height, second, 'credited at the height it was finalized at');
  assert.equal(r.credit('bob'), 4_000_000n);
  // Dropped: the transfer is gone from every node before it was final.
  const gone = await r.send(bob, 'spark-credit:bob', 9_000_000n);
  blocks(r, 1);
  await r.tick();
  r.network.fork({ depth: 1, mode: 'drop', replacementBlocks: 2 });
  blocks(r, 4);
  await r.tick();
  await r.tick();
  assert.equal(r.credit('bob'), 4_000_000n, 'a dropped transfer is never credited');
  assert.equal(r.store.creditedTopUp(gone), undefined);
  assert.equal(r.store.creditedTopUp(dropped)?.client, 'bob');
});

test('a front that inflates amounts, hides transfers or invents one changes nothing', async (t) => {
  const r = await rig(t);
  const [honest, inflater, liar] = r.network.nodes;
  assert.ok(honest !== undefined && inflater !== undefined && liar !== undefined);
  blocks(r, 4);
  await r.send(alice, 'spark-credit:alice', 1_000_000n);
  blocks(r, 1);
  // An invented top-up: signed by bob, never announced, listed by one front in a real block.
  const client = createSymbolRestClient({ url: honest.url });
  const invented = buildTransfer({
    nowMs: await client.nodeTime(),
    signer: bob,
    recipient: r.operator,
    amount: 50_000_000n,
    text: 'spark-credit:bob',
  });
  liar.lies.inventTransfer(invented.bytes, r.network.height());
  inflater.lies.inflateTransferAmounts();
  honest.lies.hideTransfers();
  blocks(r, 4);
  await r.tick();
  assert.equal(r.credit('alice'), 1_000_000n, 'the amount signed, not the inflated one');
  assert.equal(r.credit('bob'), 0n, 'an invented transfer is not credited');
  assert.ok(
    r.lines.some((l) => l['check'] === 'transaction-hash' && l['node'] === inflater.url),
    'the inflating front is named',
  );
  assert.ok(
    r.lines.some(
      (l) => l['msg'] === 'a node listed a top-up that the quorum of nodes does not know: not credited',
    ),
  );
});

test('transfers that are not top-ups are ignored', async (t) => {
  const r = await rig(t, 1, 1);
  blocks(r, 4);
  await r.send(alice, 'hello');
  await r.send(alice, 'spark-credit:');
  await r.send(alice, 'Spark-credit:alice');
  await r.send(alice, 'spark-credit:al\u0007ice');
  await r.send(alice, 'spark-credit:alice', 0n);
  await r.send(bob, 'spark-credit:bob', 6_000_000n, addressOf(alice.publicKey.bytes, TESTNET));
  blocks(r, 5);
  await r.tick();
  assert.deepEqual(r.store.creditBalances(), [], 'nothing credited');
  assert.equal(r.store.creditScan(r.operator), r.network.finalizedHeight(), 'but the blocks were looked at');
  await r.send(alice, 'spark-credit: alice', 1_000_000n);
  await r.send(alice, 'spark-credit:carol@example', 1_000_000n);
  blocks(r, 4);
  await r.tick();
  assert.deepEqual(
    r.store.creditBalances().map((b) => [b.client, b.credited]),
    [
      [' alice', 1_000_000n],
      ['carol@example', 1_000_000n],
    ],
    'the name is taken as written: " alice" is not alice',
  );
});

test('top-ups inside an aggregate are credited once final, each by aggregate and index; an inflating front is named', async (t) => {
  const r = await rig(t);
  // The first front lies: it is the first asked for the aggregate, so its lie is met (and the next front asked).
  const [inflater] = r.network.nodes;
  assert.ok(inflater !== undefined);
  blocks(r, 4);
  // carol signs (as a multisig wallet's cosignatory would); alice and bob cosign their own transfers.
  const aggregate = await r.sendAggregate(carol, [
    { sender: alice, text: 'spark-credit:alice', amount: 2_000_000n },
    { sender: bob, text: 'spark-credit:bob', amount: 3_000_000n },
    { sender: alice, text: 'hello', amount: 1_000_000n },
    {
      sender: bob,
      text: 'spark-credit:bob',
      amount: 7_000_000n,
      recipient: addressOf(carol.publicKey.bytes, TESTNET),
    },
    { sender: alice, text: 'spark-credit:alice', amount: 500_000n },
  ]);
  blocks(r, 1);
  const height = r.network.height();
  inflater.lies.inflateTransferAmounts();
  // Another front says the aggregate carries a type no reader rebuilds: one node's word, not a quorum's.
  r.network.nodes[1]?.lies.disguiseAggregates();
  await r.tick();
  assert.equal(r.credit('alice') + r.credit('bob'), 0n, 'in a block, not final: nothing yet');
  blocks(r, 3);
  await r.tick();
  assert.equal(r.credit('alice'), 2_500_000n, "both of alice's top-ups, as signed");
  assert.equal(r.credit('bob'), 3_000_000n, "bob's transfer to another account is not his credit");
  assert.equal(r.store.creditedTopUp(embeddedTopUpId(aggregate, 0))?.height, height);
  assert.equal(r.store.creditedTopUp(embeddedTopUpId(aggregate, 4))?.client, 'alice');
  assert.equal(r.store.creditedTopUp(embeddedTopUpId(aggregate, 2)), undefined, 'no memo, no credit');
  assert.equal(
    r.store.creditedTopUp(aggregate),
    undefined,
    'keyed by aggregate and index, not by the aggregate',
  );
  await r.restart();
  await r.tick();
  blocks(r, 2);
  await r.tick();
  assert.equal(r.credit('alice'), 2_500_000n, 'not twice after a restart');
  assert.equal(r.credit('bob'), 3_000_000n);
  // The inflating front's aggregate did not hash: named, and its amounts never credited.
  assert.ok(
    r.lines.some(
      (l) => l['check'] === 'transaction-hash' && l['node'] === inflater.url && l['aggregate'] !== undefined,
    ),
    'the inflating front is named with the aggregate',
  );
});

test('an aggregate that also carries another transaction type credits nothing and is logged with its hash', async (t) => {
  const r = await rig(t, 1, 1);
  blocks(r, 4);
  const client = createSymbolRestClient({ url: r.network.nodes[0]?.url ?? '' });
  const mixed = buildAggregateTransfers({
    nowMs: await client.nodeTime(),
    signer: carol,
    transfers: [{ sender: bob, recipient: r.operator, amount: 1_000_000n, text: 'spark-credit:bob' }],
    metadataValue: new TextEncoder().encode('a note'),
  });
  await client.announce(mixed.bytes);
  await r.network.whenIdle();
  const version2 = await r.sendAggregate(carol, [
    { sender: alice, text: 'spark-credit:alice', amount: 4_000_000n },
  ]);
  blocks(r, 4);
  await r.tick();
  assert.equal(r.credit('bob'), 0n, 'not rebuilt, not credited');
  assert.ok(
    r.lines.some(
      (l) =>
        l['msg'] ===
          'an aggregate to the account carries other transactions than transfers: not credited (settle it by hand)' &&
        l['aggregate'] === mixed.hash.toLowerCase(),
    ),
  );
  assert.equal(r.credit('alice'), 4_000_000n, 'an aggregate of transfers alone, in the same rounds, is');
  assert.equal(r.store.creditedTopUp(embeddedTopUpId(version2, 0))?.client, 'alice');
  assert.equal(r.store.creditScan(r.operator), r.network.finalizedHeight(), 'the blocks were looked at');
});

test('a front that drops a cosignature (and fixes the Merkle component hash to match) is outvoted and named', async (t) => {
  const r = await rig(t);
  // The first front asked lies: one node's answer must not choose the component the observer looks for.
  const [liar] = r.network.nodes;
  assert.ok(liar !== undefined);
  liar.lies.dropCosignatures();
  blocks(r, 4);
  await r.sendAggregate(carol, [
    { sender: alice, text: 'spark-credit:alice', amount: 2_000_000n },
    { sender: bob, text: 'spark-credit:bob', amount: 1_000_000n },
  ]);
  blocks(r, 4);
  await r.tick();
  assert.equal(r.credit('alice'), 2_000_000n);
  assert.equal(r.credit('bob'), 1_000_000n);
  assert.ok(
    r.lines.some((l) => l['check'] === 'merkle-component-hash' && l['node'] === liar.url && l['aggregate']),
    'the front is named with the aggregate',
  );
});

test('a front that lists embedded top-ups under an aggregate no chain holds holds nothing up and is named', async (t) => {
  const r = await rig(t);
  const [liar] = r.network.nodes;
  assert.ok(liar !== undefined);
  liar.lies.renameEmbeddedAggregates();
  blocks(r, 4);
  await r.sendAggregate(carol, [{ sender: alice, text: 'spark-credit:alice', amount: 3_000_000n }]);
  blocks(r, 4);
  await r.tick();
  assert.equal(r.credit('alice'), 3_000_000n, 'the real aggregate, listed by the honest fronts, is credited');
  assert.equal(
    r.store.creditScan(r.operator),
    r.network.finalizedHeight(),
    'the scan moves past the phantom: it is not looked for again every round',
  );
  assert.ok(
    r.lines.some(
      (l) => l['msg'] === 'a node listed an aggregate that the quorum of nodes does not know: not credited',
    ),
  );
  assert.ok(r.lines.some((l) => l['check'] === 'transaction-hash' && l['node'] === liar.url && l['account']));
});
