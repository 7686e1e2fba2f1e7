// The sidecar over TLS 1.3: gRPC over HTTP/2 (Connect and grpc-js), Connect and gRPC-Web over HTTP/1.1, the
// post-quantum hybrid group by default and SPARK_TLS_GROUPS obeyed (checked from the client side: the server cannot
// report the group), and plaintext or broken clients on the TLS port closed without harm.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import tls from 'node:tls';
import { Code, ConnectError, createClient, type Transport } from '@connectrpc/connect';
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from '@connectrpc/connect-node';
import * as grpc from '@grpc/grpc-js';
import { Health } from '../../src/gen/grpc/health/v1/health_pb.js';
import { SparkAdmin } from '../../src/gen/spark/v1/admin_pb.js';
import { SparkProcessor } from '../../src/gen/spark/v1/processor_pb.js';
import { sparkProcessorGrpcJs } from '../support/grpc-js.ts';
import { assertNoSecrets } from '../support/secret-scan.ts';
import { makeTestPki, type TestPki } from '../support/tls-certs.ts';
import {
  clientTls,
  privateKeyBytes,
  recordingConnection,
  startApp,
  type TestApp,
  tlsConnectionLines,
} from './support.ts';

let pki: TestPki;
let server: TestApp;
let base = '';

before(async () => {
  pki = makeTestPki();
  server = await startApp({ SPARK_TLS_CERT: pki.server.cert, SPARK_TLS_KEY: pki.server.key });
  base = `https://127.0.0.1:${server.port}`;
});
after(async () => {
  await server?.stop();
  pki?.cleanup();
});

/** Waits (at most 2 s) for a server log line that `match` accepts. */
async function loggedLine(
  app: TestApp,
  match: (e: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  for (let i = 0; i < 100; i++) {
    const line = app.logs.entries().find(match);
    if (line !== undefined) return line;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail('no such server log line');
}

/** The server's "tls connection" line for the client socket `socket` (matched by the client's port). */
const serverLine = (socket: tls.TLSSocket) =>
  loggedLine(server, (e) => e['msg'] === 'tls connection' && e['remotePort'] === socket.localPort);

// What a Node 24 (OpenSSL 3.5) client's getEphemeralKeyInfo() says for each group it negotiated.
const HYBRID = { type: 'TLSGroup', name: 'X25519MLKEM768', size: undefined };
const X25519_KEY = { type: 'ECDH', name: 'X25519', size: 253 };
const P256_KEY = { type: 'ECDH', name: 'prime256v1', size: 256 };

/** A Health check over a TLS connection dialled with `options`; returns the client socket. */
async function healthCheck(port: number, options: tls.ConnectionOptions): Promise<tls.TLSSocket> {
  const conn = recordingConnection({ ...clientTls(pki.caCert), ...options });
  const transport = createGrpcTransport({
    baseUrl: `https://127.0.0.1:${port}`,
    nodeOptions: { createConnection: conn.createConnection },
  });
  const res = await createClient(Health, transport).check({ service: '' });
  assert.equal(res.status, 1);
  assert.equal(conn.sockets.length, 1);
  return conn.sockets[0] as tls.TLSSocket;
}

/** A bare TLS handshake with `options` that the server must refuse: the client's error code. */
async function refusedHandshake(port: number, options: tls.ConnectionOptions): Promise<string | undefined> {
  const socket = tls.connect({ host: '127.0.0.1', port, ...clientTls(pki.caCert), ...options });
  try {
    return await new Promise<string | undefined>((resolve, reject) => {
      socket.once('secureConnect', () =>
        reject(new Error(`handshake completed: ${JSON.stringify(socket.getEphemeralKeyInfo())}`)),
      );
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code));
    });
  } finally {
    socket.destroy();
  }
}

const digest = (n: number) => new Uint8Array(32).fill(n);

describe('gRPC over HTTP/2 with TLS', () => {
  test('Connect gRPC client: Submit, SealNow, Prove over X25519MLKEM768; the server logs the connection', async () => {
    const conn = recordingConnection(clientTls(pki.caCert));
    const transport = createGrpcTransport({
      baseUrl: base,
      nodeOptions: { createConnection: conn.createConnection },
    });
    const processor = createClient(SparkProcessor, transport);
    const submitted = await processor.submit({ payload: { case: 'digest', value: digest(1) } });
    const leafHash = submitted.receipt?.leafHash;
    assert.equal(leafHash?.length, 32);
    await createClient(SparkAdmin, transport).sealNow({});
    const proved = await processor.prove({ leafHash: leafHash as Uint8Array });
    assert.ok(proved.bundle !== undefined, 'a bundle after sealing');

    assert.equal(conn.sockets.length, 1, 'one HTTP/2 connection for all calls');
    const socket = conn.sockets[0] as tls.TLSSocket;
    assert.deepEqual(socket.getEphemeralKeyInfo(), HYBRID);
    assert.equal(socket.getProtocol(), 'TLSv1.3');
    assert.equal(socket.alpnProtocol, 'h2');
    const { time, cipher, ...line } = await serverLine(socket);
    assert.equal(typeof time, 'string');
    assert.equal(cipher, socket.getCipher().standardName);
    assert.match(String(cipher), /^TLS_(AES_(128|256)_GCM|CHACHA20_POLY1305)_SHA(256|384)$/);
    // What the server knows, at debug; no group (the server cannot tell) and no clientCn (no certificate).
    assert.deepEqual(line, {
      level: 20,
      service: 'spark',
      module: 'server',
      remoteAddress: '127.0.0.1',
      remotePort: socket.localPort,
      protocol: 'TLSv1.3',
      alpn: 'h2',
      msg: 'tls connection',
    });
  });

  test('grpc-js with createSsl: Submit and Prove', async () => {
    const SparkProcessorGrpcJs = sparkProcessorGrpcJs();
    const client = new SparkProcessorGrpcJs(
      `127.0.0.1:${server.port}`,
      grpc.credentials.createSsl(readFileSync(pki.caCert)),
      // The certificate names 127.0.0.1 and localhost; an IP address is not a valid TLS server name (RFC 6066).
      { 'grpc.ssl_target_name_override': 'localhost', 'grpc.default_authority': 'localhost' },
    );
    type Callback = (err: grpc.ServiceError | null, res: Record<string, unknown>) => void;
    const call = (method: string, req: object) =>
      new Promise<Record<string, unknown>>((res, rej) =>
        (client as unknown as Record<string, (r: object, cb: Callback) => void>)[method]?.call(
          client,
          req,
          (err, out) => (err ? rej(err) : res(out)),
        ),
      );
    const before = tlsConnectionLines(server.logs).length;
    try {
      const sub = await call('Submit', { digest: Buffer.from(digest(2)) });
      const leafHash = (sub['receipt'] as { leafHash: Buffer }).leafHash;
      assert.equal(leafHash.length, 32);
      const proof = await call('Prove', { leafHash });
      assert.equal(proof['status'], 'STATUS_PENDING', 'known to the server, not sealed yet');
    } finally {
      client.close();
    }
    const lines = tlsConnectionLines(server.logs).slice(before);
    assert.ok(lines.length >= 1, 'grpc-js connected over TLS');
    for (const line of lines) assert.equal(line['alpn'], 'h2');
  });

  // Clients restricted to some groups get the server's most preferred one they offer, as they report it.
  for (const [curve, expected] of [
    ['X25519MLKEM768', HYBRID],
    ['X25519', X25519_KEY],
    ['P-256', P256_KEY],
    // A share only for X25519, which the server takes too: within one preference tuple OpenSSL avoids a
    // HelloRetryRequest, so X25519 it is (`X25519MLKEM768/X25519:P-256` would insist on the hybrid).
    ['X25519:X25519MLKEM768', X25519_KEY],
    // Shares only for P-384, which the server does not take: a HelloRetryRequest for the hybrid.
    ['P-384:X25519MLKEM768', HYBRID],
  ] as const) {
    test(`a client offering ${curve} negotiates ${expected.name}`, async () => {
      const socket = await healthCheck(server.port, { ecdhCurve: curve });
      assert.deepEqual(socket.getEphemeralKeyInfo(), expected);
    });
  }

  test('a client offering only P-384, which the default list lacks, is refused in the handshake', async () => {
    // Alert 40 handshake_failure.
    assert.equal(
      await refusedHandshake(server.port, { ecdhCurve: 'P-384' }),
      'ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE',
    );
    await loggedLine(
      server,
      (e) => e['msg'] === 'tls handshake refused' && e['code'] === 'ERR_SSL_NO_SUITABLE_KEY_SHARE',
    );
  });

  test('a TLS socket dialled by hand and handed to http2.connect also gets the hybrid', async () => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port: server.port,
      ALPNProtocols: ['h2'],
      ...clientTls(pki.caCert),
    });
    await new Promise<void>((res, rej) => socket.once('secureConnect', res).once('error', rej));
    assert.equal(socket.alpnProtocol, 'h2');
    const session = http2.connect(base, { createConnection: () => socket });
    try {
      const stream = session.request({
        ':method': 'POST',
        ':path': '/grpc.health.v1.Health/Check',
        'content-type': 'application/json',
      });
      stream.end('{}');
      const [status, body] = await new Promise<[number, string]>((res, rej) => {
        let text = '';
        let code = 0;
        stream.on('response', (h) => {
          code = Number(h[':status']);
        });
        stream.on('data', (d: Buffer) => {
          text += d.toString();
        });
        stream.on('end', () => res([code, text]));
        stream.on('error', rej);
      });
      assert.equal(status, 200);
      assert.deepEqual(JSON.parse(body), { status: 'SERVING' });
    } finally {
      session.destroy();
    }
    assert.deepEqual(socket.getEphemeralKeyInfo(), HYBRID);
    assert.equal((await serverLine(socket))['alpn'], 'h2');
  });
});

// Only the negotiated group makes these outcomes possible: a hybrid-only server serving a client proves the client
// used the hybrid, also for a client (grpc-js) that cannot report its group.
describe('SPARK_TLS_GROUPS, seen from clients', () => {
  let hybridOnly: TestApp | undefined;
  let classicalOnly: TestApp | undefined;
  before(async () => {
    hybridOnly = await startApp({
      SPARK_TLS_CERT: pki.server.cert,
      SPARK_TLS_KEY: pki.server.key,
      SPARK_TLS_GROUPS: 'X25519MLKEM768',
    });
    classicalOnly = await startApp({
      SPARK_TLS_CERT: pki.server.cert,
      SPARK_TLS_KEY: pki.server.key,
      SPARK_TLS_GROUPS: 'X25519',
    });
  });
  after(async () => {
    await hybridOnly?.stop();
    await classicalOnly?.stop();
  });

  test('X25519MLKEM768 alone: clients offering it are served, a classical-only client is refused', async () => {
    const app = hybridOnly as TestApp;
    assert.deepEqual((await healthCheck(app.port, {})).getEphemeralKeyInfo(), HYBRID);
    assert.deepEqual(
      (await healthCheck(app.port, { ecdhCurve: 'X25519MLKEM768' })).getEphemeralKeyInfo(),
      HYBRID,
    );
    for (const curve of ['X25519', 'X25519:P-256']) {
      assert.equal(
        await refusedHandshake(app.port, { ecdhCurve: curve }),
        'ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE',
        curve,
      );
    }
    await loggedLine(
      app,
      (e) => e['msg'] === 'tls handshake refused' && e['code'] === 'ERR_SSL_NO_SUITABLE_KEY_SHARE',
    );
  });

  test('X25519MLKEM768 alone: grpc-js with its default groups is served, so it negotiated the hybrid', async () => {
    const client = new grpc.Client(
      `127.0.0.1:${(hybridOnly as TestApp).port}`,
      grpc.credentials.createSsl(readFileSync(pki.caCert)),
      { 'grpc.ssl_target_name_override': 'localhost', 'grpc.default_authority': 'localhost' },
    );
    try {
      const status = await new Promise<Buffer>((res, rej) =>
        client.makeUnaryRequest(
          '/grpc.health.v1.Health/Check',
          (req: Buffer) => req,
          (bytes: Buffer) => bytes,
          Buffer.alloc(0),
          (err, out) => (err ? rej(err) : res(out as Buffer)),
        ),
      );
      // An empty HealthCheckRequest; the answer is status SERVING (field 1 = 1).
      assert.deepEqual(status, Buffer.from([0x08, 0x01]));
    } finally {
      client.close();
    }
  });

  test('X25519 alone: a default client gets X25519, a client offering only X25519MLKEM768 is refused', async () => {
    const app = classicalOnly as TestApp;
    assert.deepEqual((await healthCheck(app.port, {})).getEphemeralKeyInfo(), X25519_KEY);
    assert.equal(
      await refusedHandshake(app.port, { ecdhCurve: 'X25519MLKEM768' }),
      'ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE',
    );
    await loggedLine(
      app,
      (e) => e['msg'] === 'tls handshake refused' && e['code'] === 'ERR_SSL_NO_SUITABLE_KEY_SHARE',
    );
  });
});

describe('HTTP/1.1 with TLS', () => {
  const transports: Array<[string, () => Transport]> = [
    [
      'Connect over HTTP/1.1',
      () => createConnectTransport({ baseUrl: base, httpVersion: '1.1', nodeOptions: clientTls(pki.caCert) }),
    ],
    [
      'gRPC-Web over HTTP/1.1',
      () => createGrpcWebTransport({ baseUrl: base, httpVersion: '1.1', nodeOptions: clientTls(pki.caCert) }),
    ],
    [
      'Connect over HTTP/2',
      () => createConnectTransport({ baseUrl: base, httpVersion: '2', nodeOptions: clientTls(pki.caCert) }),
    ],
  ];
  for (const [i, [name, make]] of transports.entries()) {
    test(`${name}: submit works and errors keep their code`, async () => {
      const client = createClient(SparkProcessor, make());
      const ok = await client.submit({ payload: { case: 'digest', value: digest(10 + i) } });
      assert.equal(ok.receipt?.leafHash.length, 32);
      await assert.rejects(
        client.submit({ payload: { case: 'digest', value: new Uint8Array(31) } }),
        (e: unknown) => {
          const err = ConnectError.from(e);
          assert.equal(err.code, Code.InvalidArgument);
          assert.match(err.rawMessage, /^digest: must be 32 bytes/);
          return true;
        },
      );
    });
  }

  test('an HTTP/1.1 client without ALPN is served over TLS too', async () => {
    const lines = tlsConnectionLines(server.logs);
    assert.ok(
      lines.some((l) => l['alpn'] === 'none' || l['alpn'] === 'http/1.1'),
      'HTTP/1.1 connections were logged',
    );
  });
});

describe('clients that do not speak TLS', () => {
  test('a plaintext gRPC client is closed; the server keeps serving', async () => {
    const plain = createClient(
      SparkProcessor,
      createGrpcTransport({ baseUrl: `http://127.0.0.1:${server.port}` }),
    );
    await assert.rejects(plain.submit({ payload: { case: 'digest', value: digest(20) } }), (e: unknown) => {
      assert.ok(
        [Code.Unavailable, Code.Canceled, Code.Internal, Code.Unknown].includes(ConnectError.from(e).code),
      );
      return true;
    });
    const plain1 = createClient(
      SparkProcessor,
      createConnectTransport({ baseUrl: `http://127.0.0.1:${server.port}`, httpVersion: '1.1' }),
    );
    await assert.rejects(plain1.submit({ payload: { case: 'digest', value: digest(21) } }));
    // OpenSSL refuses the first bytes as a TLS record: the HTTP/2 preface has no valid version, and an HTTP/1.1
    // request is recognised as one.
    for (const code of ['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_HTTP_REQUEST']) {
      await loggedLine(server, (e) => e['msg'] === 'tls handshake refused' && e['code'] === code);
    }
  });

  test('garbage, a truncated ClientHello and a silent peer are dropped; the server keeps serving', async () => {
    const send = (bytes: Buffer, end: boolean) =>
      new Promise<void>((resolve) => {
        const s = net.connect(server.port, '127.0.0.1', () => {
          s.write(bytes);
          if (end) s.end();
          else setTimeout(() => s.destroy(), 100);
        });
        // Read (and drop) whatever the server answers, such as an alert: only then can the close arrive.
        s.resume();
        s.on('error', () => undefined);
        s.on('close', () => resolve());
      });
    await send(Buffer.from('\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00'), true);
    await send(Buffer.from([0x16, 0x03, 0x01, 0x02]), false);
    await send(Buffer.from('not even close\r\n\r\n'), true);
    await send(Buffer.alloc(0), false);
    const ok = await createClient(
      Health,
      createGrpcTransport({ baseUrl: base, nodeOptions: clientTls(pki.caCert) }),
    ).check({ service: '' });
    assert.equal(ok.status, 1);
  });

  test('the server log holds neither the TLS private key nor any PEM', () => {
    const text = server.logs.text();
    assertNoSecrets(text, privateKeyBytes(pki.server.key), 'server log');
    assert.ok(!text.includes('PRIVATE KEY'));
  });
});
