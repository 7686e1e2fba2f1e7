// The Symbol REST client against the test double: shapes parsed, outages and slowness become typed errors.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createSymbolRestClient, parseUint, SymbolNodeError } from '../../src/anchor/symbol/rest-client.ts';
import { type SymbolTestNode, startSymbolTestNode } from '../fakes/symbol-node/symbol-test-node.ts';

let node: SymbolTestNode;
before(async () => {
  node = await startSymbolTestNode({ blockIntervalMs: 0, finalizationLagBlocks: 2 });
});
after(async () => {
  await node?.close();
});

test('reads node info, time, chain, properties and fees', async () => {
  const c = createSymbolRestClient({ url: node.url, timeoutMs: 5000 });
  const info = await c.nodeInfo();
  assert.equal(info.networkIdentifier, 0x98);
  assert.equal(
    Buffer.from(info.generationHashSeed).toString('hex').toUpperCase(),
    node.networkGenerationHashSeed,
  );
  assert.ok((await c.nodeTime()) > 0n);
  const props = await c.networkProperties();
  assert.equal(props.maxMessageSize, 1024);
  assert.equal(props.maxTransactionsPerAggregate, 100);
  const fees = await c.fees();
  assert.ok(fees.median >= fees.minimum && fees.minimum > 0);
  const chain = await c.chainInfo();
  assert.ok(chain.height >= chain.finalizedHeight);
  assert.equal(await c.transactionStatus(new Uint8Array(32)), undefined, 'unknown hash: 404 is undefined');
  assert.equal(await c.confirmed(new Uint8Array(32)), undefined);
});

test('a node that is down is UNAVAILABLE, a slow one TIMEOUT', async () => {
  const c = createSymbolRestClient({ url: node.url, timeoutMs: 300 });
  await node.faults.down();
  try {
    await assert.rejects(
      c.chainInfo(),
      (e: unknown) => e instanceof SymbolNodeError && e.code === 'UNAVAILABLE',
    );
  } finally {
    await node.faults.up();
  }
  node.faults.slow(1000);
  try {
    await assert.rejects(c.chainInfo(), (e: unknown) => e instanceof SymbolNodeError && e.code === 'TIMEOUT');
  } finally {
    node.faults.clear();
  }
  assert.ok((await c.chainInfo()).height > 0n, 'back to normal');
});

test("uint64 fields accept REST's separators and refuse anything else", () => {
  assert.equal(parseUint("1'024", 'x'), 1024n);
  assert.equal(parseUint('18446744073709551615', 'x'), 18446744073709551615n);
  for (const bad of ['-1', '1.5', '', 'abc', null, {}]) {
    assert.throws(
      () => parseUint(bad, 'field'),
      (e: unknown) => e instanceof SymbolNodeError && /field/.test(e.message),
    );
  }
});

test('metadata: an unknown entry is undefined; malformed arguments are refused before any call', async () => {
  const c = createSymbolRestClient({ url: node.url, timeoutMs: 5000 });
  const address = 'TAV7UDTSSTFV6NCBT5LFLLDJGK3KZVFSYW2ICAQ';
  assert.equal(await c.metadata(address, address, '0123456789ABCDEF'), undefined);
  await assert.rejects(
    c.metadata(address, address, 'not-hex'),
    (e: unknown) => e instanceof SymbolNodeError && e.code === 'INVALID_ARGUMENT',
  );
});
