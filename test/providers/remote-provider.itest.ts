// The remote provider against a real `spark signer` child over mutual TLS on 127.0.0.1: the KeyProvider contract.
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createKeyProvider } from '../../providers/create-provider.ts';
import { KeyError, type KeyErrorCode } from '../../providers/key-error.ts';
import type { KeyProvider } from '../../providers/key-provider.ts';
import { createRemoteProvider, type RemoteProviderOptions } from '../../providers/remote/remote-provider.ts';
import { ML_DSA_65 } from '../../src/proof/crypto/algorithms.ts';
import { remoteProvider, type SignerProcess, startSignerProcess } from '../signer/signer-process.ts';
import { makeTestPki, type TestPki } from '../support/tls-certs.ts';
import { keyProviderContract } from './key-provider-contract.ts';

let pki: TestPki | undefined;
let signer: SignerProcess | undefined;
const opened: KeyProvider[] = [];

before(async () => {
  pki = makeTestPki();
  signer = await startSignerProcess({ pki });
});

after(async () => {
  for (const provider of opened) await provider.close();
  await signer?.stop();
  pki?.cleanup();
});

/** A provider as the sidecar (CN=sidecar) would open it. */
async function makeProvider(): Promise<KeyProvider> {
  assert.ok(pki !== undefined && signer !== undefined, 'signer started');
  const provider = remoteProvider(pki, signer.address, pki.sidecar);
  opened.push(provider);
  return provider;
}

keyProviderContract('remote (mTLS signer)', makeProvider);

describe('remote provider', () => {
  test('is made by the factory, reports kind "remote" and protection "remote" whatever the signer uses', async () => {
    assert.ok(pki !== undefined && signer !== undefined);
    const provider = await createKeyProvider({
      kind: 'remote',
      address: signer.address,
      caFile: pki.caCert,
      certFile: pki.sidecar.cert,
      keyFile: pki.sidecar.key,
      serverName: 'localhost',
    });
    opened.push(provider);
    assert.equal(provider.kind, 'remote');
    const key = await provider.open('batch-signing', ML_DSA_65, 3);
    assert.equal(key.protection, 'remote');
    // The same key through another connection: the signer, not the connection, holds it.
    const other = await makeProvider();
    assert.deepEqual((await other.open('batch-signing', ML_DSA_65, 3)).keyId, key.keyId);
  });

  test('unusable TLS files and addresses are refused at creation, naming the option, never the contents', () => {
    assert.ok(pki !== undefined && signer !== undefined);
    const looseKey = join(pki.dir, 'loose-client.key');
    writeFileSync(looseKey, readFileSync(pki.sidecar.key));
    chmodSync(looseKey, 0o644);
    assert.throws(
      () =>
        createRemoteProvider({
          address: signer?.address ?? '',
          caFile: pki?.caCert ?? '',
          certFile: pki?.sidecar.cert ?? '',
          keyFile: looseKey,
        }),
      /keyFile: .*loose-client\.key has mode 0644, which lets group and others access it; use 0400 or 0600/,
    );
    const base: RemoteProviderOptions = {
      address: signer.address,
      caFile: pki.caCert,
      certFile: pki.sidecar.cert,
      keyFile: pki.sidecar.key,
    };
    const cases: [Partial<RemoteProviderOptions>, KeyErrorCode, string][] = [
      [{ caFile: '/nonexistent/ca.pem' }, 'SECRET_UNUSABLE', 'caFile'],
      [{ certFile: '/nonexistent/cert.pem' }, 'SECRET_UNUSABLE', 'certFile'],
      [{ keyFile: pki.intruder.key }, 'SECRET_UNUSABLE', 'keyFile'], // not the certificate's key
      [{ keyFile: pki.caCert }, 'SECRET_UNUSABLE', 'keyFile'], // not a key at all
      [{ keyFile: looseKey }, 'SECRET_UNUSABLE', 'keyFile'], // readable by others
      [{ address: 'no-port' }, 'INVALID_INPUT', 'address'],
      [{ address: '127.0.0.1:0' }, 'INVALID_INPUT', 'address'],
    ];
    for (const [change, code, field] of cases) {
      assert.throws(
        () => createRemoteProvider({ ...base, ...change }),
        (e: unknown) => {
          assert.ok(e instanceof KeyError, String(e));
          assert.equal(e.code, code);
          assert.equal(e.field, field);
          assert.doesNotMatch(e.message, /BEGIN|PRIVATE/);
          return true;
        },
      );
    }
  });
});
