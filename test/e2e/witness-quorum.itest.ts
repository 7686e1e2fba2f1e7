// The log gathers witnesses' cosignatures on its checkpoint notes (docs/witnesses.md): three witnesses over real
// HTTP on loopback, quorum 2; one stopped keeps the quorum, two stopped lose it, their return restores it. Every
// cosignature in GetCheckpoint verifies under its witness's key, and consistency proofs link the notes.
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Client, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { loadConfig } from '../../src/config/config.ts';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { SparkAdmin } from '../../src/gen/spark/v1/admin_pb.js';
import { SparkProcessor } from '../../src/gen/spark/v1/processor_pb.js';
import { createLogger } from '../../src/log/logger.ts';
import { type App, createApp } from '../../src/main.ts';
import { createNoteSignatureCheck } from '../../src/note/note-verifier.ts';
import type { WitnessPolicy } from '../../src/proof/bundle/checks/witnesses.ts';
import { encodeBundle } from '../../src/proof/bundle/codec.ts';
import { verifyBundle } from '../../src/proof/bundle/verify.ts';
import { verifyConsistency } from '../../src/proof/merkle/consistency.ts';
import { parseCheckpointText } from '../../src/proof/note/checkpoint-text.ts';
import {
  type Cosigner,
  cosignerKeyId,
  cosignerVerifierKey,
  verifyCosignature,
} from '../../src/proof/note/cosignature.ts';
import { parseNote } from '../../src/proof/note/signed-note.ts';
import { parseTrustRoot, type TrustRoot } from '../../src/proof/trust/trust-root.ts';
import { createWitness, type Witness, type WitnessedLog } from '../../src/witness/witness.ts';
import { startWitnessServer, type WitnessServer } from '../../src/witness/witness-http.ts';
import { openWitnessState, type WitnessState } from '../../src/witness/witness-state.ts';
import { tempDir } from '../support/spawn-server.ts';

const check = createNoteSignatureCheck();

/** A witness on loopback whose log list is set once the log's key is known; stop() and start() keep its state. */
function loopbackWitness(dir: string, name: string) {
  const pair = generateKeyPairSync('ml-dsa-44');
  const self: Cosigner = {
    name,
    algorithm: 'ML-DSA-44',
    publicKey: new Uint8Array(pair.publicKey.export({ format: 'der', type: 'spki' }).subarray(-1312)),
  };
  let state: WitnessState | undefined;
  let server: WitnessServer | undefined;
  let logs: WitnessedLog[] = [];
  let port = 0;
  let witness: Witness | undefined;
  const delegate: Witness = {
    addCheckpoint: (body) =>
      witness === undefined
        ? Promise.resolve({ status: 503, contentType: 'text/plain', body: 'not ready\n' })
        : witness.addCheckpoint(body),
  };
  return {
    self,
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    setLogs(l: WitnessedLog[]) {
      logs = l;
      if (state !== undefined) witness = make(state);
    },
    async start() {
      state = openWitnessState(join(dir, name.replace(/\W/g, '_')));
      witness = make(state);
      server = await startWitnessServer({
        witness: delegate,
        vkey: cosignerVerifierKey(self),
        host: '127.0.0.1',
        port,
        tls: undefined,
        log: createLogger('silent'),
      });
      port = server.address.port;
    },
    async stop() {
      await server?.close();
      await state?.close();
      server = undefined;
      state = undefined;
    },
  };
  function make(s: WitnessState): Witness {
    return createWitness({
      self,
      sign: async (m) => new Uint8Array(sign(null, m, pair.privateKey)),
      logs,
      state: s,
      check,
      sha256: nativeSha256,
      now: Date.now,
      log: createLogger('silent'),
    });
  }
}

test('checkpoint notes gather a quorum of verified cosignatures; it is lost with two witnesses down and regained', async (t) => {
  const dir = tempDir('spark-witness-quorum-');
  t.after(dir.cleanup);
  const witnesses = ['w1.test/a', 'w2.test/b', 'w3.test/c'].map((n) => loopbackWitness(dir.path, n));
  for (const w of witnesses) await w.start();
  t.after(async () => {
    for (const w of witnesses) await w.stop();
  });
  const file = join(dir.path, 'witnesses.json');
  writeFileSync(
    file,
    JSON.stringify(witnesses.map((w) => ({ url: w.url, vkey: cosignerVerifierKey(w.self) }))),
  );

  const app: App = await createApp(
    loadConfig({
      SPARK_LISTEN: '127.0.0.1:0',
      SPARK_HTTP_LISTEN: '127.0.0.1:0',
      SPARK_DATA_DIR: join(dir.path, 'data'),
      PQC_AGGREGATION_THRESHOLD: '1000',
      SPARK_WITNESSES_FILE: file,
      SPARK_WITNESS_QUORUM: '2',
      SPARK_WITNESS_INTERVAL: '1',
    }),
    createLogger(process.env['DEBUG_LOG'] ?? 'silent'),
  );
  t.after(() => app.close());
  const transport = createGrpcTransport({ baseUrl: `http://127.0.0.1:${app.address.port}` });
  const processor: Client<typeof SparkProcessor> = createClient(SparkProcessor, transport);
  const admin = createClient(SparkAdmin, transport);

  // The witnesses pin the log's key, as `spark witness serve --log ROOT.json` would from its trust root.
  const { keys } = await processor.getKeyHistory({});
  const { origin } = await processor.getCheckpoint({}).catch(() => ({ origin: '' }));
  assert.equal(origin, '', 'no checkpoint before the first batch');
  const logId = (await processor.getInventory({})).logId;
  const logOrigin = `spark-processor/log/${Buffer.from(logId).toString('hex')}`;
  for (const w of witnesses) {
    w.setLogs([
      {
        origin: logOrigin,
        keys: keys.map((k) => ({ name: logOrigin, algorithm: 'ML-DSA-65', publicKey: k.publicKey })),
      },
    ]);
  }

  /** Submits two leaves, seals them into the next batch, returns the first leaf's hash. */
  async function sealOne(): Promise<Uint8Array> {
    const res = await processor.submitBatch({
      items: [0, 1].map(() => ({ payload: { case: 'digest' as const, value: randomBytes(32) } })),
    });
    await admin.sealNow({});
    const first = res.results[0]?.result;
    assert.ok(first?.case === 'receipt');
    return first.value.leafHash;
  }

  const policy: WitnessPolicy = { quorum: 2, witnesses: witnesses.map((w) => w.self) };
  const verifier = createNativeVerifier();
  /** Proves `leaf` and verifies the bundle offline with the witness policy; returns the witnesses check. */
  async function witnessesCheck(
    leaf: Uint8Array,
    with_: { witnessPolicy?: WitnessPolicy; root?: TrustRoot },
  ) {
    const { bundle } = await processor.prove({ leafHash: leaf });
    assert.ok(bundle !== undefined);
    const report = verifyBundle(encodeBundle(bundle), {
      verifier,
      sha256: nativeSha256,
      ...(with_.witnessPolicy === undefined ? {} : { witnessPolicy: with_.witnessPolicy }),
      ...(with_.root === undefined ? {} : { pin: { root: with_.root } }),
    });
    const check = report.checks.find((c) => c.name === 'witnesses');
    assert.ok(check !== undefined);
    for (const c of report.checks) if (c.name !== 'witnesses') assert.ok(c.ok, `${c.name}: ${c.detail}`);
    return check;
  }

  /** Waits (bounded) for the newest note of `size` to hold `want` cosignatures; returns the note. */
  async function noteWith(size: bigint, want: number): Promise<string> {
    const deadline = Date.now() + 8_000;
    let last = '';
    while (Date.now() < deadline) {
      const res = await processor.getCheckpoint({});
      last = res.note;
      const note = parseNote(res.note);
      assert.ok(typeof note !== 'string', String(note));
      if (res.size === size && note.signatures.length - 1 === want) return res.note;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`no note of size ${size} with ${want} cosignatures in 8 s; last:\n${last}`);
  }

  function verifyCosignatures(noteText: string): string[] {
    const note = parseNote(noteText);
    assert.ok(typeof note !== 'string');
    const names: string[] = [];
    for (const sig of note.signatures.slice(1)) {
      const w = witnesses.find((x) => x.self.name === sig.name && cosignerKeyId(x.self) === sig.keyId);
      assert.ok(w !== undefined, `a cosignature by an unknown key ${sig.name}`);
      const v = verifyCosignature(w.self, note.text, sig, check);
      assert.ok(v.ok, v.ok ? '' : v.reason);
      names.push(sig.name);
    }
    return names.sort();
  }

  const leaf0 = await sealOne();
  const first = await noteWith(1n, 3);
  assert.deepEqual(verifyCosignatures(first), ['w1.test/a', 'w2.test/b', 'w3.test/c']);
  const status = await processor.getStatus({});
  assert.equal(status.witnesses?.quorum, 2);
  // The bundle carries the cosigned note and passes the policy; without a policy the check reports, not fails.
  const ok0 = await witnessesCheck(leaf0, { witnessPolicy: policy });
  assert.ok(ok0.ok, ok0.detail);
  assert.match(ok0.detail, /cosigned by 3 of 3 witnesses/);
  // The Verify RPC takes the same policy as JSON, and names the field when it is not one.
  const proved = (await processor.prove({ leafHash: leaf0 })).bundle;
  assert.ok(proved !== undefined);
  const policyJson = JSON.stringify({ quorum: 3, vkeys: witnesses.map((w) => cosignerVerifierKey(w.self)) });
  const rpc = await processor.verify({ bundle: encodeBundle(proved), witnessPolicyJson: policyJson });
  assert.equal(rpc.checks.find((c) => c.name === 'witnesses')?.ok, true);
  await assert.rejects(
    processor.verify({ bundle: encodeBundle(proved), witnessPolicyJson: '{"quorum": 0, "vkeys": []}' }),
    (err: Error) => /invalid_argument.*witness_policy_json: not a witness policy: vkeys/.test(err.message),
  );
  const unpinned = await witnessesCheck(leaf0, {});
  assert.ok(unpinned.ok);
  assert.match(unpinned.detail, /not checked \(no witness policy given\)/);
  // The trust root this log exports pins the witnesses and the quorum; pinned, it enforces them.
  const root = parseTrustRoot((await processor.getTrustRoot({})).trustRootJson, verifier, nativeSha256);
  assert.ok(root.ok, root.ok ? '' : root.reason);
  assert.equal(root.value.witnessQuorum, 2);
  assert.deepEqual(root.value.witnesses.map((w) => w.cosigner.name).sort(), [
    'w1.test/a',
    'w2.test/b',
    'w3.test/c',
  ]);
  assert.ok((await witnessesCheck(leaf0, { root: root.value })).ok);
  // A policy whose witnesses are not these fails: their keys are not on the note.
  const strangers: WitnessPolicy = { quorum: 1, witnesses: [loopbackWitness(dir.path, 'w9.test/z').self] };
  const foreign = await witnessesCheck(leaf0, { witnessPolicy: strangers });
  assert.equal(foreign.ok, false);
  assert.match(foreign.detail, /0 valid cosignature\(s\) .* 1 needed/);

  // One witness down: the next checkpoint still reaches the quorum.
  await witnesses[2]?.stop();
  await sealOne();
  const second = await noteWith(2n, 2);
  assert.deepEqual(verifyCosignatures(second), ['w1.test/a', 'w2.test/b']);

  // Two down: the newest note stays below the quorum, and status says which witness fails and why.
  await witnesses[1]?.stop();
  const leaf2 = await sealOne();
  await noteWith(3n, 1);
  // Batch 2 is covered only by the note of size 3, which holds one cosignature: the policy fails, naming it.
  const missing = await witnessesCheck(leaf2, { witnessPolicy: policy });
  assert.equal(missing.ok, false);
  assert.match(
    missing.detail,
    /1 valid cosignature\(s\) of the policy's 3 witnesses \(w1.test\/a\), 2 needed/,
  );
  const below = await processor.getStatus({});
  assert.equal(below.witnesses?.cosignatures, 1);
  assert.match(
    below.witnesses?.witnesses.find((w) => w.name === 'w2.test/b')?.lastError ?? '',
    /unreachable/,
  );

  // They return (same state, new ports are not needed: the file names the old ones) and the quorum is back.
  await witnesses[1]?.start();
  await witnesses[2]?.start();
  const regained = await noteWith(3n, 3);
  assert.deepEqual(verifyCosignatures(regained), ['w1.test/a', 'w2.test/b', 'w3.test/c']);
  const back = await witnessesCheck(leaf2, { witnessPolicy: policy });
  assert.ok(back.ok, back.detail);

  // Two rotations later the newest note is signed by a third key: a bundle of batch 0 (first key) carries it with
  // the key records that chain to its signer, and every check passes.
  await admin.rotateKey({});
  await admin.rotateKey({});
  const rotated = (await processor.getKeyHistory({})).keys;
  assert.equal(rotated.length, 3);
  for (const w of witnesses) {
    w.setLogs([
      {
        origin: logOrigin,
        keys: rotated.map((k) => ({ name: logOrigin, algorithm: 'ML-DSA-65', publicKey: k.publicKey })),
      },
    ]);
  }
  await sealOne();
  await noteWith(4n, 3);
  const late = await witnessesCheck(leaf0, { witnessPolicy: policy });
  assert.ok(late.ok, late.detail);
  assert.match(
    late.detail,
    new RegExp(
      `checkpoint of 4 batches signed by key ${Buffer.from(rotated[2]?.keyId ?? []).toString('hex')}`,
    ),
  );

  // The notes chain: a consistency proof from size 1 to 3 links their roots.
  const r1 = parseCheckpointText((parseNote(first) as { text: string }).text);
  const r3 = parseCheckpointText((parseNote(regained) as { text: string }).text);
  assert.ok(typeof r1 !== 'string' && typeof r3 !== 'string');
  const { hashes } = await processor.getConsistencyProof({ oldSize: 1n, newSize: 3n });
  const linked = verifyConsistency(1n, 3n, r1.root, r3.root, hashes, nativeSha256);
  assert.ok(linked.ok, linked.ok ? '' : linked.reason);

  // The same on the HTTP port, for note-based clients; sizes out of range are refused naming them.
  const http = `http://127.0.0.1:${app.httpAddress?.port}`;
  const viaHttp = await fetch(`${http}/checkpoint`);
  assert.equal(viaHttp.status, 200);
  assert.equal(await viaHttp.text(), (await processor.getCheckpoint({})).note);
  const lines = (await fetch(`${http}/consistency?old=1&new=3`).then((r) => r.text()))
    .split('\n')
    .filter(Boolean);
  assert.deepEqual(
    lines,
    hashes.map((h) => Buffer.from(h).toString('base64')),
  );
  for (const [query, field] of [
    ['old=0&new=3', 'old_size'],
    ['old=3&new=99', 'new_size'],
    ['old=x&new=3', 'old'],
  ] as const) {
    const r = await fetch(`${http}/consistency?${query}`);
    assert.equal(r.status, 400, query);
    assert.match(await r.text(), new RegExp(field));
  }
  await assert.rejects(processor.getConsistencyProof({ oldSize: 2n, newSize: 1n }), /old_size/);
});
