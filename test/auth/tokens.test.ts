// Bearer tokens over TLS: no or a bad token is UNAUTHENTICATED with one message whatever the reason, a client token
// may not call SparkAdmin (PERMISSION_DENIED), an admin token may, and health stays open. Refusals are logged
// with the method, the peer and the name when known; no token and no TLS key is ever logged.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Code, ConnectError, createClient, type Interceptor, type Transport } from '@connectrpc/connect';
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from '@connectrpc/connect-node';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { Health } from '../../src/gen/grpc/health/v1/health_pb.js';
import { ServerReflection } from '../../src/gen/grpc/reflection/v1/reflection_pb.js';
import { SparkAdmin } from '../../src/gen/spark/v1/admin_pb.js';
import { ErrorDetailSchema, SparkProcessor } from '../../src/gen/spark/v1/processor_pb.js';
import { createToken } from '../../src/service/access-tokens.ts';
import { UNAUTHENTICATED_MESSAGE } from '../../src/service/authorization.ts';
import { assertNoSecrets } from '../support/secret-scan.ts';
import { ROOT, tempDir } from '../support/spawn-server.ts';
import { makeTestPki, type TestPki } from '../support/tls-certs.ts';
import {
  bearer,
  clientTls,
  privateKeyBytes,
  startApp,
  type TestApp,
  writeTokensFile,
} from '../tls/support.ts';

const clientToken = createToken();
const adminToken = createToken();
const wrongToken = createToken();
const secrets = new Map<string, Uint8Array>([
  ['client token', Buffer.from(clientToken)],
  ['client token body', Buffer.from(clientToken.slice(4), 'base64url')],
  ['admin token', Buffer.from(adminToken)],
  ['admin token body', Buffer.from(adminToken.slice(4), 'base64url')],
  ['wrong token', Buffer.from(wrongToken)],
]);

let pki: TestPki;
let server: TestApp;
const dir = tempDir('spark-auth-');

before(async () => {
  pki = makeTestPki();
  const tokens = writeTokensFile(join(dir.path, 'tokens'), {
    billing: ['client', clientToken],
    'ops-admin': ['admin', adminToken],
  });
  server = await startApp({
    SPARK_TLS_CERT: pki.server.cert,
    SPARK_TLS_KEY: pki.server.key,
    SPARK_AUTH_TOKENS: tokens,
  });
});
after(async () => {
  await server?.stop();
  pki?.cleanup();
  dir.cleanup();
});

const base = () => `https://127.0.0.1:${server.port}`;
const grpcWith = (...interceptors: Interceptor[]): Transport =>
  createGrpcTransport({ baseUrl: base(), nodeOptions: clientTls(pki.caCert), interceptors });
const digest = (n: number) => ({ payload: { case: 'digest' as const, value: new Uint8Array(32).fill(n) } });

/** Awaits `call`, which must fail with `code` and exactly `message`, with a matching ErrorDetail. */
async function refused(call: Promise<unknown>, code: Code, message: string, what = ''): Promise<void> {
  await assert.rejects(call, (e: unknown) => {
    const err = ConnectError.from(e);
    assert.equal(Code[err.code], Code[code], `${what}: ${err.rawMessage}`);
    assert.equal(err.rawMessage, message);
    const [detail] = err.findDetails(ErrorDetailSchema);
    assert.equal(detail?.message, message);
    assert.equal(detail?.code, code === Code.Unauthenticated ? 'UNAUTHENTICATED' : 'PERMISSION_DENIED');
    return true;
  });
}

/** Sets a raw Authorization header. */
const header =
  (value: string): Interceptor =>
  (next) =>
  (req) => {
    req.header.set('authorization', value);
    return next(req);
  };

describe('tokens', () => {
  test('no token, a wrong token and malformed headers all get the same UNAUTHENTICATED', async () => {
    const attempts: Array<[string, Interceptor[]]> = [
      ['no token', []],
      ['a wrong token', [bearer(wrongToken)]],
      [
        'an admin token with a flipped character',
        [bearer(`${adminToken.slice(0, -1)}${adminToken.endsWith('A') ? 'B' : 'A'}`)],
      ],
      ['Basic credentials', [header(`Basic ${Buffer.from('ops-admin:x').toString('base64')}`)]],
      ['a bare token', [header(clientToken)]],
      ['an empty bearer', [header('Bearer ')]],
      ['the name instead of the token', [bearer('billing')]],
    ];
    for (const [what, interceptors] of attempts) {
      const processor = createClient(SparkProcessor, grpcWith(...interceptors));
      const admin = createClient(SparkAdmin, grpcWith(...interceptors));
      await refused(processor.submit(digest(1)), Code.Unauthenticated, UNAUTHENTICATED_MESSAGE, what);
      await refused(
        processor.prove({ leafHash: new Uint8Array(32) }),
        Code.Unauthenticated,
        UNAUTHENTICATED_MESSAGE,
        what,
      );
      await refused(admin.sealNow({}), Code.Unauthenticated, UNAUTHENTICATED_MESSAGE, what);
    }
    assert.equal(UNAUTHENTICATED_MESSAGE, 'valid credentials are required');
  });

  test('a client token may submit and prove but not call SparkAdmin', async () => {
    const transport = grpcWith(bearer(clientToken));
    const processor = createClient(SparkProcessor, transport);
    const receipt = (await processor.submit(digest(2))).receipt;
    assert.equal(receipt?.leafHash.length, 32);
    const proof = await processor.prove({ leafHash: receipt?.leafHash as Uint8Array });
    assert.equal(proof.bundle, undefined, 'pending: no bundle yet');
    await refused(
      createClient(SparkAdmin, transport).sealNow({}),
      Code.PermissionDenied,
      'this credential may not call spark.v1.SparkAdmin',
    );
    await refused(
      createClient(SparkAdmin, transport).rotateKey({}),
      Code.PermissionDenied,
      'this credential may not call spark.v1.SparkAdmin',
    );
  });

  test('an admin token may call SparkAdmin and SparkProcessor', async () => {
    const transport = grpcWith(bearer(adminToken));
    const sealed = await createClient(SparkAdmin, transport).sealNow({});
    assert.equal(sealed.sealed, true);
    const receipt = (await createClient(SparkProcessor, transport).submit(digest(3))).receipt;
    assert.equal(receipt?.leafHash.length, 32);
  });

  test('health needs no credentials, over gRPC and over Connect on HTTP/1.1', async () => {
    assert.equal((await createClient(Health, grpcWith()).check({ service: '' })).status, 1);
    const h1 = createConnectTransport({
      baseUrl: base(),
      httpVersion: '1.1',
      nodeOptions: clientTls(pki.caCert),
    });
    assert.equal((await createClient(Health, h1).check({ service: 'spark.v1.SparkProcessor' })).status, 1);
  });

  test('reflection needs a client credential', async () => {
    const list = async (transport: Transport) => {
      const names: string[] = [];
      const requests = (async function* () {
        yield { host: '', messageRequest: { case: 'listServices' as const, value: '' } };
      })();
      for await (const res of createClient(ServerReflection, transport).serverReflectionInfo(requests)) {
        if (res.messageResponse.case === 'listServicesResponse')
          names.push(...res.messageResponse.value.service.map((s) => s.name));
      }
      return names;
    };
    await refused(list(grpcWith()), Code.Unauthenticated, UNAUTHENTICATED_MESSAGE);
    assert.ok((await list(grpcWith(bearer(clientToken)))).includes('spark.v1.SparkAdmin'));
  });

  test('gRPC-Web over HTTP/1.1 carries the token the same way', async () => {
    const web = (...interceptors: Interceptor[]) =>
      createClient(
        SparkProcessor,
        createGrpcWebTransport({
          baseUrl: base(),
          httpVersion: '1.1',
          nodeOptions: clientTls(pki.caCert),
          interceptors,
        }),
      );
    await refused(web().submit(digest(4)), Code.Unauthenticated, UNAUTHENTICATED_MESSAGE);
    await refused(web(bearer(wrongToken)).submit(digest(4)), Code.Unauthenticated, UNAUTHENTICATED_MESSAGE);
    assert.equal((await web(bearer(clientToken)).submit(digest(4))).receipt?.leafHash.length, 32);
  });

  test('grpc-js sees code 16 and the same message; metadata carries the token', async () => {
    const def = protoLoader.loadSync('spark/v1/processor.proto', {
      includeDirs: [join(ROOT, 'proto')],
      bytes: Buffer,
      defaults: true,
    });
    const pkg = grpc.loadPackageDefinition(def) as unknown as {
      spark: { v1: { SparkProcessor: grpc.ServiceClientConstructor } };
    };
    const client = new pkg.spark.v1.SparkProcessor(
      `127.0.0.1:${server.port}`,
      grpc.credentials.createSsl(readFileSync(pki.caCert)),
      { 'grpc.ssl_target_name_override': 'localhost', 'grpc.default_authority': 'localhost' },
    );
    const submit = (metadata: grpc.Metadata) =>
      new Promise<unknown>((res, rej) =>
        (
          client as unknown as Record<
            string,
            (r: object, m: grpc.Metadata, cb: (e: unknown, o: unknown) => void) => void
          >
        )['Submit']?.call(client, { digest: Buffer.alloc(32, 5) }, metadata, (err, out) =>
          err ? rej(err) : res(out),
        ),
      );
    try {
      await assert.rejects(submit(new grpc.Metadata()), (e: grpc.ServiceError) => {
        assert.equal(e.code, grpc.status.UNAUTHENTICATED);
        assert.equal(e.details, UNAUTHENTICATED_MESSAGE);
        return true;
      });
      const md = new grpc.Metadata();
      md.set('authorization', `Bearer ${clientToken}`);
      assert.ok(await submit(md));
    } finally {
      client.close();
    }
  });

  test('refusals are logged at info with method, peer and name; no token or key anywhere in the log', () => {
    const entries = server.logs.entries();
    const unauth = entries.filter((e) => e['msg'] === 'call refused: no valid credentials');
    assert.ok(unauth.length >= 20);
    for (const e of unauth) {
      assert.equal(e['level'], 30);
      assert.match(
        String(e['method']),
        /^\/(spark\.v1\.Spark(Processor|Admin)|grpc\.reflection\.v1\.ServerReflection)\//,
      );
      assert.equal(e['remoteAddress'], '127.0.0.1');
      assert.equal(e['identity'], undefined, 'no name is known for a bad credential');
    }
    const denied = entries.filter((e) => e['msg'] === 'call refused: the credential lacks the admin role');
    assert.deepEqual(
      denied.map((e) => [e['method'], e['identity'], e['via'], e['level']]),
      [
        ['/spark.v1.SparkAdmin/SealNow', 'billing', 'token', 30],
        ['/spark.v1.SparkAdmin/RotateKey', 'billing', 'token', 30],
      ],
    );
    const listening = entries.find((e) => e['msg'] === 'listening');
    assert.deepEqual(listening?.['credentials'], ['tokens']);
    const text = server.logs.text();
    assertNoSecrets(text, secrets, 'server log');
    assertNoSecrets(text, privateKeyBytes(pki.server.key), 'server log');
    assert.ok(!/spk_/.test(text), 'nothing token-shaped in the log');
  });
});
