// Client certificates as identities: required mode refuses a client without a certificate in the handshake and
// drops one the CA did not issue; a verified CN is the identity (role client, admin when listed in
// SPARK_ADMIN_CERT_NAMES). Optional mode lets certificate-less clients use tokens but still refuses bad certificates.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import tls from 'node:tls';
import { Code, ConnectError, createClient, type Interceptor } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { Health } from '../../src/gen/grpc/health/v1/health_pb.js';
import { SparkAdmin } from '../../src/gen/spark/v1/admin_pb.js';
import { SparkProcessor } from '../../src/gen/spark/v1/processor_pb.js';
import { createToken } from '../../src/service/access-tokens.ts';
import { UNAUTHENTICATED_MESSAGE } from '../../src/service/authorization.ts';
import { assertNoSecrets } from '../support/secret-scan.ts';
import { tempDir } from '../support/spawn-server.ts';
import { makeTestPki, type TestPki } from '../support/tls-certs.ts';
import {
  bearer,
  clientTls,
  privateKeyBytes,
  recordingConnection,
  serverLineFor,
  startApp,
  type TestApp,
  writeTokensFile,
} from '../tls/support.ts';

let pki: TestPki;
const dir = tempDir('spark-mtls-');
before(() => {
  pki = makeTestPki();
});
after(() => {
  pki?.cleanup();
  dir.cleanup();
});

const digest = (n: number) => ({ payload: { case: 'digest' as const, value: new Uint8Array(32).fill(n) } });

/** A call cut off at the TLS level: the client sees the connection fail, never a gRPC status from a handler. */
function cutOff(e: unknown): boolean {
  const err = ConnectError.from(e);
  assert.ok([Code.Unavailable, Code.Internal, Code.Canceled, Code.Unknown].includes(err.code), String(e));
  return true;
}

/** A gRPC transport to `server` with the client certificate `who` (or none) and `interceptors`. */
function transportAs(
  server: TestApp,
  who: { cert: string; key: string } | undefined,
  ...interceptors: Interceptor[]
) {
  const conn = recordingConnection(clientTls(pki.caCert, who));
  return {
    conn,
    transport: createGrpcTransport({
      baseUrl: `https://127.0.0.1:${server.port}`,
      nodeOptions: { createConnection: conn.createConnection },
      interceptors,
    }),
  };
}

/** Waits (at most 2 s) for a log entry with message `msg` matching `where`. */
async function logged(
  server: TestApp,
  msg: string,
  where: (e: Record<string, unknown>) => boolean = () => true,
): Promise<Record<string, unknown>> {
  for (let i = 0; i < 100; i++) {
    const found = server.logs.entries().find((e) => e['msg'] === msg && where(e));
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`no "${msg}" log line`);
}

describe('client certificates required', () => {
  let server: TestApp;
  before(async () => {
    server = await startApp({
      SPARK_TLS_CERT: pki.server.cert,
      SPARK_TLS_KEY: pki.server.key,
      SPARK_TLS_CLIENT_CA: pki.caCert,
      SPARK_ADMIN_CERT_NAMES: 'ops-console, intruder',
    });
  });
  after(async () => {
    await server?.stop();
  });

  test('no client certificate: the handshake is refused (alert certificate_required)', async () => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port: server.port,
      ALPNProtocols: ['h2'],
      ...clientTls(pki.caCert),
    });
    const err = await new Promise<NodeJS.ErrnoException>((resolve, reject) => {
      socket.on('error', resolve);
      socket.on('close', () => reject(new Error('closed without an error')));
    });
    assert.equal(err.code, 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
    const { transport } = transportAs(server, undefined);
    await assert.rejects(createClient(Health, transport).check({ service: '' }), cutOff);
    const line = await logged(
      server,
      'tls handshake refused',
      (e) => e['code'] === 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE',
    );
    assert.equal(line['level'], 30);
  });

  test('a certificate another CA issued is refused; the log says why', async () => {
    const { transport } = transportAs(server, pki.rogue);
    await assert.rejects(createClient(SparkProcessor, transport).submit(digest(1)), cutOff);
    const line = await logged(server, 'tls handshake refused', (e) => typeof e['reason'] === 'string');
    assert.match(String(line['reason']), /UNABLE_TO_GET_ISSUER_CERT|CERT_SIGNATURE_FAILURE|UNABLE_TO_VERIFY/);
    // The submission never reached the service: the same digest is new to it.
    const good = transportAs(server, pki.sidecar).transport;
    assert.equal((await createClient(SparkProcessor, good).submit(digest(1))).receipt?.duplicate, false);
  });

  test('CN=sidecar is a client: it may submit, not seal; the debug line names the CN', async () => {
    const { conn, transport } = transportAs(server, pki.sidecar);
    const receipt = (await createClient(SparkProcessor, transport).submit(digest(2))).receipt;
    assert.equal(receipt?.leafHash.length, 32);
    await assert.rejects(createClient(SparkAdmin, transport).sealNow({}), (e: unknown) => {
      const err = ConnectError.from(e);
      assert.equal(err.code, Code.PermissionDenied);
      assert.equal(err.rawMessage, 'this credential may not call spark.v1.SparkAdmin');
      return true;
    });
    const socket = conn.sockets[0] as tls.TLSSocket;
    assert.equal(serverLineFor(server.logs, socket)?.['clientCn'], 'sidecar');
    // The group, as the client reports it (the server cannot).
    assert.deepEqual(socket.getEphemeralKeyInfo(), {
      type: 'TLSGroup',
      name: 'X25519MLKEM768',
      size: undefined,
    });
    const denied = await logged(server, 'call refused: the credential lacks the admin role');
    assert.deepEqual(
      [denied['identity'], denied['via'], denied['method']],
      ['sidecar', 'certificate', '/spark.v1.SparkAdmin/SealNow'],
    );
  });

  test('a CN listed in SPARK_ADMIN_CERT_NAMES is an admin', async () => {
    const { transport } = transportAs(server, pki.intruder);
    assert.equal((await createClient(SparkAdmin, transport).sealNow({})).sealed, true);
    assert.equal(
      (await createClient(SparkProcessor, transport).submit(digest(3))).receipt?.leafHash.length,
      32,
    );
  });

  test('without a tokens file a bearer token is ignored: the certificate decides', async () => {
    const { transport } = transportAs(server, pki.sidecar, bearer(createToken()));
    // No tokens file here: a token is ignored and the certificate decides.
    assert.equal(
      (await createClient(SparkProcessor, transport).submit(digest(4))).receipt?.leafHash.length,
      32,
    );
  });

  test('the log holds no key material', () => {
    assertNoSecrets(server.logs.text(), privateKeyBytes(pki.server.key), 'server log');
    for (const who of [pki.sidecar, pki.intruder, pki.rogue]) {
      assertNoSecrets(server.logs.text(), privateKeyBytes(who.key), 'server log');
    }
  });
});

describe('client certificates optional, with tokens', () => {
  let server: TestApp;
  const clientToken = createToken();
  const adminToken = createToken();
  before(async () => {
    server = await startApp({
      SPARK_TLS_CERT: pki.server.cert,
      SPARK_TLS_KEY: pki.server.key,
      SPARK_TLS_CLIENT_CA: pki.caCert,
      SPARK_TLS_CLIENT_AUTH: 'optional',
      SPARK_AUTH_TOKENS: writeTokensFile(join(dir.path, 'tokens'), {
        app: ['client', clientToken],
        ops: ['admin', adminToken],
      }),
    });
  });
  after(async () => {
    await server?.stop();
  });

  test('no certificate: a token decides; without one, UNAUTHENTICATED (health stays open)', async () => {
    const none = transportAs(server, undefined).transport;
    await assert.rejects(createClient(SparkProcessor, none).submit(digest(5)), (e: unknown) => {
      assert.equal(ConnectError.from(e).code, Code.Unauthenticated);
      assert.equal(ConnectError.from(e).rawMessage, UNAUTHENTICATED_MESSAGE);
      return true;
    });
    assert.equal((await createClient(Health, none).check({ service: '' })).status, 1);
    const withToken = transportAs(server, undefined, bearer(clientToken)).transport;
    assert.equal(
      (await createClient(SparkProcessor, withToken).submit(digest(5))).receipt?.leafHash.length,
      32,
    );
  });

  test('a verified certificate alone is a client; with an admin token it may seal', async () => {
    const cert = transportAs(server, pki.sidecar).transport;
    assert.equal((await createClient(SparkProcessor, cert).submit(digest(6))).receipt?.leafHash.length, 32);
    await assert.rejects(createClient(SparkAdmin, cert).sealNow({}), (e: unknown) => {
      assert.equal(ConnectError.from(e).code, Code.PermissionDenied);
      return true;
    });
    const both = transportAs(server, pki.sidecar, bearer(adminToken)).transport;
    assert.equal((await createClient(SparkAdmin, both).sealNow({})).sealed, true);
    // A presented token is checked even on a good certificate: a wrong one is refused, not ignored.
    const wrong = transportAs(server, pki.sidecar, bearer(createToken())).transport;
    await assert.rejects(createClient(SparkProcessor, wrong).submit(digest(7)), (e: unknown) => {
      assert.equal(ConnectError.from(e).code, Code.Unauthenticated);
      return true;
    });
  });

  test('a certificate another CA issued is dropped, not treated as none', async () => {
    const rogue = transportAs(server, pki.rogue, bearer(clientToken)).transport;
    await assert.rejects(createClient(SparkProcessor, rogue).submit(digest(8)), cutOff);
    const line = await logged(server, 'tls client certificate refused');
    assert.match(String(line['reason']), /UNABLE_TO_GET_ISSUER_CERT|UNABLE_TO_VERIFY/);
    const good = transportAs(server, undefined, bearer(clientToken)).transport;
    assert.equal((await createClient(SparkProcessor, good).submit(digest(8))).receipt?.duplicate, false);
  });
});
