// The Arweave publisher against the gateway test double (test/fakes/arweave-gateway): a bundle posted as a signed,
// tagged data transaction, tracked to its confirmations and read back byte-identical; a gateway that is down,
// drops a transaction, answers garbage or overprices; the double refusing what a gateway refuses.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import Arweave from 'arweave';
import type { JWKInterface } from 'arweave/node/lib/wallet.js';
import { arweavePublisher, BUNDLE_CONTENT_TYPE, servesCid } from '../../src/arweave/arweave-publisher.ts';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { cidOf } from '../../src/ipfs/cid.ts';
import { toHex } from '../../src/proof/encoding/bytes.ts';
import {
  type ArweaveGatewayDouble,
  doublePrice,
  startArweaveGatewayDouble,
} from '../fakes/arweave-gateway/arweave-gateway.ts';

const arweave = Arweave.init({});
let wallet: JWKInterface;
let gateway: ArweaveGatewayDouble;
const logId = new Uint8Array(32).fill(7);
const signal = () => AbortSignal.timeout(10_000);
const publisher = (maxReward = 10n ** 12n) =>
  arweavePublisher({ url: gateway.url, wallet, logId, confirmations: 2, maxReward });
const bundle = () => {
  const bytes = new Uint8Array(randomBytes(4000));
  return { bytes, cid: cidOf(bytes, nativeSha256) };
};

before(async () => {
  wallet = await arweave.wallets.generate();
  gateway = await startArweaveGatewayDouble();
});
after(() => gateway.close());

test('a bundle is posted as a signed data transaction with its tags, confirmed, and served back byte-identical', async () => {
  const { bytes, cid } = bundle();
  const p = publisher();
  const started = await p.start(cid, bytes, signal());
  assert.equal(started.done, false);
  const id = started.done ? '' : started.requestId;
  const tx = gateway.transactions().find((t) => t.id === id);
  assert.ok(tx, 'the gateway accepted it');
  assert.deepEqual(tx.tags, [
    ['Content-Type', BUNDLE_CONTENT_TYPE],
    ['App-Name', 'spark-processor'],
    ['Spark-CID', cid],
    ['Spark-Log-Id', toHex(logId)],
  ]);
  assert.equal(tx.owner, await arweave.wallets.jwkToAddress(wallet));
  assert.equal(tx.reward, doublePrice(bytes.length));
  assert.equal(await p.poll?.(id, signal(), cid), 'pending', 'not mined yet');
  gateway.mine(1);
  assert.equal(await p.poll?.(id, signal(), cid), 'pending', 'one confirmation of the two asked');
  gateway.mine(1);
  assert.equal(await p.poll?.(id, signal(), cid), 'pinned');
  const served = new Uint8Array(await (await fetch(`${gateway.url}/${id}`)).arrayBuffer());
  assert.deepEqual(served, bytes);
  assert.ok(servesCid(served, cid));
  assert.ok(!servesCid(served.subarray(1), cid));
});

test('a dropped transaction polls as failed; the next start posts a new one that confirms', async () => {
  const { bytes, cid } = bundle();
  const p = publisher();
  gateway.faults.dropNext = 1;
  const first = await p.start(cid, bytes, signal());
  const firstId = first.done ? '' : first.requestId;
  assert.equal(await p.poll?.(firstId, signal(), cid), 'failed');
  const second = await p.start(cid, bytes, signal());
  const secondId = second.done ? '' : second.requestId;
  assert.notEqual(secondId, firstId);
  gateway.mine(2);
  assert.equal(await p.poll?.(secondId, signal(), cid), 'pinned');
});

test('a gateway that is down: start fails with the status, poll keeps waiting instead of paying twice', async () => {
  const { bytes, cid } = bundle();
  const p = publisher();
  const started = await p.start(cid, bytes, signal());
  const id = started.done ? '' : started.requestId;
  gateway.faults.down = true;
  try {
    await assert.rejects(p.start(cid, bytes, signal()), /arweave GET \/tx_anchor: HTTP 503/);
    assert.equal(await p.poll?.(id, signal(), cid), 'pending');
  } finally {
    gateway.faults.down = false;
  }
  const closed = arweavePublisher({
    url: 'http://127.0.0.1:9',
    wallet,
    logId,
    confirmations: 1,
    maxReward: 10n ** 12n,
  });
  await assert.rejects(closed.start(cid, bytes, signal()), /arweave GET \/tx_anchor: /);
  assert.equal(await closed.poll?.(id, signal(), cid), 'pending');
});

test('garbage answers are refused: the anchor, the status, and bytes that are not the bundle', async () => {
  const { bytes, cid } = bundle();
  const p = publisher();
  const started = await p.start(cid, bytes, signal());
  const id = started.done ? '' : started.requestId;
  gateway.mine(2);
  gateway.faults.garbage = true;
  try {
    await assert.rejects(p.start(cid, bytes, signal()), /not a block or transaction id/);
    await assert.rejects(
      p.poll?.(id, signal(), cid) ?? Promise.resolve(),
      /not JSON|not a transaction status/,
    );
  } finally {
    gateway.faults.garbage = false;
  }
  // Served bytes that are not the bundle's: the status is fine, the data is another bundle's.
  const other = bundle();
  await assert.rejects(
    p.poll?.(id, signal(), other.cid) ?? Promise.resolve(),
    /serves other bytes than the bundle/,
  );
});

test('a price above SPARK_ARWEAVE_MAX_REWARD is refused before anything is signed or posted', async () => {
  const { bytes, cid } = bundle();
  const before = gateway.transactions().length;
  gateway.faults.price = 10n ** 15n;
  try {
    await assert.rejects(
      publisher(10n ** 9n).start(cid, bytes, signal()),
      /above SPARK_ARWEAVE_MAX_REWARD \(1000000000\)/,
    );
  } finally {
    gateway.faults.price = undefined;
  }
  assert.equal(gateway.transactions().length, before);
});

test('the double refuses what a gateway refuses: a changed tag or data after signing, an old anchor, a low reward', async () => {
  const { bytes } = bundle();
  const anchor = await (await fetch(`${gateway.url}/tx_anchor`)).text();
  const make = async (edit: (json: Record<string, unknown>) => void, reward = doublePrice(bytes.length)) => {
    const tx = await arweave.createTransaction(
      { data: bytes, last_tx: anchor, reward: String(reward) },
      wallet,
    );
    tx.addTag('Spark-CID', 'x');
    await arweave.transactions.sign(tx, wallet);
    const json = tx.toJSON() as unknown as Record<string, unknown>;
    edit(json);
    const res = await fetch(`${gateway.url}/tx`, { method: 'POST', body: JSON.stringify(json) });
    return { status: res.status, text: await res.text() };
  };
  assert.deepEqual(await make(() => undefined), { status: 200, text: 'OK' });
  const changedTag = await make((j) => {
    (j['tags'] as Array<Record<string, string>>)[0] = { name: 'U3BhcmstQ0lE', value: 'eQ' };
  });
  assert.deepEqual(changedTag, { status: 400, text: 'invalid signature or id' });
  const changedData = await make((j) => {
    j['data'] = Buffer.from(randomBytes(bytes.length)).toString('base64url');
  });
  assert.deepEqual(changedData, { status: 400, text: 'data_root does not match the data' });
  assert.deepEqual(await make(() => undefined, doublePrice(bytes.length) - 1n), {
    status: 400,
    text: 'reward below the price',
  });
  gateway.mine(60);
  const stale = await make(() => undefined);
  assert.deepEqual(stale, { status: 400, text: 'anchor (last_tx) not recent' });
});

test('no error or transaction carries the wallet private key', async () => {
  const { bytes, cid } = bundle();
  const secrets = [wallet.d, wallet.p, wallet.q, wallet.dp, wallet.dq, wallet.qi].filter(
    (x): x is string => x !== undefined,
  );
  const messages: string[] = [];
  gateway.faults.price = 10n ** 15n;
  await publisher(1n)
    .start(cid, bytes, signal())
    .catch((e: Error) => messages.push(e.message));
  gateway.faults.price = undefined;
  gateway.faults.down = true;
  await publisher()
    .start(cid, bytes, signal())
    .catch((e: Error) => messages.push(e.message));
  gateway.faults.down = false;
  const posted = JSON.stringify(
    gateway.transactions().map((t) => ({ ...t, reward: String(t.reward), data: toHex(t.data) })),
  );
  for (const s of secrets) {
    for (const m of messages) assert.ok(!m.includes(s));
    assert.ok(!posted.includes(s));
  }
  assert.equal(messages.length, 2);
});
