// A split view caught (docs/witnesses.md §1): a log signs two different checkpoints of the same size and shows one
// to each of two witnesses. Each cosigns what it saw first; shown the other's, each refuses and keeps both signed
// notes as evidence, so no checkpoint of either branch gathers a quorum of 2 — and the forged branch's bundle fails
// verification under the policy.
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { test } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { CosignedCheckpointSchema, ProofBundleSchema } from '../../src/gen/spark/v1/bundle_pb.js';
import { createLogger } from '../../src/log/logger.ts';
import { createNoteSignatureCheck } from '../../src/note/note-verifier.ts';
import { createNobleEd25519Verifier } from '../../src/proof/anchor/noble-ed25519-verifier.ts';
import {
  checkWitnesses,
  noteSignatureCheck,
  type WitnessPolicy,
} from '../../src/proof/bundle/checks/witnesses.ts';
import { portableSha256 } from '../../src/proof/crypto/sha256.ts';
import { hashLeaf } from '../../src/proof/merkle/hash.ts';
import { buildLevels, inclusionPath, levelReader, rootOf } from '../../src/proof/merkle/tree.ts';
import { formatCheckpointText, logOrigin } from '../../src/proof/note/checkpoint-text.ts';
import { type Cosigner, signCosignatureLine } from '../../src/proof/note/cosignature.ts';
import { formatNote, type NoteSignature, parseSignatureLines } from '../../src/proof/note/signed-note.ts';
import { createWitness } from '../../src/witness/witness.ts';
import { openWitnessState } from '../../src/witness/witness-state.ts';
import { tempDir } from '../support/spawn-server.ts';

function party(name: string, type: 'ml-dsa-44' | 'ml-dsa-65') {
  const pair = generateKeyPairSync(type);
  const cosigner: Cosigner = {
    name,
    algorithm: type === 'ml-dsa-44' ? 'ML-DSA-44' : 'ML-DSA-65',
    publicKey: new Uint8Array(
      pair.publicKey.export({ format: 'der', type: 'spki' }).subarray(type === 'ml-dsa-44' ? -1312 : -1952),
    ),
  };
  return { cosigner, sign: async (m: Uint8Array) => new Uint8Array(sign(null, m, pair.privateKey)) };
}

test('two signed views of one size: each witness refuses the other, keeps the evidence, no quorum forms', async (t) => {
  const dir = tempDir('spark-split-view-');
  t.after(dir.cleanup);
  const logId = new Uint8Array(32).fill(0x42);
  const origin = logOrigin(logId);
  const logKey = party(origin, 'ml-dsa-65');
  // Header hashes of six batches; the forged view replaces the last batch's header.
  const headerBytes = Array.from({ length: 6 }, (_, i) => new Uint8Array([i]));
  const forgedLast = new Uint8Array([0xff]);
  const headers = headerBytes.map((b) => portableSha256(b));
  const forgedHeaders = [...headers.slice(0, 5), portableSha256(forgedLast)];

  const levelsOf = (hs: Uint8Array[]) => {
    const buf = new Uint8Array(hs.length * 32);
    for (const [i, h] of hs.entries()) buf.set(hashLeaf(h, portableSha256), i * 32);
    return buildLevels(buf, portableSha256);
  };
  const noteOf = async (hs: Uint8Array[]) => {
    const text = formatCheckpointText({
      origin,
      size: BigInt(hs.length),
      root: rootOf(levelsOf(hs)),
      extensions: [],
    });
    const line = await signCosignatureLine(logKey.cosigner, text, 1_800_000_000n, logKey.sign);
    return { text, note: formatNote({ text, signatures: [line] }), line };
  };
  const honest = await noteOf(headers);
  const forged = await noteOf(forgedHeaders);
  assert.notEqual(honest.text, forged.text);

  const check = createNoteSignatureCheck();
  const witnessParties = [party('wa.example/a', 'ml-dsa-44'), party('wb.example/b', 'ml-dsa-44')];
  const states = witnessParties.map((_, i) => openWitnessState(`${dir.path}/w${i}`));
  t.after(async () => {
    for (const s of states) await s.close();
  });
  const witnesses = witnessParties.map((w, i) =>
    createWitness({
      self: w.cosigner,
      sign: w.sign,
      logs: [{ origin, keys: [logKey.cosigner] }],
      state: states[i] as (typeof states)[number],
      check,
      sha256: portableSha256,
      now: () => 1_800_000_100_000,
      log: createLogger('silent'),
    }),
  );
  const [wa, wb] = witnesses as [(typeof witnesses)[0], (typeof witnesses)[0]];

  // Each sees one view first and cosigns it.
  const a1 = await wa.addCheckpoint(`old 0\n\n${honest.note}`);
  const b1 = await wb.addCheckpoint(`old 0\n\n${forged.note}`);
  assert.deepEqual([a1.status, b1.status], [200, 200]);
  // Then each is shown the other view, as the log would to complete a quorum on it.
  const a2 = await wa.addCheckpoint(`old 6\n\n${forged.note}`);
  const b2 = await wb.addCheckpoint(`old 6\n\n${honest.note}`);
  assert.deepEqual([a2.status, b2.status], [409, 409]);
  for (const [i, s] of states.entries()) {
    const [e] = s.evidence();
    assert.equal(e?.kind, 'same-size-other-root');
    // Both signed notes are kept: the one cosigned, and the one that contradicts it.
    assert.deepEqual(
      [e?.cosigned, e?.conflicting],
      i === 0 ? [honest.note, forged.note] : [forged.note, honest.note],
    );
  }

  // Gather what each branch got: one cosignature each, below a quorum of 2.
  const lines = (body: string): NoteSignature[] => {
    const l = parseSignatureLines(body);
    assert.ok(typeof l !== 'string');
    return l;
  };
  const policy: WitnessPolicy = { quorum: 2, witnesses: witnessParties.map((w) => w.cosigner) };
  const noteCheck = noteSignatureCheck(createNativeVerifier(), createNobleEd25519Verifier());
  for (const [view, hs, last, cosigs] of [
    [forged, forgedHeaders, forgedLast, lines(b1.body)],
    [honest, headers, headerBytes[5] as Uint8Array, lines(a1.body)],
  ] as const) {
    const bundle = create(ProofBundleSchema, {
      header: last,
      keys: [
        {
          algorithmId: 0x0002,
          publicKey: logKey.cosigner.publicKey,
          keyId: portableSha256(logKey.cosigner.publicKey),
        },
      ],
      cosignedCheckpoint: create(CosignedCheckpointSchema, {
        note: formatNote({ text: view.text, signatures: [view.line, ...cosigs] }),
        headerPath: inclusionPath(6, 5, levelReader(levelsOf([...hs]))),
      }),
    });
    // Batch 5 of that view: its header's hash is the leaf the path proves.
    const outcome = checkWitnesses(
      bundle,
      { logId, sequence: 5n } as never,
      noteCheck,
      portableSha256,
      policy,
    );
    assert.equal(outcome.ok, false, outcome.detail);
    assert.match(outcome.detail, /1 valid cosignature\(s\) of the policy's 2 witnesses .* 2 needed/);
  }
});
