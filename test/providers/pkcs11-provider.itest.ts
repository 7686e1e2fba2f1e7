// The pkcs11 provider against a real SoftHSM2 token: the KeyProvider contract, keys that cannot leave the token,
// persistence, refusals without the PIN, recovery from logout and lost sessions, two providers in one process,
// and a batch signed by a token-derived key whose bundle verifies. Everything the tests print is captured and
// searched for the PINs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { createKeyProvider } from '../../providers/create-provider.ts';
import { createDockerSecretProvider } from '../../providers/docker-secret-provider.ts';
import { KeyError, type KeyErrorCode } from '../../providers/key-error.ts';
import type { KeyProvider } from '../../providers/key-provider.ts';
import {
  type BindingAbilities,
  chooseBatchKeyPlacement,
  PKCS11JS_ABILITIES,
} from '../../providers/pkcs11/batch-key-placement.ts';
import { findTokenSlot } from '../../providers/pkcs11/find-token.ts';
import {
  CKA_CLASS,
  CKA_EC_POINT,
  CKA_EXTRACTABLE,
  CKA_KEY_TYPE,
  CKA_LABEL,
  CKA_PRIVATE,
  CKA_SENSITIVE,
  CKA_SIGN,
  CKA_TOKEN,
  CKA_VALUE,
  CKK_GENERIC_SECRET,
  CKM_EDDSA,
  CKM_ML_DSA,
  CKM_ML_DSA_KEY_PAIR_GEN,
  CKM_SHA256_HMAC,
  CKO_PRIVATE_KEY,
  CKO_PUBLIC_KEY,
  CKO_SECRET_KEY,
  CKP_ML_DSA_44,
  CKP_ML_DSA_65,
  CKP_ML_DSA_87,
  CKR_ATTRIBUTE_SENSITIVE,
  CKR_USER_NOT_LOGGED_IN,
} from '../../providers/pkcs11/pkcs11-constants.ts';
import { ckrCode } from '../../providers/pkcs11/pkcs11-error.ts';
import { acquireModule } from '../../providers/pkcs11/pkcs11-module.ts';
import {
  createPkcs11Provider,
  DEFAULT_MASTER_KEY_LABEL,
  DEFAULT_SYMBOL_KEY_LABEL,
  type Pkcs11ProviderOptions,
} from '../../providers/pkcs11/pkcs11-provider.ts';
import { openSessionPool } from '../../providers/pkcs11/session-pool.ts';
import { ed25519PointToRaw } from '../../providers/pkcs11/token-ed25519-signer.ts';
import { readPinFile } from '../../providers/secret-file.ts';
import { makeKeyEntry } from '../../src/batch/key-entry.ts';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { createNobleEd25519Verifier } from '../../src/proof/anchor/noble-ed25519-verifier.ts';
import { encodeBundle } from '../../src/proof/bundle/codec.ts';
import { verifyBundle } from '../../src/proof/bundle/verify.ts';
import {
  allAlgorithms,
  ML_DSA_44,
  ML_DSA_65,
  ML_DSA_65_ED25519,
  ML_DSA_87,
  SLH_DSA_SHA2_128F,
} from '../../src/proof/crypto/algorithms.ts';
import { HEADER_SIGNATURE_CONTEXT } from '../../src/proof/crypto/contexts.ts';
import { createNobleVerifier } from '../../src/proof/crypto/noble-verifier.ts';
import { bundleOf, digestsOf, sealBatch, type TestKey } from '../bundle/fixture.ts';
import { assertNoSecrets } from '../support/secret-scan.ts';
import { openRawSession } from '../support/softhsm-session.ts';
import { createSoftHsm, type SoftHsmToken } from '../support/softhsm-token.ts';
import { keyProviderContract } from './key-provider-contract.ts';

// Everything printed from here on (by the tests, the runner, or anything they call) is kept for the PIN check.
const printed: string[] = [];
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    printed.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return write(chunk, ...rest);
  }) as typeof stream.write;
}

// Every token is made before the first provider loads the module: SoftHSM reads its token directory at C_Initialize.
const hsm = createSoftHsm();
const main = hsm.addToken('spark-main');
const imported = hsm.addToken('spark-imported');
const persistent = hsm.addToken('spark-persist');
const lockable = hsm.addToken('spark-wrong-pin');
const bare = hsm.addToken('spark-bare');
const TOKENS = [main, imported, persistent, lockable, bare];

after(() => {
  hsm.remove();
  const text = printed.join('');
  const pins = new Map<string, Uint8Array>();
  for (const t of TOKENS) {
    assert.ok(!text.includes(t.pin), `the output contains the PIN of ${t.label}`);
    pins.set(`PIN of ${t.label}`, Buffer.from(t.pin));
  }
  assertNoSecrets(text, pins, 'the test output');
});

const options = (token: SoftHsmToken, more: Partial<Pkcs11ProviderOptions> = {}): Pkcs11ProviderOptions => ({
  modulePath: hsm.module,
  tokenLabel: token.label,
  pinFile: token.pinFile,
  ...more,
});

const MESSAGE = new TextEncoder().encode('batch header bytes');
const CONTEXT = new TextEncoder().encode('spark/test/pkcs11');

/** Prints `err` in full (cause, native stack, properties) so the PIN check sees everything an operator could. */
function show(err: unknown): string {
  const text = inspect(err, { depth: 8 });
  console.log(`refused as expected: ${text}`);
  return `${text}\n${err instanceof Error ? err.stack : ''}`;
}

/** Awaits a KeyError `code` whose message matches `message` and whose full printout holds none of the PINs. */
async function refused(
  attempt: () => Promise<unknown>,
  code: KeyErrorCode,
  message: RegExp,
): Promise<KeyError> {
  try {
    await attempt();
  } catch (err) {
    const text = show(err);
    assert.ok(err instanceof KeyError, String(err));
    assert.equal(err.code, code);
    assert.match(err.message, message);
    for (const t of TOKENS) assert.ok(!text.includes(t.pin), 'the error carries a PIN');
    return err;
  }
  assert.fail(`expected KeyError ${code}`);
}

async function withProvider<T>(o: Pkcs11ProviderOptions, fn: (p: KeyProvider) => Promise<T>): Promise<T> {
  const provider = await createPkcs11Provider(o);
  try {
    return await fn(provider);
  } finally {
    await provider.close();
  }
}

/** Finds the one object of `objectClass` labelled `label` through a raw session. */
function rawFind(raw: ReturnType<typeof openRawSession>, objectClass: number, label: string) {
  raw.pkcs11.C_FindObjectsInit(raw.session, [
    { type: CKA_CLASS, value: objectClass },
    { type: CKA_LABEL, value: label },
  ]);
  const found = raw.pkcs11.C_FindObjects(raw.session, 2);
  raw.pkcs11.C_FindObjectsFinal(raw.session);
  assert.equal(found.length, 1, `one ${label}`);
  return found[0] as Buffer;
}

keyProviderContract('pkcs11 (SoftHSM2)', () =>
  createKeyProvider({ kind: 'pkcs11', ...options(main), sessions: 2 }),
);

describe('pkcs11 provider (SoftHSM2)', () => {
  test('kind "pkcs11", protection "hsm"; SoftHSM 2.6.1 has no CKM_ML_DSA, so batch keys are derived in the token', async () => {
    await withProvider(options(main), async (provider) => {
      assert.equal(provider.kind, 'pkcs11');
      const key = await provider.open('batch-signing', ML_DSA_65);
      assert.equal(key.protection, 'hsm');
    });
    const lease = acquireModule(hsm.module);
    try {
      const mechanisms = lease.pkcs11.C_GetMechanismList(findTokenSlot(lease.pkcs11, hsm.module, main.label));
      assert.ok(mechanisms.includes(CKM_SHA256_HMAC) && mechanisms.includes(CKM_EDDSA));
      assert.ok(!mechanisms.includes(CKM_ML_DSA_KEY_PAIR_GEN) && !mechanisms.includes(CKM_ML_DSA));
      for (const spec of allAlgorithms()) {
        assert.equal(
          chooseBatchKeyPlacement(spec.id, mechanisms, PKCS11JS_ABILITIES).where,
          'derived',
          spec.name,
        );
      }
    } finally {
      lease.release();
    }
  });

  test('the Ed25519 account key and the HMAC master key cannot be read out of the token', async () => {
    await withProvider(options(main), async (provider) => {
      const account = await provider.openSymbolAccount();
      await provider.open('batch-signing', ML_DSA_65);
      const raw = openRawSession(hsm.module, main.label);
      try {
        assert.equal(raw.initialised, false, 'the provider initialised the module; the login is shared');
        const keys = [
          rawFind(raw, CKO_PRIVATE_KEY, DEFAULT_SYMBOL_KEY_LABEL),
          rawFind(raw, CKO_SECRET_KEY, DEFAULT_MASTER_KEY_LABEL),
        ];
        for (const handle of keys) {
          assert.throws(
            () => raw.pkcs11.C_GetAttributeValue(raw.session, handle, [{ type: CKA_VALUE }]),
            (err: unknown) => ckrCode(err) === CKR_ATTRIBUTE_SENSITIVE,
          );
          const flags = raw.pkcs11
            .C_GetAttributeValue(raw.session, handle, [
              { type: CKA_EXTRACTABLE },
              { type: CKA_SENSITIVE },
              { type: CKA_TOKEN },
              { type: CKA_PRIVATE },
            ])
            .map((a) => (a.value as Buffer)[0]);
          assert.deepEqual(flags, [0, 1, 1, 1], 'not extractable, sensitive, a token object, private');
        }
        // The account's public key is the token's CKA_EC_POINT.
        const point = raw.pkcs11.C_GetAttributeValue(
          raw.session,
          rawFind(raw, CKO_PUBLIC_KEY, DEFAULT_SYMBOL_KEY_LABEL),
          [{ type: CKA_EC_POINT }],
        )[0]?.value as Buffer;
        assert.deepEqual(ed25519PointToRaw(point), account.publicKey);
      } finally {
        raw.close();
      }
    });
  });

  test('Symbol account signatures verify with @noble/curves (pure Ed25519, as Symbol checks them)', async () => {
    await withProvider(options(main), async (provider) => {
      const account = await provider.openSymbolAccount();
      const noble = createNobleEd25519Verifier();
      for (const size of [1, 32, 200, 4096]) {
        const payload = randomBytes(size);
        const signature = await account.sign(payload);
        assert.ok(noble.verify(signature, payload, account.publicKey), `${size} bytes`);
        assert.equal(noble.verify(signature, randomBytes(size), account.publicKey), false);
      }
    });
  });

  test('the same token gives the same batch keys and Symbol account across provider instances', async () => {
    const first = await withProvider(options(persistent), async (p) => ({
      g0: (await p.open('batch-signing', ML_DSA_65, 0)).publicKey,
      g3: (await p.open('batch-signing', ML_DSA_65, 3)).publicKey,
      hybrid: (await p.open('batch-signing', ML_DSA_65_ED25519)).publicKey,
      account: (await p.openSymbolAccount()).publicKey,
    }));
    const again = await withProvider(
      options(persistent, { sessions: 1, implementation: 'noble' }),
      async (p) => ({
        g0: (await p.open('batch-signing', ML_DSA_65, 0)).publicKey,
        g3: (await p.open('batch-signing', ML_DSA_65, 3)).publicKey,
        hybrid: (await p.open('batch-signing', ML_DSA_65_ED25519)).publicKey,
        account: (await p.openSymbolAccount()).publicKey,
      }),
    );
    assert.deepEqual(again, first);
    assert.notDeepEqual(first.g3, first.g0);
    // Another token has another master key and another account.
    await withProvider(options(main), async (p) => {
      assert.notDeepEqual((await p.open('batch-signing', ML_DSA_65, 0)).publicKey, first.g0);
      assert.notDeepEqual((await p.openSymbolAccount()).publicKey, first.account);
    });
  });

  test('a docker-secret root imported into the token as a generic secret gives the same keys (HKDF-Expand in the token)', async () => {
    const root = randomBytes(32);
    const raw = openRawSession(hsm.module, imported.label);
    try {
      raw.pkcs11.C_Login(raw.session, 1, imported.pin);
      raw.pkcs11.C_CreateObject(raw.session, [
        { type: CKA_CLASS, value: CKO_SECRET_KEY },
        { type: CKA_KEY_TYPE, value: CKK_GENERIC_SECRET },
        { type: CKA_VALUE, value: Buffer.from(root) },
        { type: CKA_LABEL, value: 'imported-root' },
        { type: CKA_TOKEN, value: true },
        { type: CKA_PRIVATE, value: true },
        { type: CKA_SENSITIVE, value: true },
        { type: CKA_EXTRACTABLE, value: false },
        { type: CKA_SIGN, value: true },
      ]);
    } finally {
      raw.close();
    }
    const dir = join(hsm.dir, 'imported-secrets');
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(`${dir}/spark_pqc_seed`, root, { mode: 0o400 });
    writeFileSync(`${dir}/spark_symbol_seed`, randomBytes(32), { mode: 0o400 });
    const file = createDockerSecretProvider({ dir });
    try {
      await withProvider(options(imported, { masterKeyLabel: 'imported-root' }), async (token) => {
        // ML-DSA (one HMAC block), SLH-DSA (48 bytes: two blocks) and a hybrid (one seed per component).
        for (const [id, generation] of [
          [ML_DSA_65, 0],
          [ML_DSA_65, 1],
          [ML_DSA_44, 0],
          [SLH_DSA_SHA2_128F, 0],
          [ML_DSA_65_ED25519, 2],
        ] as const) {
          const fromToken = await token.open('batch-signing', id, generation);
          const fromFile = await file.open('batch-signing', id, generation);
          assert.deepEqual(fromToken.publicKey, fromFile.publicKey, `${id}/${generation}`);
        }
      });
    } finally {
      await file.close();
    }
  });

  test('a master key that could leave the token is refused', async () => {
    const raw = openRawSession(hsm.module, imported.label);
    try {
      raw.pkcs11.C_Login(raw.session, 1, imported.pin);
      raw.pkcs11.C_CreateObject(raw.session, [
        { type: CKA_CLASS, value: CKO_SECRET_KEY },
        { type: CKA_KEY_TYPE, value: CKK_GENERIC_SECRET },
        { type: CKA_VALUE, value: randomBytes(32) },
        { type: CKA_LABEL, value: 'extractable-root' },
        { type: CKA_TOKEN, value: true },
        { type: CKA_SENSITIVE, value: false },
        { type: CKA_EXTRACTABLE, value: true },
        { type: CKA_SIGN, value: true },
      ]);
    } finally {
      raw.close();
    }
    await withProvider(options(imported, { masterKeyLabel: 'extractable-root' }), async (provider) => {
      await refused(
        () => provider.open('batch-signing', ML_DSA_65),
        'TOKEN_UNAVAILABLE',
        /seed master key "extractable-root" could leave the token/,
      );
    });
  });

  test('a wrong PIN, a missing token, a bad module path and a group-readable PIN file are refused without the PIN', async () => {
    const wrong = hsm.writeFile('wrong.pin', `${lockable.pin}x\n`, 0o400);
    await refused(
      () => createPkcs11Provider(options(lockable, { pinFile: wrong })),
      'TOKEN_UNAVAILABLE',
      /^login to token "spark-wrong-pin" failed: CKR_PIN_INCORRECT$/,
    );
    await refused(
      () => createPkcs11Provider(options(main, { tokenLabel: 'no-such-token' })),
      'TOKEN_UNAVAILABLE',
      /^no token labelled "no-such-token" in PKCS#11 module "\/usr\/lib\/softhsm\/libsofthsm2.so" \(tokens present: .*"spark-main"/,
    );
    await refused(
      () => createPkcs11Provider(options(main, { modulePath: '/nonexistent/libpkcs11.so' })),
      'TOKEN_UNAVAILABLE',
      /^PKCS#11 module "\/nonexistent\/libpkcs11.so" could not be loaded: /,
    );
    const readable = hsm.writeFile('group.pin', `${main.pin}\n`, 0o640);
    await refused(
      () => createPkcs11Provider(options(main, { pinFile: readable })),
      'SECRET_UNUSABLE',
      /mode 0640, which lets group access it; use 0400 or 0600/,
    );
    await refused(
      () => createPkcs11Provider(options(main, { pinFile: `${hsm.dir}/absent.pin` })),
      'SECRET_UNUSABLE',
      /cannot read .* \(ENOENT\)/,
    );
    await refused(() => createPkcs11Provider(options(main, { sessions: 0 })), 'INVALID_INPUT', /sessions/);
    await refused(
      () => createPkcs11Provider(options(main, { tokenLabel: ' ' })),
      'INVALID_INPUT',
      /tokenLabel/,
    );
    // The token label is compared trimmed, and the right PIN still works after the refusals.
    await withProvider(options(lockable, { tokenLabel: ' spark-wrong-pin  ' }), async (p) => {
      await p.openSymbolAccount();
    });
  });

  test('an unsupported algorithm is refused before the token is asked', async () => {
    await withProvider(options(main), async (provider) => {
      await refused(
        () => provider.open('batch-signing', 0x7777),
        'UNSUPPORTED_ALGORITHM',
        /unknown algorithm id/,
      );
    });
  });

  test('after C_Logout underneath, the next signature and the next key derivation log in again and work', async () => {
    await withProvider(options(main), async (provider) => {
      const account = await provider.openSymbolAccount();
      const key = await provider.open('batch-signing', ML_DSA_65, 0);
      const raw = openRawSession(hsm.module, main.label);
      try {
        raw.pkcs11.C_Logout(raw.session);
        const payload = randomBytes(100);
        assert.ok(
          createNobleEd25519Verifier().verify(await account.sign(payload), payload, account.publicKey),
        );
        raw.pkcs11.C_Logout(raw.session);
        const g5 = await provider.open('batch-signing', ML_DSA_65, 5);
        assert.notDeepEqual(g5.keyId, key.keyId);
        assert.ok(
          createNativeVerifier().verify(
            ML_DSA_65,
            g5.publicKey,
            MESSAGE,
            await g5.sign(MESSAGE, CONTEXT),
            CONTEXT,
          ),
        );
      } finally {
        raw.close();
      }
    });
  });

  test('after every session is closed underneath (as a token restart does), sessions are reopened', async () => {
    await withProvider(options(main, { sessions: 3 }), async (provider) => {
      const account = await provider.openSymbolAccount();
      const raw = openRawSession(hsm.module, main.label);
      raw.pkcs11.C_CloseAllSessions(raw.slot);
      raw.close();
      const payloads = Array.from({ length: 6 }, () => randomBytes(64));
      const signatures = await Promise.all(payloads.map((p) => account.sign(p)));
      signatures.forEach((s, i) => {
        assert.ok(createNobleEd25519Verifier().verify(s, payloads[i] as Uint8Array, account.publicKey));
      });
      await provider.open('batch-signing', ML_DSA_87, 9);
    });
  });

  test('the pool retries once after CKR_USER_NOT_LOGGED_IN or a lost session, and only once', async () => {
    const lease = acquireModule(hsm.module);
    const slot = findTokenSlot(lease.pkcs11, hsm.module, main.label);
    const pool = openSessionPool({
      pkcs11: lease.pkcs11,
      slot,
      size: 1,
      tokenLabel: main.label,
      readPin: () => readPinFile(main.pinFile),
    });
    const { pkcs11 } = lease;
    const makeSessionKey = (session: Buffer) =>
      pkcs11.C_GenerateKey(session, { mechanism: 0x350 }, [
        { type: CKA_CLASS, value: CKO_SECRET_KEY },
        { type: CKA_KEY_TYPE, value: CKK_GENERIC_SECRET },
        { type: 0x161, value: 32 },
        { type: CKA_TOKEN, value: false },
        { type: CKA_PRIVATE, value: true },
      ]);
    try {
      const before = pool.stats();
      let attempts = 0;
      await pool.run((session) => {
        attempts++;
        // Logged out between the pool's check and the operation: the token answers CKR_USER_NOT_LOGGED_IN.
        if (attempts === 1) pkcs11.C_Logout(session);
        return makeSessionKey(session);
      });
      assert.equal(attempts, 2);
      assert.equal(pool.stats().logins, before.logins + 1);

      attempts = 0;
      await assert.rejects(
        pool.run((session) => {
          attempts++;
          pkcs11.C_Logout(session);
          return makeSessionKey(session);
        }),
        (err: unknown) => ckrCode(err) === CKR_USER_NOT_LOGGED_IN,
      );
      assert.equal(attempts, 2, 'retried once, not more');

      attempts = 0;
      await pool.run((session) => {
        attempts++;
        if (attempts === 1) pkcs11.C_CloseSession(session);
        return makeSessionKey(session);
      });
      assert.equal(attempts, 2);
      assert.equal(pool.stats().reopened, before.reopened + 1);
    } finally {
      await pool.close();
      lease.release();
    }
    await assert.rejects(
      pool.run(() => 1),
      (err: unknown) => err instanceof KeyError && err.code === 'CLOSED',
    );
  });

  test('two providers over one module in one process: both work, and closing one leaves the other working', async () => {
    const a = await createPkcs11Provider(options(main));
    const b = await createPkcs11Provider(options(persistent));
    const c = await createPkcs11Provider(options(main, { sessions: 1 }));
    try {
      const [accountA, accountB, accountC] = await Promise.all([
        a.openSymbolAccount(),
        b.openSymbolAccount(),
        c.openSymbolAccount(),
      ]);
      assert.deepEqual(accountC.publicKey, accountA.publicKey, 'same token, same account');
      assert.notDeepEqual(accountB.publicKey, accountA.publicKey);
      await a.close();
      const payload = randomBytes(48);
      assert.ok(
        createNobleEd25519Verifier().verify(await accountB.sign(payload), payload, accountB.publicKey),
      );
      assert.ok(
        createNobleEd25519Verifier().verify(await accountC.sign(payload), payload, accountC.publicKey),
      );
      await assert.rejects(
        accountA.sign(payload),
        (e: unknown) => e instanceof KeyError && e.code === 'CLOSED',
      );
      const key = await c.open('batch-signing', ML_DSA_44);
      assert.ok(
        createNativeVerifier().verify(
          ML_DSA_44,
          key.publicKey,
          MESSAGE,
          await key.sign(MESSAGE, CONTEXT),
          CONTEXT,
        ),
      );
    } finally {
      await a.close();
      await b.close();
      await c.close();
    }
  });

  test('a module another library initialised (CKR_CRYPTOKI_ALREADY_INITIALIZED) is used and left initialised', async () => {
    const raw = openRawSession(hsm.module, main.label);
    try {
      assert.equal(raw.initialised, true, 'no provider holds the module between tests');
      await withProvider(options(main), async (provider) => {
        const account = await provider.openSymbolAccount();
        const payload = randomBytes(10);
        assert.ok(
          createNobleEd25519Verifier().verify(await account.sign(payload), payload, account.publicKey),
        );
      });
      // The provider did not finalise what it did not initialise: the raw session still works.
      assert.ok(raw.pkcs11.C_GetSessionInfo(raw.session));
      assert.ok(raw.pkcs11.C_GetSlotList(true).length > 0);
    } finally {
      raw.close();
    }
  });

  test('concurrent signatures and key opens share a pool of two sessions', async () => {
    await withProvider(options(main, { sessions: 2 }), async (provider) => {
      const account = await provider.openSymbolAccount();
      const payloads = Array.from({ length: 12 }, () => randomBytes(80));
      const [signatures, keys] = await Promise.all([
        Promise.all(payloads.map((p) => account.sign(p))),
        Promise.all([0, 1, 2, 1, 0].map((g) => provider.open('batch-signing', ML_DSA_65, g))),
      ]);
      signatures.forEach((s, i) => {
        assert.ok(createNobleEd25519Verifier().verify(s, payloads[i] as Uint8Array, account.publicKey));
      });
      assert.deepEqual(keys[3]?.keyId, keys[1]?.keyId);
      assert.deepEqual(keys[4]?.keyId, keys[0]?.keyId);
    });
  });

  test('a token without the master key generates it once, as a non-extractable token object', async () => {
    const label = `master-${randomBytes(4).toString('hex')}`;
    const first = await withProvider(
      options(bare, { masterKeyLabel: label }),
      async (p) => (await p.open('batch-signing', ML_DSA_65)).publicKey,
    );
    const second = await withProvider(
      options(bare, { masterKeyLabel: label }),
      async (p) => (await p.open('batch-signing', ML_DSA_65)).publicKey,
    );
    assert.deepEqual(second, first);
    const raw = openRawSession(hsm.module, bare.label);
    try {
      raw.pkcs11.C_Login(raw.session, 1, bare.pin);
      const handle = rawFind(raw, CKO_SECRET_KEY, label);
      assert.throws(
        () => raw.pkcs11.C_GetAttributeValue(raw.session, handle, [{ type: CKA_VALUE }]),
        (err: unknown) => ckrCode(err) === CKR_ATTRIBUTE_SENSITIVE,
      );
    } finally {
      raw.close();
    }
  });

  test('a batch header signed with a token-derived key makes a bundle that verifies', async () => {
    await withProvider(options(main), async (provider) => {
      const key = await provider.open('batch-signing', ML_DSA_65, 0);
      const T0 = 1_760_000_000_000;
      const entry = await makeKeyEntry({
        key,
        generation: 0,
        validFromMs: T0 - 1000,
        previousKeyId: new Uint8Array(0),
        endorser: undefined,
      });
      // The fixture signs synchronously: it gets a placeholder, and the token-derived key's signature replaces it.
      const placeholder: TestKey = {
        algorithmId: key.algorithmId,
        publicKey: key.publicKey,
        keyId: key.keyId,
        sign: () => new Uint8Array(0),
      };
      const digests = digestsOf(7, 'pkcs11');
      const unsigned = sealBatch({ key: placeholder, digests, timeMs: BigInt(T0) });
      const signature = await key.sign(unsigned.batch.header, HEADER_SIGNATURE_CONTEXT);
      const [first] = unsigned.batch.signatures;
      assert.ok(first !== undefined);
      const sealed = { ...unsigned, batch: { ...unsigned.batch, signatures: [{ ...first, signature }] } };
      for (const index of [0, 4, 6]) {
        const bytes = encodeBundle(bundleOf(sealed, index, [entry]));
        for (const verifier of [createNativeVerifier(), createNobleVerifier()]) {
          const report = verifyBundle(bytes, {
            verifier,
            sha256: nativeSha256,
            digest: digests[index] as Uint8Array,
          });
          assert.deepEqual(
            report.checks.filter((c) => !c.ok).map((c) => c.name),
            [],
            JSON.stringify(report.checks),
          );
          assert.ok(report.checks.find((c) => c.name === 'key')?.detail.includes('(ML-DSA-65, hsm)'));
        }
      }
    });
  });
});

describe('batch key placement (pure)', () => {
  const withContext: BindingAbilities = { signContextParameter: () => Buffer.alloc(0) };
  const pqcToken = [CKM_SHA256_HMAC, CKM_EDDSA, CKM_ML_DSA_KEY_PAIR_GEN, CKM_ML_DSA];

  test('ML-DSA lives in the token when it has CKM_ML_DSA and the binding passes the context', () => {
    for (const [id, set] of [
      [ML_DSA_44, CKP_ML_DSA_44],
      [ML_DSA_65, CKP_ML_DSA_65],
      [ML_DSA_87, CKP_ML_DSA_87],
    ] as const) {
      assert.deepEqual(chooseBatchKeyPlacement(id, pqcToken, withContext), {
        where: 'token',
        parameterSet: set,
      });
    }
  });

  test('otherwise the key is derived, saying why', () => {
    const reasonOf = (id: number, mechanisms: number[], binding: BindingAbilities = withContext) => {
      const p = chooseBatchKeyPlacement(id, mechanisms, binding);
      assert.equal(p.where, 'derived');
      return p.where === 'derived' ? p.reason : '';
    };
    assert.match(reasonOf(ML_DSA_65, pqcToken, PKCS11JS_ABILITIES), /CK_SIGN_ADDITIONAL_CONTEXT/);
    assert.match(reasonOf(ML_DSA_65, [CKM_SHA256_HMAC, CKM_ML_DSA]), /CKM_ML_DSA_KEY_PAIR_GEN/);
    assert.match(reasonOf(ML_DSA_65, [CKM_SHA256_HMAC, CKM_ML_DSA_KEY_PAIR_GEN]), /CKM_ML_DSA/);
    assert.match(reasonOf(SLH_DSA_SHA2_128F, pqcToken), /SLH-DSA-SHA2-128f has no PKCS#11 mechanism/);
    assert.match(reasonOf(ML_DSA_65_ED25519, pqcToken), /ML-DSA-65\+Ed25519/);
  });

  test('no HMAC and no usable CKM_ML_DSA, or an unknown id, gives "none"', () => {
    assert.equal(chooseBatchKeyPlacement(ML_DSA_65, [CKM_EDDSA], withContext).where, 'none');
    assert.equal(
      chooseBatchKeyPlacement(SLH_DSA_SHA2_128F, [CKM_ML_DSA_KEY_PAIR_GEN, CKM_ML_DSA], withContext).where,
      'none',
    );
    assert.equal(
      chooseBatchKeyPlacement(ML_DSA_65, [CKM_ML_DSA_KEY_PAIR_GEN, CKM_ML_DSA], withContext).where,
      'token',
    );
    assert.equal(chooseBatchKeyPlacement(0x7777, pqcToken, withContext).where, 'none');
  });
});

describe('CKA_EC_POINT and PIN files', () => {
  test('an Ed25519 CKA_EC_POINT is read raw or DER-wrapped, and nothing else', () => {
    const point = randomBytes(32);
    assert.deepEqual(ed25519PointToRaw(point), new Uint8Array(point));
    assert.deepEqual(
      ed25519PointToRaw(Buffer.concat([Buffer.from([0x04, 0x20]), point])),
      new Uint8Array(point),
    );
    for (const bad of [randomBytes(31), randomBytes(33), Buffer.concat([Buffer.from([0x03, 0x20]), point])]) {
      assert.throws(
        () => ed25519PointToRaw(bad),
        (e: unknown) => e instanceof KeyError && e.code === 'TOKEN_UNAVAILABLE',
      );
    }
  });

  test('a PIN file: line ends stripped, mode-checked, not empty, not oversized, never quoted', () => {
    const pin = 'p1n-with spaces:and:colons';
    for (const ending of ['', '\n', '\r\n', '\n\n']) {
      const path = hsm.writeFile('p.pin', `${pin}${ending}`, 0o600);
      const read = readPinFile(path);
      assert.equal(read.toString('utf8'), pin);
      read.fill(0);
    }
    const check = (content: string, mode: number, message: RegExp) => {
      const path = hsm.writeFile('bad.pin', content, mode);
      assert.throws(
        () => readPinFile(path),
        (e: unknown) => {
          assert.ok(e instanceof KeyError && e.code === 'SECRET_UNUSABLE');
          assert.match(e.message, message);
          assert.ok(!e.message.includes(pin));
          return true;
        },
      );
    };
    check('\n', 0o600, /is empty/);
    check('x'.repeat(257), 0o600, /more than 256 bytes/);
    check(`${pin}\n`, 0o604, /lets others access it/);
    check(`${pin}\n`, 0o660, /lets group access it/);
  });
});
