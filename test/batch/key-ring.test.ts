// The key ring over a real LMDB store: which key a start reopens, when it starts a new entry, and who endorses it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createDockerSecretProvider } from '../../providers/docker-secret-provider.ts';
import type { KeyProvider } from '../../providers/key-provider.ts';
import { createMemoryProvider } from '../../providers/memory-provider.ts';
import { openKeyRing } from '../../src/batch/key-ring.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { createLogger } from '../../src/log/logger.ts';
import { encodeKeyStatement } from '../../src/proof/bundle/key-statement.ts';
import { ML_DSA_44, ML_DSA_65 } from '../../src/proof/crypto/algorithms.ts';
import { KEY_ENDORSEMENT_CONTEXT } from '../../src/proof/crypto/contexts.ts';
import { openLmdbStore } from '../../src/store/lmdb-store.ts';
import type { KeyHistoryEntry } from '../../src/store/store.ts';
import { tempDir } from '../support/spawn-server.ts';

const log = createLogger('silent');

/** Opens a store in `path`, a ring over `provider`, runs `fn`, closes both. */
async function withRing(
  path: string,
  provider: KeyProvider,
  algorithmId: number,
  fn: (ring: Awaited<ReturnType<typeof openKeyRing>>, history: () => KeyHistoryEntry[]) => Promise<void>,
  now: () => number = Date.now,
): Promise<void> {
  const store = await openLmdbStore({ path, pendingCapacity: 1000 });
  try {
    const ring = await openKeyRing({ store, provider, algorithmId, headTimeMs: () => 0, now, log });
    await fn(ring, () => store.keyHistory());
  } finally {
    await provider.close();
    await store.close();
  }
}

function endorses(endorser: KeyHistoryEntry, entry: KeyHistoryEntry): boolean {
  const statement = encodeKeyStatement({
    algorithmId: entry.algorithmId,
    keyId: entry.keyId,
    validFromMs: BigInt(entry.validFromMs),
    previousKeyId: entry.previousKeyId,
    protection: entry.protection,
  });
  return createNativeVerifier().verify(
    endorser.algorithmId,
    endorser.publicKey,
    statement,
    entry.endorsement,
    KEY_ENDORSEMENT_CONTEXT,
  );
}

function secrets(root: string): string {
  const dir = join(root, 'secrets');
  mkdirSync(dir, { mode: 0o700 });
  writeFileSync(join(dir, 'spark_pqc_seed'), randomBytes(32), { mode: 0o400 });
  writeFileSync(join(dir, 'spark_symbol_seed'), randomBytes(32), { mode: 0o400 });
  return dir;
}

test('a memory key cannot outlive its process: each start adds an entry that is not endorsed', async (t) => {
  const dir = tempDir('spark-ring-memory-');
  t.after(dir.cleanup);
  const path = join(dir.path, 'data');
  for (let run = 0; run < 3; run++) {
    await withRing(path, createMemoryProvider(), ML_DSA_65, async (ring, history) => {
      const h = history();
      assert.equal(h.length, run + 1);
      assert.equal(h[run]?.generation, run);
      assert.deepEqual(ring.current().entry.keyId, h[run]?.keyId);
      if (run > 0) {
        assert.equal(h[run]?.endorsement.length, 0, 'the previous memory key is gone');
        assert.equal(h[run - 1]?.validUntilMs, h[run]?.validFromMs);
      }
    });
  }
});

test('a file key is reopened at its generation; rotation and algorithm change are endorsed', async (t) => {
  const dir = tempDir('spark-ring-file-');
  t.after(dir.cleanup);
  const path = join(dir.path, 'data');
  const secretsDir = secrets(dir.path);
  const provider = () => createDockerSecretProvider({ dir: secretsDir });
  let clock = 1_800_000_000_000;
  const now = () => clock;
  await withRing(
    path,
    provider(),
    ML_DSA_65,
    async (ring) => {
      clock += 10;
      const second = await ring.rotate('requested');
      assert.equal(second.generation, 1);
      assert.equal(second.validFromMs, clock);
    },
    now,
  );
  // The same secret: the generation-1 key is reopened, nothing appended.
  await withRing(
    path,
    provider(),
    ML_DSA_65,
    async (ring, history) => {
      assert.equal(history().length, 2);
      assert.equal(ring.current().entry.generation, 1);
    },
    now,
  );
  // Another algorithm: a new entry (generation 2) endorsed by the generation-1 key.
  clock += 10;
  await withRing(
    path,
    provider(),
    ML_DSA_44,
    async (ring, history) => {
      const h = history();
      assert.equal(h.length, 3);
      const [, g1, g2] = h as [KeyHistoryEntry, KeyHistoryEntry, KeyHistoryEntry];
      assert.equal(g2.algorithmId, ML_DSA_44);
      assert.equal(g2.generation, 2);
      assert.ok(endorses(g1, g2));
      assert.ok(endorses(h[0] as KeyHistoryEntry, g1));
      assert.equal(ring.current().key.algorithmId, ML_DSA_44);
    },
    now,
  );
});

test('a window never starts before the previous one or before the newest header, even if the clock went back', async (t) => {
  const dir = tempDir('spark-ring-clock-');
  t.after(dir.cleanup);
  const store = await openLmdbStore({ path: join(dir.path, 'data'), pendingCapacity: 10 });
  const provider = createMemoryProvider();
  try {
    let clock = 5_000;
    const ring = await openKeyRing({
      store,
      provider,
      algorithmId: ML_DSA_65,
      headTimeMs: () => 9_000,
      now: () => clock,
      log,
    });
    assert.equal(ring.current().entry.validFromMs, 9_001, 'after the newest header');
    clock = 1_000;
    const next = await ring.rotate('requested');
    assert.equal(next.validFromMs, 9_002, 'after the previous window start');
  } finally {
    await provider.close();
    await store.close();
  }
});

test('signing under use() and rotation are ordered: a rotation waits for a signature in progress', async (t) => {
  const dir = tempDir('spark-ring-order-');
  t.after(dir.cleanup);
  await withRing(join(dir.path, 'data'), createMemoryProvider(), ML_DSA_65, async (ring) => {
    const order: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const using = ring.use(async ({ key }) => {
      order.push(`use ${key.keyId[0]}`);
      await gate;
      order.push('use done');
    });
    const rotating = ring.rotate('requested').then(() => order.push('rotated'));
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(order.slice(1), [], 'the rotation has not run while the key is in use');
    release();
    await Promise.all([using, rotating]);
    assert.deepEqual(order.slice(1), ['use done', 'rotated']);
  });
});
