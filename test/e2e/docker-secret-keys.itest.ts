// With SPARK_KEY_PROVIDER=docker-secret the signing key survives restarts: one key-history entry, same key id.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { toBinary } from '@bufbuild/protobuf';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { loadConfig } from '../../src/config/config.ts';
import { SparkAdmin } from '../../src/gen/spark/v1/admin_pb.js';
import { ProofBundleSchema } from '../../src/gen/spark/v1/bundle_pb.js';
import { SparkProcessor } from '../../src/gen/spark/v1/processor_pb.js';
import { createLogger } from '../../src/log/logger.ts';
import { createApp } from '../../src/main.ts';
import { tempDir } from '../support/spawn-server.ts';

test('keys from Docker secrets: the same key after a restart, recorded once, with protection "file"', async (t) => {
  const dir = tempDir('spark-secret-keys-');
  t.after(dir.cleanup);
  const secrets = join(dir.path, 'secrets');
  mkdirSync(secrets, { mode: 0o700 });
  writeFileSync(join(secrets, 'spark_pqc_seed'), randomBytes(32).toString('hex'), { mode: 0o400 });
  writeFileSync(join(secrets, 'spark_symbol_seed'), randomBytes(32), { mode: 0o400 });
  const env = {
    SPARK_LISTEN: '127.0.0.1:0',
    SPARK_DATA_DIR: join(dir.path, 'data'),
    SPARK_KEY_PROVIDER: 'docker-secret',
    SPARK_SECRETS_DIR: secrets,
  };
  const keyIds: string[] = [];
  for (let run = 0; run < 2; run++) {
    const app = await createApp(loadConfig(env), createLogger('silent'));
    try {
      const transport = createGrpcTransport({ baseUrl: `http://127.0.0.1:${app.address.port}` });
      const client = createClient(SparkProcessor, transport);
      const leaf = (await client.submit({ payload: { case: 'digest', value: randomBytes(32) } })).receipt
        ?.leafHash;
      await createClient(SparkAdmin, transport).sealNow({});
      const proof = await client.prove({ leafHash: leaf as Uint8Array });
      const verdict = await client.verify({ bundle: toBinary(ProofBundleSchema, proof.bundle as never) });
      assert.equal(verdict.valid, true);
      const inventory = await client.getInventory({});
      assert.equal(inventory.keyProvider, 'docker-secret');
      assert.equal(inventory.keys.length, 1, 'a restart with the same secret adds no key-history entry');
      assert.equal(inventory.keys[0]?.protection, 'file');
      keyIds.push(Buffer.from(inventory.keys[0]?.keyId ?? []).toString('hex'));
    } finally {
      await app.close();
    }
  }
  assert.equal(keyIds[0], keyIds[1]);
});
