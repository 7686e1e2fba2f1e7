// Other-chain references (SPEC §9) against a real local Ethereum node (ganache, started by the test) and a loopback
// server speaking Bitcoin Core's JSON-RPC: an ETH transfer and an ERC-20 ("JPYC-style", compiled with solc)
// transfer are accepted by reference and bound with their block into the verified leaf; a non-existent hash, a
// wrong log index, a log of another kind, too few confirmations, an unconfirmed or unknown Bitcoin transaction and a
// node that is down are refused with errors naming the field; tampering with the bound reference breaks verification.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { create, toBinary } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import solc from 'solc';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { ProofBundleSchema } from '../../src/gen/spark/v1/bundle_pb.js';
import { SourceChain, SourceKind, SourceReferenceSchema } from '../../src/gen/spark/v1/processor_pb.js';
import { decodeLeafEntry } from '../../src/proof/bundle/leaf.ts';
import { verifyBundle } from '../../src/proof/bundle/verify.ts';
import { clientsFor } from '../anchoring/support.ts';
import {
  NODE,
  ROOT,
  runCli,
  type ServerProcess,
  startServerProcess,
  tempDir,
} from '../support/spawn-server.ts';

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

/** One JSON-RPC call to the dev node (test side). */
async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(20_000),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

const word = (hex: string): string => hex.replace(/^0x/, '').padStart(64, '0');

interface Receipt {
  blockNumber: string;
  blockHash: string;
  contractAddress: string | null;
  logs: Array<{ logIndex: string; address: string }>;
}

async function send(url: string, tx: Record<string, string>): Promise<Receipt> {
  const hash = (await rpc(url, 'eth_sendTransaction', [tx])) as string;
  return { ...((await rpc(url, 'eth_getTransactionReceipt', [hash])) as Receipt), hash } as Receipt & {
    hash: string;
  };
}

/** Bitcoin Core's JSON-RPC shapes: getrawtransaction (verbose) and getblockheader, behind basic auth. */
function startBitcoinDouble(auth: string, known: Map<string, { blockhash?: string; height?: number }>) {
  const calls: string[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString()) as {
      id: unknown;
      method: string;
      params: unknown[];
    };
    calls.push(body.method);
    const answer = (result: unknown, error: unknown = null, status = 200) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ result, error, id: body.id }));
    };
    if (req.headers.authorization !== `Basic ${Buffer.from(auth).toString('base64')}`) {
      res.writeHead(401).end();
      return;
    }
    if (body.method === 'getrawtransaction') {
      const tx = known.get(String(body.params[0]));
      if (tx === undefined || body.params[1] !== true) {
        answer(
          null,
          {
            code: -5,
            message: 'No such mempool or blockchain transaction. Use gettransaction for wallet transactions.',
          },
          500,
        );
        return;
      }
      answer({
        txid: body.params[0],
        ...(tx.blockhash === undefined ? {} : { blockhash: tx.blockhash, confirmations: 6 }),
      });
    } else if (body.method === 'getblockheader') {
      const tx = [...known.values()].find((t) => t.blockhash === body.params[0]);
      if (tx === undefined) answer(null, { code: -5, message: 'Block not found' }, 500);
      else answer({ hash: body.params[0], height: tx.height });
    } else answer(null, { code: -32601, message: 'Method not found' }, 404);
  });
  return new Promise<{ url: string; calls: string[]; close: () => Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/`,
        calls,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

const BTC_TXID = 'f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16';
const BTC_BLOCK = '00000000d1145790a8694403d4063f323d499e655c83426834d4ce2f8dd4a2ee';
const BTC_MEMPOOL = 'aa'.repeat(32);

describe('other-chain references', () => {
  const dir = tempDir('spark-chains-');
  let ganache: ChildProcess | undefined;
  let eth = '';
  let bitcoin: Awaited<ReturnType<typeof startBitcoinDouble>>;
  let server: ServerProcess;
  let account = '';
  let token = '';
  let ethTx: Receipt & { hash: string };
  let transferTx: Receipt & { hash: string };
  let transferLog = 0;
  let otherTransferTx: Receipt & { hash: string };
  let startMs = 0;

  before(async () => {
    const port = await freePort();
    const t = performance.now();
    ganache = spawn(
      NODE,
      [
        join(ROOT, 'node_modules/ganache/dist/node/cli.js'),
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--wallet.deterministic',
        '--logging.quiet',
        '--chain.chainId',
        '1337',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    eth = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 150; i++) {
      try {
        await rpc(eth, 'eth_chainId');
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    startMs = performance.now() - t;
    account = ((await rpc(eth, 'eth_accounts')) as string[])[0] as string;
    const other = ((await rpc(eth, 'eth_accounts')) as string[])[1] as string;
    ethTx = (await send(eth, { from: account, to: other, value: '0xde0b6b3a7640000' })) as Receipt & {
      hash: string;
    };

    const compiled = JSON.parse(
      solc.compile(
        JSON.stringify({
          language: 'Solidity',
          sources: {
            'T.sol': { content: readFileSync(join(ROOT, 'test/chains/JpycStyleToken.sol'), 'utf8') },
          },
          // ganache 7.9 runs the Shanghai EVM: newer opcodes a later default target may use would not run.
          settings: { evmVersion: 'shanghai', outputSelection: { '*': { '*': ['evm.bytecode.object'] } } },
        }),
      ),
    ) as { contracts: { 'T.sol': { JpycStyleToken: { evm: { bytecode: { object: string } } } } } };
    const bytecode = compiled.contracts['T.sol'].JpycStyleToken.evm.bytecode.object;
    const deploy = async () =>
      (
        (
          await send(eth, {
            from: account,
            data: `0x${bytecode}${word(`0x${(10n ** 24n).toString(16)}`)}`,
            gas: '0x2dc6c0',
          })
        ).contractAddress as string
      ).toLowerCase();
    // transfer(address,uint256): the Transfer log of this transaction is the one referenced.
    const transfer = async (contract: string) =>
      (await send(eth, {
        from: account,
        to: contract,
        data: `0xa9059cbb${word(other)}${word('0x3b9aca00')}`,
        gas: '0x30d40',
      })) as Receipt & { hash: string };
    token = await deploy();
    transferTx = await transfer(token);
    transferLog = Number.parseInt(transferTx.logs[0]?.logIndex ?? 'x', 16);
    // The same token deployed again: its Transfer logs are a real ERC-20's, but not from the configured contract.
    const otherToken = await deploy();
    otherTransferTx = await transfer(otherToken);

    const authFile = join(dir.path, 'bitcoin-auth');
    writeFileSync(authFile, 'spark:s3cret-rpc-password\n', { mode: 0o600 });
    bitcoin = await startBitcoinDouble(
      'spark:s3cret-rpc-password',
      new Map([
        [BTC_TXID, { blockhash: BTC_BLOCK, height: 170 }],
        [BTC_MEMPOOL, {}],
      ]),
    );
    server = await startServerProcess({
      dataDir: join(dir.path, 'data'),
      env: {
        SPARK_ETHEREUM_RPC_URL: eth,
        // The same dev node stands for Polygon, with no JPYC contract configured there, and 3 confirmations
        // required: the first transaction (5 blocks deep) has them, the last one (the head) does not.
        SPARK_POLYGON_RPC_URL: eth,
        SPARK_CHAIN_MIN_CONFIRMATIONS: 'polygon:3',
        SPARK_JPYC_CONTRACTS: `ethereum:${token}`,
        SPARK_BITCOIN_RPC_URL: bitcoin.url,
        SPARK_BITCOIN_RPC_AUTH_FILE: authFile,
        SPARK_CHAIN_RPC_TIMEOUT_MS: '3000',
      },
      timeoutMs: 60_000,
    });
  });

  after(async () => {
    await server?.stop();
    await bitcoin?.close();
    if (ganache !== undefined && ganache.exitCode === null && ganache.signalCode === null) {
      const exited = new Promise((r) => ganache?.once('exit', r));
      ganache.kill('SIGTERM');
      const timer = setTimeout(() => ganache?.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    console.log(`chains: ganache answered after ${startMs.toFixed(0)} ms`);
    dir.cleanup();
  });

  const ref = (kind: SourceKind, txHash: string, logIndex = 0, chain = SourceChain.UNSPECIFIED) =>
    create(SourceReferenceSchema, { kind, txHash, logIndex, chain });
  const digest = (n: number) => new Uint8Array(32).fill(n);

  async function refused(source: ReturnType<typeof ref>, code: Code, message: RegExp): Promise<void> {
    const { client } = clientsFor(server.port);
    await assert.rejects(
      client.submit({ payload: { case: 'digest', value: digest(0x77) }, source }),
      (e: unknown) => {
        const err = ConnectError.from(e);
        assert.equal(Code[err.code], Code[code], err.rawMessage);
        assert.match(err.rawMessage, message);
        return true;
      },
    );
  }

  test('an ETH transfer, a JPYC-style ERC-20 transfer and a Bitcoin transaction are bound with their blocks and verify', async () => {
    const { client, admin } = clientsFor(server.port);
    const subs = [
      {
        d: digest(1),
        source: ref(SourceKind.ETHEREUM_TX, ethTx.hash, 0, SourceChain.ETHEREUM),
        block: ethTx,
      },
      {
        d: digest(2),
        source: ref(SourceKind.JPYC_TRANSFER, transferTx.hash, transferLog, SourceChain.ETHEREUM),
        block: transferTx,
      },
      { d: digest(3), source: ref(SourceKind.BITCOIN_TX, BTC_TXID), block: undefined },
    ];
    const leaves = [];
    for (const s of subs) {
      leaves.push(
        (await client.submit({ payload: { case: 'digest', value: s.d }, source: s.source })).receipt
          ?.leafHash as Uint8Array,
      );
    }
    // Without a reference, the same digest is another leaf.
    const plain = (await client.submit({ payload: { case: 'digest', value: digest(1) } })).receipt
      ?.leafHash as Uint8Array;
    assert.notDeepEqual(plain, leaves[0]);
    await admin.sealNow({});
    for (const [i, s] of subs.entries()) {
      const proof = await client.prove({ leafHash: leaves[i] as Uint8Array });
      const bytes = toBinary(ProofBundleSchema, proof.bundle as never);
      const report = verifyBundle(bytes, {
        verifier: createNativeVerifier(),
        sha256: nativeSha256,
        digest: s.d,
      });
      assert.equal(report.valid, true, JSON.stringify(report.checks.filter((c) => !c.ok)));
      const entry = decodeLeafEntry(proof.bundle?.leaf?.entry as Uint8Array);
      assert.ok(typeof entry !== 'string' && entry.source !== undefined, 'a version-2 entry with its source');
      if (s.block !== undefined) {
        assert.equal(entry.source.block?.number, BigInt(s.block.blockNumber));
        assert.equal(Buffer.from(entry.source.block?.hash ?? []).toString('hex'), s.block.blockHash.slice(2));
      } else {
        assert.equal(entry.source.block?.number, 170n);
        assert.equal(
          Buffer.from(entry.source.block?.hash ?? [])
            .reverse()
            .toString('hex'),
          BTC_BLOCK,
        );
      }
      const leafCheck = report.checks.find((c) => c.name === 'leaf')?.detail ?? '';
      assert.match(
        leafCheck,
        /source: (Ethereum transaction 0x|JPYC transfer on ethereum 0x|Bitcoin transaction f4184fc5)/,
      );
      // Changing any byte of the bound reference (kind, chain, hash, log index, block) breaks the proof.
      const start = Buffer.from(bytes).indexOf(Buffer.from(proof.bundle?.leaf?.entry as Uint8Array)) + 34;
      for (let at = start; at < start + 79; at++) {
        const tampered = Buffer.from(bytes);
        tampered[at] = (tampered[at] as number) ^ 0x01;
        const r = verifyBundle(tampered, { verifier: createNativeVerifier(), sha256: nativeSha256 });
        assert.equal(r.valid, false, `source byte ${at - start}`);
        assert.equal(r.checks.find((c) => !c.ok)?.name, 'leaf', `source byte ${at - start}`);
      }
    }
    // The same digest and reference again is the same leaf: a duplicate with the first receipt.
    const again = await client.submit({
      payload: { case: 'digest', value: digest(2) },
      source: subs[1]?.source,
    });
    assert.equal(again.receipt?.duplicate, true);
    assert.deepEqual(again.receipt?.leafHash, leaves[1]);
    // The CLI shows it too.
    const file = join(dir.path, 'jpyc.spark');
    writeFileSync(
      file,
      toBinary(
        ProofBundleSchema,
        (await client.prove({ leafHash: leaves[1] as Uint8Array })).bundle as never,
      ),
    );
    const cli = await runCli(['verify', file]);
    assert.equal(cli.code, 0, cli.stdout + cli.stderr);
    assert.match(
      cli.stdout,
      new RegExp(
        `source: JPYC transfer on ethereum ${transferTx.hash} log ${transferLog}, in block ${Number(transferTx.blockNumber)}`,
      ),
    );
    const shown = await runCli(['inspect', file, '--json']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.deepEqual(JSON.parse(shown.stdout).leaf.source, {
      kind: 'jpyc',
      chain: 'ethereum',
      txHash: transferTx.hash,
      logIndex: transferLog,
      block: { number: String(Number(transferTx.blockNumber)), hash: transferTx.blockHash },
      summary: `JPYC transfer on ethereum ${transferTx.hash} log ${transferLog}, in block ${Number(transferTx.blockNumber)} (${transferTx.blockHash})`,
    });
  });

  test('spark submit takes the reference flags; a refusal by the server comes back naming the field', async () => {
    const submit = (...flags: string[]) =>
      runCli(['submit', ...flags, '--server', `127.0.0.1:${server.port}`]);
    const jpycFlag = `ethereum:${transferTx.hash}:${transferLog}`;
    for (const duplicate of [false, true]) {
      const sub = await submit('--digest', '0a'.repeat(32), '--jpyc', jpycFlag, '--json');
      assert.equal(sub.code, 0, sub.stderr);
      assert.equal((JSON.parse(sub.stdout) as { duplicate: boolean }).duplicate, duplicate);
    }
    const ethSub = await submit('--digest', '0b'.repeat(32), '--ethereum-tx', ethTx.hash);
    assert.equal(ethSub.code, 0, ethSub.stderr);
    const btc = await submit('--text', 'x', '--bitcoin-tx', BTC_TXID);
    assert.equal(btc.code, 0, btc.stderr);
    const wrong = await submit(
      '--digest',
      '0c'.repeat(32),
      '--jpyc',
      `ethereum:${transferTx.hash}:${transferLog + 1}`,
    );
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /source\.log_index: transaction 0x[0-9a-f]{64} has no log with index/);
    const usage = await submit('--digest', '0c'.repeat(32), '--jpyc', 'bsc:0x12:1');
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--jpyc: must be CHAIN:0xTXHASH:LOGINDEX/);
    const two = await submit('--text', 'x', '--bitcoin-tx', BTC_TXID, '--symbol-tx', 'ab'.repeat(32));
    assert.equal(two.code, 2, two.stderr);
    const dirToo = await submit('--dir', dir.path, '--bitcoin-tx', BTC_TXID);
    assert.equal(dirToo.code, 2);
    assert.match(dirToo.stderr, /not with --dir/);
  });

  test('refusals name the field: unknown hash, wrong log index, not a Transfer, too few confirmations, unconfirmed or unknown Bitcoin, bad form', async () => {
    await refused(
      ref(SourceKind.ETHEREUM_TX, `0x${'12'.repeat(32)}`, 0, SourceChain.ETHEREUM),
      Code.NotFound,
      /^source\.tx_hash: transaction 0x1212.* has no receipt on ethereum/,
    );
    await refused(
      ref(SourceKind.JPYC_TRANSFER, transferTx.hash, transferLog + 5, SourceChain.ETHEREUM),
      Code.InvalidArgument,
      new RegExp(
        `^source\\.log_index: transaction 0x[0-9a-f]+ has no log with index ${transferLog + 5} \\(its logs: ${transferLog}\\)`,
      ),
    );
    await refused(
      ref(
        SourceKind.JPYC_TRANSFER,
        otherTransferTx.hash,
        Number(otherTransferTx.logs[0]?.logIndex),
        SourceChain.ETHEREUM,
      ),
      Code.InvalidArgument,
      new RegExp(
        `^source\\.log_index: log \\d+ of 0x[0-9a-f]+ was emitted by 0x[0-9a-f]{40}, not the JPYC contract ${token}`,
      ),
    );
    await refused(
      ref(SourceKind.JPYC_TRANSFER, ethTx.hash, 0, SourceChain.ETHEREUM),
      Code.InvalidArgument,
      /^source\.log_index: transaction 0x[0-9a-f]+ has no log with index 0 \(its logs: none\)/,
    );
    await refused(
      ref(SourceKind.JPYC_TRANSFER, transferTx.hash, transferLog, SourceChain.POLYGON),
      Code.FailedPrecondition,
      /^source\.chain: no JPYC contract is configured for polygon/,
    );
    const head = BigInt((await rpc(eth, 'eth_blockNumber')) as string);
    const depth = (r: Receipt) => head - BigInt(r.blockNumber) + 1n;
    assert.ok(depth(otherTransferTx) < 3n && depth(ethTx) >= 3n, `head ${head}`);
    await refused(
      ref(SourceKind.ETHEREUM_TX, otherTransferTx.hash, 0, SourceChain.POLYGON),
      Code.FailedPrecondition,
      new RegExp(
        `^source\\.tx_hash: transaction 0x[0-9a-f]{64} has ${depth(otherTransferTx)} confirmations? on polygon, 3 required`,
      ),
    );
    const deep = await clientsFor(server.port).client.submit({
      payload: { case: 'digest', value: digest(0x78) },
      source: ref(SourceKind.ETHEREUM_TX, ethTx.hash, 0, SourceChain.POLYGON),
    });
    assert.equal(deep.receipt?.duplicate, false);
    await refused(
      ref(SourceKind.BITCOIN_TX, BTC_MEMPOOL),
      Code.FailedPrecondition,
      /^source\.tx_hash: transaction a{64} is not in a block yet/,
    );
    await refused(
      ref(SourceKind.BITCOIN_TX, 'bb'.repeat(32)),
      Code.NotFound,
      /^source\.tx_hash: transaction b{64} is not known to the Bitcoin node/,
    );
    await refused(
      ref(SourceKind.ETHEREUM_TX, 'not-hex'),
      Code.InvalidArgument,
      /^source\.tx_hash: must be "0x" followed by 64 hex digits/,
    );
    await refused(
      ref(SourceKind.BITCOIN_TX, BTC_TXID, 3),
      Code.InvalidArgument,
      /^source\.log_index: a bitcoin reference has no log index/,
    );
    await refused(
      ref(SourceKind.SYMBOL_TX, 'ab'.repeat(32), 0, SourceChain.POLYGON),
      Code.InvalidArgument,
      /^source\.chain: a symbol reference names no chain/,
    );
    await refused(ref(SourceKind.UNSPECIFIED, BTC_TXID), Code.InvalidArgument, /^source\.kind: /);
    assert.ok(bitcoin.calls.includes('getblockheader'));
  });

  test('SubmitBatch and SubmitStream check the reference of each item on its own: refusals name the field per item', async () => {
    const { client } = clientsFor(server.port);
    const items = [
      { payload: { case: 'digest' as const, value: digest(0x41) } },
      {
        payload: { case: 'digest' as const, value: digest(0x42) },
        source: ref(SourceKind.JPYC_TRANSFER, transferTx.hash, transferLog, SourceChain.ETHEREUM),
      },
      {
        payload: { case: 'digest' as const, value: digest(0x43) },
        source: ref(SourceKind.JPYC_TRANSFER, transferTx.hash, transferLog + 1, SourceChain.ETHEREUM),
      },
      {
        payload: { case: 'digest' as const, value: digest(0x44) },
        source: ref(SourceKind.ETHEREUM_TX, `0x${'34'.repeat(32)}`, 0, SourceChain.ETHEREUM),
      },
    ];
    const outcome = (r: { result: { case: string | undefined; value?: unknown } }) =>
      r.result.case === 'receipt'
        ? 'receipt'
        : `${(r.result.value as { code: string }).code} ${(r.result.value as { field: string }).field}`;
    const expected = ['receipt', 'receipt', 'INVALID_ARGUMENT source.log_index', 'NOT_FOUND source.tx_hash'];
    const batch = await client.submitBatch({ items });
    assert.deepEqual(batch.results.map(outcome), expected);
    // The accepted reference is bound: the leaf hash differs from the same digest's without it.
    const receiptOf = (r: { result: { value?: unknown } } | undefined) =>
      r?.result.value as { leafHash: Uint8Array; duplicate: boolean };
    const jpycLeaf = receiptOf(batch.results[1]).leafHash;
    const plainLeaf = (await client.submit({ payload: items[1]?.payload as never })).receipt?.leafHash;
    assert.notDeepEqual(jpycLeaf, plainLeaf);
    async function* stream() {
      for (const item of items) yield item;
    }
    const streamed = [];
    for await (const r of client.submitStream(stream())) streamed.push(r);
    assert.deepEqual(streamed.map(outcome), expected);
    assert.deepEqual(receiptOf(streamed[1]).leafHash, jpycLeaf);
    assert.equal(receiptOf(streamed[1]).duplicate, true);
  });

  test('a Symbol reference is bound in form only; the Ethereum node down is UNAVAILABLE and nothing is stored', async () => {
    const { client } = clientsFor(server.port);
    const r = await client.submit({
      payload: { case: 'digest', value: digest(9) },
      source: ref(SourceKind.SYMBOL_TX, 'CD'.repeat(32)),
    });
    assert.equal(r.receipt?.duplicate, false);
    const before = (await client.getStatus({})).counts.find((c) => c.status === 1)?.leaves;
    ganache?.kill('SIGKILL');
    await new Promise((res) => ganache?.once('exit', res));
    await refused(
      ref(SourceKind.ETHEREUM_TX, ethTx.hash, 0, SourceChain.ETHEREUM),
      Code.Unavailable,
      /^source: ethereum endpoint: 127\.0\.0\.1:\d+: unreachable/,
    );
    assert.equal(
      (await client.getStatus({})).counts.find((c) => c.status === 1)?.leaves,
      before,
      'nothing stored',
    );
    assert.doesNotMatch(
      server.stderr() + server.logs.join('\n'),
      /s3cret-rpc-password/,
      'the Bitcoin password never appears',
    );
  });
});
