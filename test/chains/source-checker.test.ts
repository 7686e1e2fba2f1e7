// The checker's verdicts on what an endpoint may answer, beyond what a healthy dev node shows: node errors and
// malformed answers are UNAVAILABLE (nothing is bound), a failed transaction, a log of another kind or from
// another contract is refused naming the field, Bitcoin's -5 is NOT_FOUND, a chain without endpoint is form only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonRpc } from '../../src/chains/json-rpc.ts';
import { createSourceChecker, ERC20_TRANSFER_TOPIC } from '../../src/chains/source-checker.ts';
import { RequestError } from '../../src/errors/request-error.ts';
import type { SourceReference } from '../../src/proof/bundle/source-reference.ts';

const TOKEN = `0x${'7a'.repeat(20)}`;
const TX = new Uint8Array(32).fill(0x5e);
const BLOCK_HASH = `0x${'b1'.repeat(32)}`;

/** An endpoint answering each method from a table (a function of the params), recording the calls. */
function endpoint(
  answers: Record<string, (params: readonly unknown[]) => Awaited<ReturnType<JsonRpc['call']>>>,
) {
  const calls: Array<[string, readonly unknown[]]> = [];
  const rpc: JsonRpc = {
    async call(method, params) {
      calls.push([method, params]);
      const a = answers[method];
      if (a === undefined) return { error: { code: -32601, message: 'Method not found' } };
      return a(params);
    },
  };
  return { rpc, calls };
}

const jpyc = (logIndex: number): SourceReference => ({
  kind: 'jpyc',
  chain: 'ethereum',
  txHash: TX,
  logIndex,
});
const receiptWith = (logs: unknown[], extra: Record<string, unknown> = {}) => ({
  result: { blockNumber: '0x10', blockHash: BLOCK_HASH, status: '0x1', logs, ...extra },
});
const transferLog = (logIndex: string, address = TOKEN, topics = [ERC20_TRANSFER_TOPIC, 'a', 'b']) => ({
  logIndex,
  address,
  topics,
});

async function refusedWith(p: Promise<unknown>, code: RequestError['code'], field: string, message: RegExp) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof RequestError, String(e));
    assert.equal(e.code, code, e.message);
    assert.equal(e.field, field);
    assert.match(e.message, message);
    return true;
  });
}

test('a JPYC transfer is bound with its block only when the log at that index is a Transfer from the contract', async () => {
  const { rpc, calls } = endpoint({
    eth_getTransactionReceipt: () =>
      receiptWith([
        transferLog('0x3', `0x${'99'.repeat(20)}`),
        transferLog('0x4', TOKEN, [
          '0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925',
          'a',
          'b',
        ]),
        transferLog('0x5', TOKEN.toUpperCase().replace('0X', '0x')),
      ]),
  });
  const checker = createSourceChecker({ evm: { ethereum: rpc }, jpycContracts: { ethereum: TOKEN } });
  const ok = await checker.check(jpyc(5));
  assert.equal(ok.block?.number, 16n);
  assert.equal(Buffer.from(ok.block?.hash ?? []).toString('hex'), 'b1'.repeat(32));
  assert.deepEqual(calls[0], ['eth_getTransactionReceipt', [`0x${'5e'.repeat(32)}`]]);
  await refusedWith(
    checker.check(jpyc(3)),
    'SOURCE_MISMATCH',
    'source.log_index',
    /emitted by 0x9999.*not the JPYC contract/,
  );
  await refusedWith(
    checker.check(jpyc(4)),
    'SOURCE_MISMATCH',
    'source.log_index',
    /is not an ERC-20 Transfer event/,
  );
  await refusedWith(
    checker.check(jpyc(6)),
    'SOURCE_MISMATCH',
    'source.log_index',
    /no log with index 6 \(its logs: 3, 4, 5\)/,
  );
});

test('a failed transaction is refused; node errors and malformed receipts are UNAVAILABLE', async () => {
  const reverted = endpoint({ eth_getTransactionReceipt: () => receiptWith([], { status: '0x0' }) });
  const eth: SourceReference = { kind: 'ethereum', chain: 'ethereum', txHash: TX, logIndex: 0 };
  await refusedWith(
    createSourceChecker({ evm: { ethereum: reverted.rpc }, jpycContracts: {} }).check(eth),
    'SOURCE_MISMATCH',
    'source.tx_hash',
    /failed \(status 0\) in block 16/,
  );
  const limited = endpoint({
    eth_getTransactionReceipt: () => ({ error: { code: -32005, message: 'daily request count exceeded' } }),
  });
  await refusedWith(
    createSourceChecker({ evm: { ethereum: limited.rpc }, jpycContracts: {} }).check(eth),
    'SOURCE_UNAVAILABLE',
    'source',
    /ethereum endpoint: eth_getTransactionReceipt answered error -32005 daily request count exceeded/,
  );
  for (const bad of [{ blockNumber: 'sixteen' }, { blockHash: '0x12' }, { blockNumber: null }]) {
    const malformed = endpoint({ eth_getTransactionReceipt: () => receiptWith([], bad) });
    await refusedWith(
      createSourceChecker({ evm: { ethereum: malformed.rpc }, jpycContracts: {} }).check(eth),
      'SOURCE_UNAVAILABLE',
      'source',
      /malformed receipt/,
    );
  }
  const down: JsonRpc = {
    call: async () => {
      throw new Error('127.0.0.1:1: unreachable');
    },
  };
  await refusedWith(
    createSourceChecker({ evm: { ethereum: down }, jpycContracts: {} }).check(eth),
    'SOURCE_UNAVAILABLE',
    'source',
    /ethereum endpoint: 127\.0\.0\.1:1: unreachable/,
  );
});

test('Bitcoin: -5 is NOT_FOUND, another node error (warming up) UNAVAILABLE, a bad header height UNAVAILABLE', async () => {
  const btc: SourceReference = { kind: 'bitcoin', chain: 'none', txHash: TX, logIndex: 0 };
  const verdict = (answers: Parameters<typeof endpoint>[0]) =>
    createSourceChecker({ evm: {}, bitcoin: endpoint(answers).rpc, jpycContracts: {} }).check(btc);
  await refusedWith(
    verdict({
      getrawtransaction: () => ({
        error: { code: -5, message: 'No such mempool or blockchain transaction' },
      }),
    }),
    'SOURCE_NOT_FOUND',
    'source.tx_hash',
    /not known to the Bitcoin node/,
  );
  await refusedWith(
    verdict({ getrawtransaction: () => ({ error: { code: -28, message: 'Loading block index…' } }) }),
    'SOURCE_UNAVAILABLE',
    'source',
    /answered error -28 Loading block index/,
  );
  await refusedWith(
    verdict({
      getrawtransaction: () => ({ result: { blockhash: 'ab'.repeat(32), confirmations: 2 } }),
      getblockheader: () => ({ result: { height: -1 } }),
    }),
    'SOURCE_UNAVAILABLE',
    'source',
    /malformed result: height is not a quantity/,
  );
  const found = await verdict({
    getrawtransaction: (p) => ({
      result: { txid: p[0], blockhash: `00${'ab'.repeat(31)}`, confirmations: 2 },
    }),
    getblockheader: () => ({ result: { height: 840_000 } }),
  });
  assert.equal(found.block?.number, 840_000n);
  assert.equal(
    Buffer.from(found.block?.hash ?? []).toString('hex'),
    `${'ab'.repeat(31)}00`,
    'internal byte order',
  );
});

test('chains without an endpoint, and Symbol, are bound in form only; a JPYC chain without contract is uncheckable', async () => {
  const { rpc, calls } = endpoint({});
  const checker = createSourceChecker({ evm: { ethereum: rpc }, jpycContracts: {} });
  const polygon: SourceReference = { kind: 'ethereum', chain: 'polygon', txHash: TX, logIndex: 0 };
  const symbol: SourceReference = { kind: 'symbol', chain: 'none', txHash: TX, logIndex: 0 };
  const bitcoin: SourceReference = { kind: 'bitcoin', chain: 'none', txHash: TX, logIndex: 0 };
  assert.deepEqual(await checker.check(polygon), polygon);
  assert.deepEqual(await checker.check(symbol), symbol);
  assert.deepEqual(await checker.check(bitcoin), bitcoin);
  assert.equal(calls.length, 0);
  const withReceipt = endpoint({ eth_getTransactionReceipt: () => receiptWith([transferLog('0x0')]) });
  await refusedWith(
    createSourceChecker({ evm: { ethereum: withReceipt.rpc }, jpycContracts: {} }).check(jpyc(0)),
    'SOURCE_UNCHECKABLE',
    'source.chain',
    /no JPYC contract is configured for ethereum \(SPARK_JPYC_CONTRACTS\)/,
  );
});

test('required confirmations: fewer is FAILED_PRECONDITION naming the count (retry later), enough binds the block', async () => {
  const eth: SourceReference = { kind: 'ethereum', chain: 'ethereum', txHash: TX, logIndex: 0 };
  // The receipt's block is 0x10 (16); the head moves from 17 to 27 between the two checks.
  let head = 17;
  const { rpc, calls } = endpoint({
    eth_getTransactionReceipt: () => receiptWith([]),
    eth_blockNumber: () => ({ result: `0x${head.toString(16)}` }),
  });
  const checker = createSourceChecker({
    evm: { ethereum: rpc },
    jpycContracts: {},
    minConfirmations: { ethereum: 12 },
  });
  await refusedWith(
    checker.check(eth),
    'SOURCE_PENDING',
    'source.tx_hash',
    /^source\.tx_hash: transaction 0x5e5e.* has 2 confirmations on ethereum, 12 required \(SPARK_CHAIN_MIN_CONFIRMATIONS\)/,
  );
  head = 27;
  assert.equal((await checker.check(eth)).block?.number, 16n);
  // A head behind the receipt's block (another backend of a load-balanced endpoint) reads as 0, never as many.
  head = 3;
  await refusedWith(checker.check(eth), 'SOURCE_PENDING', 'source.tx_hash', /has 0 confirmations/);
  // With the default (1: in any block) the head is not asked.
  const once = endpoint({ eth_getTransactionReceipt: () => receiptWith([]) });
  await createSourceChecker({ evm: { ethereum: once.rpc }, jpycContracts: {} }).check(eth);
  assert.deepEqual(
    once.calls.map((c) => c[0]),
    ['eth_getTransactionReceipt'],
  );
  assert.ok(calls.some((c) => c[0] === 'eth_blockNumber'));
  const badHead = endpoint({
    eth_getTransactionReceipt: () => receiptWith([]),
    eth_blockNumber: () => ({ result: 'soon' }),
  });
  await refusedWith(
    createSourceChecker({
      evm: { ethereum: badHead.rpc },
      jpycContracts: {},
      minConfirmations: { ethereum: 2 },
    }).check(eth),
    'SOURCE_UNAVAILABLE',
    'source',
    /eth_blockNumber is not a quantity/,
  );

  const btc: SourceReference = { kind: 'bitcoin', chain: 'none', txHash: TX, logIndex: 0 };
  const bitcoin = (confirmations: unknown) =>
    createSourceChecker({
      evm: {},
      bitcoin: endpoint({
        getrawtransaction: () => ({ result: { blockhash: 'ab'.repeat(32), confirmations } }),
        getblockheader: () => ({ result: { height: 840_000 } }),
      }).rpc,
      jpycContracts: {},
      minConfirmations: { bitcoin: 6 },
    }).check(btc);
  await refusedWith(
    bitcoin(1),
    'SOURCE_PENDING',
    'source.tx_hash',
    /has 1 confirmation on bitcoin, 6 required/,
  );
  assert.equal((await bitcoin(6)).block?.number, 840_000n);
  await refusedWith(bitcoin(undefined), 'SOURCE_UNAVAILABLE', 'source', /confirmations is not a quantity/);
});
