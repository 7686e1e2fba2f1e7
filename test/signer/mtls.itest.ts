// Who can reach the signer at all: only TLS 1.3 clients whose certificate the client CA issued, talking to a
// signer whose certificate the sidecar's CA issued for the name it dials. Everything else never reaches a handler.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import tls from 'node:tls';
import { Code, ConnectError } from '@connectrpc/connect';
import { KeyError, type KeyErrorCode } from '../../providers/key-error.ts';
import { remoteKeyError } from '../../providers/remote/remote-error.ts';
import { ML_DSA_65 } from '../../src/proof/crypto/algorithms.ts';
import { makeTestPki, type TestPki } from '../support/tls-certs.ts';
import {
  logLines,
  rawSignerClient,
  remoteProvider,
  type SignerProcess,
  startSignerProcess,
  TEST_POLICY,
} from './signer-process.ts';

let pki: TestPki | undefined;
let signer: SignerProcess | undefined;

before(async () => {
  pki = makeTestPki();
  // The policy also names the signer's own certificate's CN: its certificate must still not pass as a client's.
  signer = await startSignerProcess({
    pki,
    policy: {
      clients: {
        ...TEST_POLICY.clients,
        'spark-signer': { purposes: ['batch-signing', 'symbol-account'], algorithms: ['ML-DSA-65'] },
      },
    },
  });
});

after(async () => {
  await signer?.stop();
  pki?.cleanup();
});

function started(): { pki: TestPki; signer: SignerProcess } {
  assert.ok(pki !== undefined && signer !== undefined, 'signer started');
  return { pki, signer };
}

/** Awaits `promise`, which must reject with KeyError `code` whose message matches `message`. */
async function rejectsWith(
  promise: Promise<unknown>,
  code: KeyErrorCode,
  message: RegExp,
): Promise<KeyError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof KeyError, `expected KeyError ${code}, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.match(err.message, message);
    return err;
  }
  assert.fail(`expected KeyError ${code}, nothing was thrown`);
}

const MESSAGE = new TextEncoder().encode('a batch header');
const CONTEXT = new TextEncoder().encode('spark/v1/batch-header');

/** Lines showing that some call reached a handler: every handler path that is not plain success logs one. */
function handlerTraces(s: SignerProcess): number {
  return ['signed', 'refused by policy', 'bad request'].reduce(
    (n, msg) => n + logLines(s.logs, msg).length,
    0,
  );
}

describe('signer mTLS', () => {
  test('a client without a certificate is cut off in the handshake (TLS alert certificate_required) → REMOTE_UNAVAILABLE', async () => {
    const { pki, signer } = started();
    const before = handlerTraces(signer);
    const { client, close } = rawSignerClient(signer.address, { ca: pki.caCert });
    try {
      for (let i = 0; i < 3; i++) {
        const err = await client
          .sign({ purpose: 'batch-signing', algorithmId: ML_DSA_65, message: MESSAGE, context: CONTEXT })
          .then(
            () => assert.fail('a client without a certificate was served'),
            (e: unknown) => e,
          );
        // What the wire gives: Connect's Internal with OpenSSL's alert as the cause …
        assert.ok(err instanceof ConnectError);
        assert.equal(err.code, Code.Internal);
        assert.match(
          String((err.cause as NodeJS.ErrnoException)?.code),
          /ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED/,
        );
        // … and what the remote provider makes of it.
        const mapped = remoteKeyError(err, signer.address, 10_000);
        assert.equal(mapped.code, 'REMOTE_UNAVAILABLE');
        assert.equal(
          mapped.message,
          `remote signer ${signer.address} unavailable: the signer requires a client certificate (TLS alert certificate_required)`,
        );
      }
    } finally {
      close();
    }
    const refused = logLines(signer.logs, 'tls handshake refused');
    assert.ok(refused.some((l) => l['code'] === 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE'));
    assert.equal(handlerTraces(signer), before, 'no handler ran');
  });

  test('a certificate from another CA (CN=sidecar, which the policy allows) is dropped after the handshake → REMOTE_UNAVAILABLE', async () => {
    const { pki, signer } = started();
    const before = handlerTraces(signer);
    const provider = remoteProvider(pki, signer.address, pki.rogue);
    try {
      // Which of the two a client sees first is a race; code and explanation are the same either way.
      const dropped = new RegExp(
        `^remote signer ${signer.address} unavailable: the signer closed the connection \\((stream Canceled|ECONNRESET|EPIPE)\\), as it does right after the handshake when it does not accept this client's certificate \\(another CA, expired, or not for client authentication\\)$`,
      );
      for (let i = 0; i < 3; i++) {
        await rejectsWith(provider.open('batch-signing', ML_DSA_65), 'REMOTE_UNAVAILABLE', dropped);
      }
      await rejectsWith(provider.openSymbolAccount(), 'REMOTE_UNAVAILABLE', dropped);
    } finally {
      await provider.close();
    }
    // The raw wire outcome behind it: no TLS alert (Node destroys the socket), the stream is cancelled or reset.
    const { client, close } = rawSignerClient(signer.address, { ca: pki.caCert, client: pki.rogue });
    try {
      const err = await client.getSymbolAccount({}).then(
        () => assert.fail('an untrusted certificate was served'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ConnectError);
      let reset = false;
      for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
        reset ||= (e as NodeJS.ErrnoException).code === 'ECONNRESET';
      }
      assert.ok(err.code === Code.Canceled || reset, `${Code[err.code]}: ${err.rawMessage}`);
    } finally {
      close();
    }
    assert.equal(handlerTraces(signer), before, 'no handler ran');
  });

  test('a certificate from the right CA but only for server authentication (EKU serverAuth) is dropped too', async () => {
    const { pki, signer } = started();
    const before = handlerTraces(signer);
    const provider = remoteProvider(pki, signer.address, pki.server);
    try {
      await rejectsWith(
        provider.openSymbolAccount(),
        'REMOTE_UNAVAILABLE',
        /the signer closed the connection/,
      );
    } finally {
      await provider.close();
    }
    assert.equal(handlerTraces(signer), before, 'no handler ran');
  });

  test('a signer certificate the sidecar does not trust, or for another name, → REMOTE_UNAVAILABLE naming why', async () => {
    const { pki, signer } = started();
    const untrusting = remoteProvider(pki, signer.address, pki.sidecar, { caFile: pki.rogueCaCert });
    const otherName = remoteProvider(pki, signer.address, pki.sidecar, { serverName: 'signer.example' });
    try {
      await rejectsWith(
        untrusting.open('batch-signing', ML_DSA_65),
        'REMOTE_UNAVAILABLE',
        /the signer's certificate is not accepted \(SELF_SIGNED_CERT_IN_CHAIN: /,
      );
      await rejectsWith(
        otherName.openSymbolAccount(),
        'REMOTE_UNAVAILABLE',
        /the signer's certificate is not accepted \(ERR_TLS_CERT_ALTNAME_INVALID: .*signer\.example/,
      );
    } finally {
      await untrusting.close();
      await otherName.close();
    }
  });

  test('TLS 1.2 is refused even with a good certificate', async () => {
    const { pki, signer } = started();
    const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
      const socket = tls.connect({
        host: '127.0.0.1',
        port: signer.port,
        ca: readFileSync(pki.caCert),
        cert: readFileSync(pki.sidecar.cert),
        key: readFileSync(pki.sidecar.key),
        maxVersion: 'TLSv1.2',
        ALPNProtocols: ['h2'],
      });
      socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
      socket.once('secureConnect', () => {
        socket.destroy();
        resolve(Object.assign(new Error('connected'), { code: 'CONNECTED' }));
      });
      socket.once('error', (e) => resolve(e));
    });
    assert.match(String(err.code), /ALERT_PROTOCOL_VERSION/);
  });

  test('a signer that is down, or that never answers, → REMOTE_UNAVAILABLE within the deadline', async () => {
    const { pki } = started();
    // A port nothing listens on: bind one, note it, close it.
    const closedPort = await new Promise<number>((resolve) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => {
        const { port } = s.address() as net.AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const down = remoteProvider(pki, `127.0.0.1:${closedPort}`, pki.sidecar);
    // A server that accepts TCP and then says nothing.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as net.AddressInfo).port;
    const stalled = remoteProvider(pki, `127.0.0.1:${silentPort}`, pki.sidecar, { timeoutMs: 300 });
    try {
      await rejectsWith(
        down.open('batch-signing', ML_DSA_65),
        'REMOTE_UNAVAILABLE',
        /cannot reach it \(ECONNREFUSED\)/,
      );
      const started = Date.now();
      await rejectsWith(stalled.openSymbolAccount(), 'REMOTE_UNAVAILABLE', /no answer within 300 ms/);
      assert.ok(Date.now() - started < 5000, 'the deadline bounds the wait');
    } finally {
      await down.close();
      await stalled.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
