// The TLS front's own jobs, on real TLS over loopback: a handshake that does not finish in time is dropped and
// logged, a finished connection is kept however idle, and close() drops the handshakes still in flight.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import tls from 'node:tls';
import { DEFAULT_TLS_GROUPS } from '../../src/config/defaults.ts';
import { createTlsFront, HANDSHAKE_TIMEOUT_MS, type TlsFront } from '../../src/service/tls-front.ts';
import { loadServerTls } from '../../src/service/tls-material.ts';
import { makeTestPki, type TestPki } from '../support/tls-certs.ts';
import { type CapturedLog, captureLog, clientTls } from './support.ts';

/** A front behind a loopback listener, as the server runs it. */
interface RunningFront {
  readonly front: TlsFront;
  readonly port: number;
  readonly logs: CapturedLog;
  /** Connections handed on after their handshake. */
  readonly secured: tls.TLSSocket[];
  stop(): Promise<void>;
}

let pki: TestPki;
const running: RunningFront[] = [];

before(() => {
  pki = makeTestPki();
});
after(async () => {
  for (const r of running) await r.stop();
  pki?.cleanup();
});

async function startFront(handshakeTimeoutMs?: number): Promise<RunningFront> {
  const logs = captureLog('debug');
  const secured: tls.TLSSocket[] = [];
  const front = createTlsFront({
    tls: loadServerTls({
      certFile: pki.server.cert,
      keyFile: pki.server.key,
      clientCaFile: undefined,
      clientAuth: 'none',
      groups: DEFAULT_TLS_GROUPS,
    }),
    log: logs.log,
    onSecure: (socket) => secured.push(socket),
    ...(handshakeTimeoutMs === undefined ? {} : { handshakeTimeoutMs }),
  });
  const sockets = new Set<net.Socket>();
  const listener = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    front.accept(socket);
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const r: RunningFront = {
    front,
    port: (listener.address() as net.AddressInfo).port,
    logs,
    secured,
    async stop() {
      front.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
  running.push(r);
  return r;
}

/** A raw TCP peer that sends `bytes` and then nothing; `closed` resolves with the ms until the server closed it. */
async function stallingPeer(
  port: number,
  bytes: Buffer,
): Promise<{ closed: Promise<number>; socket: net.Socket }> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const start = Date.now();
  const closed = new Promise<number>((resolve) => {
    socket.on('error', () => undefined);
    socket.resume();
    socket.once('close', () => resolve(Date.now() - start));
  });
  if (bytes.length > 0) socket.write(bytes);
  return { closed, socket };
}

/** `promise`, or a failure naming `what` after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const timeouts = (logs: CapturedLog) =>
  logs
    .entries()
    .filter((e) => e['msg'] === 'tls handshake refused' && e['code'] === 'ERR_TLS_HANDSHAKE_TIMEOUT');

test('a silent peer and one stopping inside its ClientHello are dropped at the timeout, and logged', async () => {
  const r = await startFront(300);
  // A handshake record header announcing 512 bytes, and only 3 of them.
  const partial = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01]);
  const peers = [await stallingPeer(r.port, Buffer.alloc(0)), await stallingPeer(r.port, partial)];
  try {
    for (const peer of peers) {
      const ms = await within(peer.closed, 5000, 'closed by the server');
      assert.ok(ms >= 250, `closed after ${ms} ms, not before the timeout`);
    }
    assert.equal(timeouts(r.logs).length, 2, r.logs.text());
    assert.equal(timeouts(r.logs)[0]?.['level'], 30, 'logged at info');
    assert.equal(r.secured.length, 0);
  } finally {
    for (const peer of peers) peer.socket.destroy();
  }
});

test('a finished handshake is handed on and kept open, however long it stays idle', async () => {
  const r = await startFront(200);
  const client = tls.connect({ host: '127.0.0.1', port: r.port, ...clientTls(pki.caCert) });
  try {
    await new Promise<void>((resolve, reject) => client.once('secureConnect', resolve).once('error', reject));
    for (let i = 0; i < 100 && r.secured.length === 0; i++) await new Promise((res) => setTimeout(res, 10));
    assert.equal(r.secured.length, 1, 'handed on');
    await new Promise((res) => setTimeout(res, 600));
    assert.equal(client.destroyed, false, 'the client is still connected');
    assert.equal(r.secured[0]?.destroyed, false, 'the server side is still open');
    assert.equal(timeouts(r.logs).length, 0);
    // And still carries data both ways.
    const echoed = new Promise<string>((resolve) =>
      client.once('data', (d: Buffer) => resolve(d.toString())),
    );
    r.secured[0]?.once('data', (d: Buffer) => r.secured[0]?.write(d));
    client.write('ping');
    assert.equal(await within(echoed, 2000, 'echo'), 'ping');
  } finally {
    client.destroy();
  }
});

test('close() drops the connections still in their handshake at once, not finished ones', async () => {
  const r = await startFront();
  const client = tls.connect({ host: '127.0.0.1', port: r.port, ...clientTls(pki.caCert) });
  const peer = await stallingPeer(r.port, Buffer.from([0x16, 0x03, 0x01]));
  try {
    await new Promise<void>((resolve, reject) => client.once('secureConnect', resolve).once('error', reject));
    for (let i = 0; i < 100 && r.secured.length === 0; i++) await new Promise((res) => setTimeout(res, 10));
    assert.equal(r.secured.length, 1, 'handed on');
    r.front.close();
    const ms = await within(peer.closed, 2000, 'closed by close()');
    assert.ok(ms < HANDSHAKE_TIMEOUT_MS);
    await new Promise((res) => setTimeout(res, 100));
    assert.equal(r.secured[0]?.destroyed, false, 'the finished connection is left to the HTTP servers');
    assert.equal(client.destroyed, false);
  } finally {
    peer.socket.destroy();
    client.destroy();
  }
});
