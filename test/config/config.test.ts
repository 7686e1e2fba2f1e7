// Configuration: defaults, presets, precedence, and every error reported at once.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig, parseListen } from '../../src/config/config.ts';
import { ConfigError } from '../../src/config/config-error.ts';
import * as d from '../../src/config/defaults.ts';
import { ML_DSA_65, ML_DSA_87 } from '../../src/proof/crypto/algorithms.ts';
import { tempDir } from '../support/spawn-server.ts';

test('defaults', () => {
  const c = loadConfig({});
  assert.equal(c.aggregationThreshold, d.DEFAULT_AGGREGATION_THRESHOLD);
  assert.equal(c.aggregationTimeoutSeconds, d.DEFAULT_AGGREGATION_TIMEOUT_SECONDS);
  assert.equal(c.immediateMode, false);
  assert.equal(c.algorithmId, ML_DSA_65);
  assert.deepEqual(c.listen, { host: '127.0.0.1', port: 50051 });
  assert.equal(c.guaranteeExpiryMs, Date.parse('2045-01-01T00:00:00Z'));
  assert.equal(c.memoryProfile, 'fast');
  assert.equal(loadConfig({ SPARK_MEMORY_PROFILE: 'lean' }).memoryProfile, 'lean');
});

test('presets set threshold, timeout and immediate mode; explicit settings win', () => {
  const p = loadConfig({ SPARK_PRESET: 'payments' });
  assert.deepEqual([p.aggregationThreshold, p.aggregationTimeoutSeconds, p.immediateMode], [100, 600, true]);
  const i = loadConfig({ SPARK_PRESET: 'instant', PQC_AGGREGATION_THRESHOLD: '5' });
  assert.deepEqual([i.aggregationThreshold, i.aggregationTimeoutSeconds], [5, 60]);
  const e = loadConfig({ SPARK_PRESET: 'evidence' });
  assert.equal(e.aggregationTimeoutSeconds, 86_400);
  const b = loadConfig({ SPARK_PRESET: 'bank' });
  assert.deepEqual(
    [b.aggregationThreshold, b.aggregationTimeoutSeconds, b.immediateMode],
    [1000, 3600, false],
  );
});

test('file < environment < overrides', () => {
  const dir = tempDir('spark-cfg-');
  try {
    const file = join(dir.path, 'spark.json');
    writeFileSync(
      file,
      JSON.stringify({ PQC_AGGREGATION_THRESHOLD: 7, PQC_ALGORITHM: 'ML-DSA-87', PQC_IMMEDIATE_MODE: true }),
    );
    const c = loadConfig(
      { SPARK_CONFIG_FILE: file, PQC_AGGREGATION_THRESHOLD: '8' },
      { SPARK_LISTEN: '[::1]:9000' },
    );
    assert.equal(c.aggregationThreshold, 8);
    assert.equal(c.algorithmId, ML_DSA_87);
    assert.equal(c.immediateMode, true);
    assert.deepEqual(c.listen, { host: '::1', port: 9000 });
  } finally {
    dir.cleanup();
  }
});

test('every invalid setting is reported together', () => {
  assert.throws(
    () =>
      loadConfig({
        PQC_AGGREGATION_THRESHOLD: '0',
        PQC_AGGREGATION_TIMEOUT: 'soon',
        PQC_IMMEDIATE_MODE: 'maybe',
        PQC_ALGORITHM: 'RSA-2048',
        SPARK_PRESET: 'casino',
        SPARK_LISTEN: 'nowhere',
        SPARK_LOG_LEVEL: 'loud',
        SPARK_MEMORY_PROFILE: 'tiny',
        SPARK_KEY_PROVIDER: 'usb-stick',
        PQC_GUARANTEE_EXPIRY: '2001-01-01',
      }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      const settings = err.issues.map((i) => i.setting).sort();
      assert.deepEqual(settings, [
        'PQC_AGGREGATION_THRESHOLD',
        'PQC_AGGREGATION_TIMEOUT',
        'PQC_ALGORITHM',
        'PQC_GUARANTEE_EXPIRY',
        'PQC_IMMEDIATE_MODE',
        'SPARK_KEY_PROVIDER',
        'SPARK_LISTEN',
        'SPARK_LOG_LEVEL',
        'SPARK_MEMORY_PROFILE',
        'SPARK_PRESET',
      ]);
      assert.match(err.message, /PQC_AGGREGATION_THRESHOLD: "0" is not an integer in 1–/);
      assert.match(err.message, /SPARK_MEMORY_PROFILE: "tiny" is not one of fast, lean/);
      return true;
    },
  );
});

test('SPARK_PRESET takes only the four names, not what every object inherits', () => {
  for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
    assert.throws(
      () => loadConfig({ SPARK_PRESET: name }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.message.includes(`SPARK_PRESET: "${name}" is not one of bank, payments, instant, evidence`),
      name,
    );
  }
});

test('the aggregation threshold may go up to SPARK_MAX_BATCH_SIZE, beyond the default batch size', () => {
  const c = loadConfig({ PQC_AGGREGATION_THRESHOLD: '1000000', SPARK_MAX_BATCH_SIZE: '1000000' });
  assert.equal(c.aggregationThreshold, 1_000_000);
  assert.throws(
    () => loadConfig({ PQC_AGGREGATION_THRESHOLD: '1000000' }),
    /PQC_AGGREGATION_THRESHOLD: 1000000 exceeds SPARK_MAX_BATCH_SIZE 100000/,
  );
  assert.throws(
    () => loadConfig({ PQC_AGGREGATION_THRESHOLD: '10000001', SPARK_MAX_BATCH_SIZE: '10000000' }),
    /PQC_AGGREGATION_THRESHOLD/,
  );
});

test('parseListen', () => {
  assert.deepEqual(parseListen('0.0.0.0:1'), { host: '0.0.0.0', port: 1 });
  assert.deepEqual(parseListen(':50051'), { host: '127.0.0.1', port: 50051 });
  assert.equal(typeof parseListen('host:99999'), 'string');
  assert.equal(typeof parseListen('host'), 'string');
});

test('key settings: rotation interval, providers and what each needs', () => {
  const c = loadConfig({});
  assert.equal(c.keyRotationIntervalSeconds, 30 * 86_400);
  assert.equal(c.keyProvider, 'memory');
  assert.equal(c.pkcs11.modulePath, d.DEFAULT_PKCS11_MODULE);
  assert.equal(c.pkcs11.tokenLabel, 'spark');
  assert.equal(loadConfig({ PQC_KEY_ROTATION_INTERVAL: '0' }).keyRotationIntervalSeconds, 0);
  const remote = loadConfig({
    SPARK_KEY_PROVIDER: 'remote',
    SPARK_REMOTE_SIGNER: '10.0.0.7:50061',
    SPARK_REMOTE_CA: '/etc/spark/ca.pem',
    SPARK_REMOTE_CERT: '/etc/spark/sidecar.pem',
    SPARK_REMOTE_KEY: '/run/secrets/sidecar.key',
  });
  assert.equal(remote.remote.address, '10.0.0.7:50061');
  assert.equal(remote.remote.serverName, undefined);
  const problems = (env: Record<string, string>): string[] => {
    try {
      loadConfig(env);
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      return e.issues.map((i) => `${i.setting}: ${i.problem}`);
    }
    return [];
  };
  assert.deepEqual(problems({ SPARK_KEY_PROVIDER: 'remote' }), [
    'SPARK_REMOTE_SIGNER: is required when SPARK_KEY_PROVIDER is remote',
    'SPARK_REMOTE_CA: is required when SPARK_KEY_PROVIDER is remote',
    'SPARK_REMOTE_CERT: is required when SPARK_KEY_PROVIDER is remote',
    'SPARK_REMOTE_KEY: is required when SPARK_KEY_PROVIDER is remote',
  ]);
  assert.match(
    problems({ SPARK_KEY_PROVIDER: 'vault' }).join(),
    /"vault" is not one of memory, docker-secret, pkcs11, remote/,
  );
  assert.match(
    problems({ PQC_KEY_ROTATION_INTERVAL: '-5' }).join(),
    /PQC_KEY_ROTATION_INTERVAL: "-5" is not an integer/,
  );
  assert.match(
    problems({ SPARK_PKCS11_TOKEN_LABEL: 'a\u0001b' }).join(),
    /SPARK_PKCS11_TOKEN_LABEL: must be 1–64 printable/,
  );
  assert.match(
    problems({ SPARK_PKCS11_PIN_SECRET: '../pin' }).join(),
    /SPARK_PKCS11_PIN_SECRET: "..\/pin" is not a plain file name/,
  );
});

test('SPARK_HTTP_LISTEN: next to gRPC on loopback by default, explicit, off, and refused when plaintext leaves loopback', () => {
  assert.deepEqual(loadConfig({}).httpListen, { host: '127.0.0.1', port: 50052 });
  assert.deepEqual(loadConfig({ SPARK_LISTEN: '127.0.0.1:0' }).httpListen, { host: '127.0.0.1', port: 0 });
  assert.deepEqual(loadConfig({ SPARK_LISTEN: '[::1]:7000' }).httpListen, { host: '::1', port: 7001 });
  // gRPC facing the network (here with --insecure) leaves the HTTP port on loopback unless it is set.
  const facing = { SPARK_LISTEN: '0.0.0.0:7000', SPARK_INSECURE: 'true', SPARK_EPHEMERAL_KEYS: 'true' };
  assert.deepEqual(loadConfig(facing).httpListen, {
    host: '127.0.0.1',
    port: 7001,
  });
  assert.deepEqual(loadConfig({ SPARK_HTTP_LISTEN: '[::1]:9464' }).httpListen, { host: '::1', port: 9464 });
  assert.equal(loadConfig({ SPARK_HTTP_LISTEN: 'off' }).httpListen, undefined);
  const problems = (env: Record<string, string>): string[] => {
    try {
      loadConfig(env);
      return [];
    } catch (e) {
      return (e as ConfigError).issues.filter((i) => i.setting === 'SPARK_HTTP_LISTEN').map((i) => i.problem);
    }
  };
  assert.match(problems({ SPARK_HTTP_LISTEN: 'metrics' }).join(), /or "off"/);
  assert.match(problems({ SPARK_HTTP_LISTEN: '127.0.0.1:50051' }).join(), /must differ from SPARK_LISTEN/);
  assert.match(
    problems({ SPARK_HTTP_LISTEN: '0.0.0.0:9464' }).join(),
    /not a loopback address and the HTTP port is plaintext/,
  );
  assert.deepEqual(problems({ SPARK_HTTP_LISTEN: '0.0.0.0:9464', SPARK_INSECURE: 'true' }), []);
});

test('SPARK_IPFS_*: publishers off by default; URLs, token file and origins validated', () => {
  const c = loadConfig({});
  assert.deepEqual([c.ipfs.kuboUrl, c.ipfs.pinningUrl, c.ipfs.maxAttempts], [undefined, undefined, 8]);
  const ok = loadConfig({
    SPARK_IPFS_KUBO_URL: 'http://127.0.0.1:5001',
    SPARK_IPFS_PINNING_URL: 'https://pins.example/psa',
    SPARK_IPFS_PINNING_TOKEN_FILE: '/run/secrets/pinning-token',
    SPARK_IPFS_PINNING_ORIGINS: '/ip4/10.0.0.5/tcp/4001/p2p/QmNode, /dns4/kubo.internal/tcp/4001',
  });
  assert.equal(ok.ipfs.pinningUrl, 'https://pins.example/psa');
  assert.deepEqual(ok.ipfs.pinningOrigins, [
    '/ip4/10.0.0.5/tcp/4001/p2p/QmNode',
    '/dns4/kubo.internal/tcp/4001',
  ]);
  assert.throws(
    () =>
      loadConfig({
        SPARK_IPFS_KUBO_URL: 'ftp://x',
        SPARK_IPFS_PINNING_URL: 'https://pins.example/?q=1',
        SPARK_IPFS_PINNING_ORIGINS: 'not-a-multiaddr',
        SPARK_IPFS_MAX_ATTEMPTS: '0',
      }),
    (e: unknown) => {
      const settings = (e as ConfigError).issues.map((i) => i.setting).sort();
      assert.deepEqual(settings, [
        'SPARK_IPFS_KUBO_URL',
        'SPARK_IPFS_MAX_ATTEMPTS',
        'SPARK_IPFS_PINNING_ORIGINS',
        'SPARK_IPFS_PINNING_URL',
      ]);
      return true;
    },
  );
  assert.throws(
    () => loadConfig({ SPARK_IPFS_PINNING_URL: 'https://pins.example' }),
    /SPARK_IPFS_PINNING_TOKEN_FILE: needed/,
  );
});

test('SPARK_*_RPC_URL, SPARK_JPYC_CONTRACTS: chains unchecked by default; endpoints, contracts and timeout validated', () => {
  const c = loadConfig({});
  assert.deepEqual(c.chains, {
    ethereumUrl: undefined,
    polygonUrl: undefined,
    bitcoinUrl: undefined,
    bitcoinAuthFile: undefined,
    jpycContracts: {},
    timeoutMs: 5000,
    minConfirmations: { bitcoin: 1, ethereum: 1, polygon: 1 },
  });
  const ok = loadConfig({
    SPARK_ETHEREUM_RPC_URL: 'https://eth.example/v3/key',
    SPARK_POLYGON_RPC_URL: 'http://127.0.0.1:8545',
    SPARK_BITCOIN_RPC_URL: 'http://127.0.0.1:8332/',
    SPARK_BITCOIN_RPC_AUTH_FILE: '/run/secrets/bitcoin-rpc',
    SPARK_JPYC_CONTRACTS:
      'ethereum:0xE7C3D8C9a439feDe00D2600032D5dB0Be71C3c29, polygon:0xe7c3d8c9a439fede00d2600032d5db0be71c3c29',
    SPARK_CHAIN_RPC_TIMEOUT_MS: '2000',
    SPARK_CHAIN_MIN_CONFIRMATIONS: 'bitcoin:6, polygon:64',
  });
  assert.deepEqual(ok.chains.minConfirmations, { bitcoin: 6, ethereum: 1, polygon: 64 });
  assert.deepEqual(ok.chains.jpycContracts, {
    ethereum: '0xe7c3d8c9a439fede00d2600032d5db0be71c3c29',
    polygon: '0xe7c3d8c9a439fede00d2600032d5db0be71c3c29',
  });
  assert.equal(ok.chains.timeoutMs, 2000);
  assert.equal(ok.chains.ethereumUrl, 'https://eth.example/v3/key');
  assert.throws(
    () =>
      loadConfig({
        SPARK_ETHEREUM_RPC_URL: 'ws://127.0.0.1:8546',
        SPARK_POLYGON_RPC_URL: 'https://polygon.example/?key=1',
        SPARK_BITCOIN_RPC_URL: 'http://user:pass@127.0.0.1:8332',
        SPARK_JPYC_CONTRACTS: 'ethereum:0x1234, bsc:0xe7c3d8c9a439fede00d2600032d5db0be71c3c29',
        SPARK_CHAIN_RPC_TIMEOUT_MS: '50',
        SPARK_CHAIN_MIN_CONFIRMATIONS: 'bitcoin:0,symbol:3,ethereum:12',
      }),
    (e: unknown) => {
      const issues = (e as ConfigError).issues;
      assert.deepEqual(issues.map((i) => i.setting).sort(), [
        'SPARK_BITCOIN_RPC_URL',
        'SPARK_CHAIN_MIN_CONFIRMATIONS',
        'SPARK_CHAIN_MIN_CONFIRMATIONS',
        'SPARK_CHAIN_RPC_TIMEOUT_MS',
        'SPARK_ETHEREUM_RPC_URL',
        'SPARK_JPYC_CONTRACTS',
        'SPARK_JPYC_CONTRACTS',
        'SPARK_POLYGON_RPC_URL',
      ]);
      const text = issues.map((i) => i.problem).join('\n');
      assert.match(text, /holds credentials/);
      assert.ok(!text.includes('pass@'), 'the password is not repeated');
      assert.match(text, /"bsc:0x[0-9a-f]+" is not CHAIN:0xADDRESS/);
      assert.match(text, /"bitcoin:0" is not CHAIN:N/);
      assert.match(text, /"symbol:3" is not CHAIN:N/);
      return true;
    },
  );
  assert.throws(
    () => loadConfig({ SPARK_BITCOIN_RPC_AUTH_FILE: '/run/secrets/bitcoin-rpc' }),
    /SPARK_BITCOIN_RPC_AUTH_FILE: set without SPARK_BITCOIN_RPC_URL/,
  );
});

test('SPARK_GRPC_FAST_PATH: on by default, off by false, anything else reported by name', () => {
  assert.equal(loadConfig({}).grpcFastPath, true);
  assert.equal(loadConfig({ SPARK_GRPC_FAST_PATH: 'false' }).grpcFastPath, false);
  assert.equal(loadConfig({ SPARK_GRPC_FAST_PATH: 'on' }).grpcFastPath, true);
  assert.throws(
    () => loadConfig({ SPARK_GRPC_FAST_PATH: 'fast' }),
    (err: unknown) =>
      err instanceof ConfigError && /SPARK_GRPC_FAST_PATH: "fast" is not true or false/.test(err.message),
  );
});

test('Symbol nodes: the one-node form, a list with a majority quorum by default, and every mistake named', () => {
  assert.deepEqual(loadConfig({}).symbolNodeUrls, []);
  const one = loadConfig({ SYMBOL_NODE_URL: 'http://127.0.0.1:3000' });
  assert.deepEqual([one.symbolNodeUrls, one.symbolNodeQuorum], [['http://127.0.0.1:3000'], 1]);
  const three = loadConfig({ SYMBOL_NODE_URLS: 'http://a:3000, http://b:3000,https://c' });
  assert.deepEqual(three.symbolNodeUrls, ['http://a:3000', 'http://b:3000', 'https://c']);
  assert.equal(three.symbolNodeQuorum, 2, 'a majority of three');
  assert.equal(
    loadConfig({ SYMBOL_NODE_URLS: 'http://a,http://b' }).symbolNodeQuorum,
    2,
    'a majority of two',
  );
  assert.equal(
    loadConfig({ SYMBOL_NODE_URLS: 'http://a,http://b,http://c', SYMBOL_NODE_QUORUM: '3' }).symbolNodeQuorum,
    3,
  );
  const refused: Array<[Record<string, string>, string, RegExp]> = [
    [{ SYMBOL_NODE_URL: 'http://a', SYMBOL_NODE_URLS: 'http://b' }, 'SYMBOL_NODE_URLS', /not both/],
    [{ SYMBOL_NODE_URLS: 'http://a,ftp://b' }, 'SYMBOL_NODE_URLS', /ftp:\/\/b/],
    [{ SYMBOL_NODE_URLS: 'http://a,http://a/' }, 'SYMBOL_NODE_URLS', /twice/],
    [{ SYMBOL_NODE_URLS: 'http://a,' }, 'SYMBOL_NODE_URLS', /not an http/],
    [{ SYMBOL_NODE_URLS: 'http://a,http://b', SYMBOL_NODE_QUORUM: '3' }, 'SYMBOL_NODE_QUORUM', /1 to 2/],
    [{ SYMBOL_NODE_URLS: 'http://a,http://b', SYMBOL_NODE_QUORUM: '0' }, 'SYMBOL_NODE_QUORUM', /1 to 2/],
    [{ SYMBOL_NODE_QUORUM: '1' }, 'SYMBOL_NODE_QUORUM', /without/],
    [
      { SYMBOL_NODE_URLS: Array.from({ length: 17 }, (_, i) => `http://n${i}`).join(',') },
      'SYMBOL_NODE_URLS',
      /at most 16/,
    ],
  ];
  for (const [env, setting, problem] of refused) {
    assert.throws(
      () => loadConfig(env),
      (e: unknown) =>
        e instanceof ConfigError && e.issues.some((i) => i.setting === setting && problem.test(i.problem)),
      JSON.stringify(env).slice(0, 80),
    );
  }
});
