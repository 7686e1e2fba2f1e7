// Writes the cosigned-checkpoint test vectors (docs/proof-format.md §10, docs/witnesses.md): bundles carrying a
// C2SP checkpoint note of the header log with witnesses' ML-DSA-44 cosignatures, each checked under a witness
// policy given in the manifest, valid or naming the FIRST check that must fail.
// Run: node test/vectors/generate-witnessed.ts   (deterministic: fixed seeds, deterministic ML-DSA signing)
import { mkdirSync, writeFileSync } from 'node:fs';
import { create } from '@bufbuild/protobuf';
import { headerLog } from '../../src/proof/bundle/checkpoint.ts';
import { encodeBundle } from '../../src/proof/bundle/codec.ts';
import { ML_DSA_44 } from '../../src/proof/crypto/algorithms.ts';
import { CosignedCheckpointSchema, type ProofBundle } from '../../src/gen/spark/v1/bundle_pb.js';
import { formatCheckpointText, logOrigin } from '../../src/proof/note/checkpoint-text.ts';
import { type Cosigner, cosignerVerifierKey, signCosignatureLine } from '../../src/proof/note/cosignature.ts';
import { formatNote, type NoteSignature } from '../../src/proof/note/signed-note.ts';
import { bundleOf, createTestKey, keyEntry, sealChain, seedOf, type TestKey } from '../bundle/fixture.ts';

/** One manifest line: like bundles.json, plus the witness policy the verifier is given (absent: none). */
export interface WitnessedVector {
  file: string;
  description: string;
  valid: boolean;
  failedCheck?: string;
  witnessPolicy?: { quorum: number; vkeys: string[] };
}

const T = 1_767_225_600_000; // 2026-01-01T00:00:00Z
/** Cosignature timestamp, POSIX seconds: 2026-01-01T01:00:00Z. */
const TS = BigInt(T / 1000 + 3600);
const EMPTY = new Uint8Array(0);

// The log: ML-DSA-65 key of seed 0x01…, four batches of log 0x5b…; the witnesses: ML-DSA-44 keys of seeds 0x21…,
// 0x22…, 0x23…, named w1.example/a, w2.example/b, w3.example/c.
const logKey = createTestKey(seedOf(0x01));
export const logId = new Uint8Array(32).fill(0x5b);
const origin = logOrigin(logId);
export const entry = keyEntry(logKey, { validFromMs: T - 86_400_000, protection: 'memory' });
const chain = sealChain({ key: logKey, count: 4, tag: 'witnessed', timeMs: BigInt(T), size: (s) => 3 + s, logId });
const log = headerLog(
  chain.map((c) => c.batch.headerHash),
  undefined,
);

function witness(seed: number, name: string): { cosigner: Cosigner; key: TestKey } {
  const key = createTestKey(seedOf(seed), { algorithmId: ML_DSA_44 });
  return { key, cosigner: { name, algorithm: 'ML-DSA-44', publicKey: key.publicKey } };
}
const witnesses = [witness(0x21, 'w1.example/a'), witness(0x22, 'w2.example/b'), witness(0x23, 'w3.example/c')];
export const vkeys = witnesses.map((w) => cosignerVerifierKey(w.cosigner));
const logCosigner: Cosigner = { name: origin, algorithm: 'ML-DSA-65', publicKey: logKey.publicKey };

const text = formatCheckpointText({ origin, size: 4n, root: log.root, extensions: [] });
const sign = (key: TestKey) => async (m: Uint8Array) => key.sign(m, EMPTY);
const logLine = await signCosignatureLine(logCosigner, text, TS, sign(logKey));
const cosignatures: NoteSignature[] = [];
for (const w of witnesses.slice(0, 2)) cosignatures.push(await signCosignatureLine(w.cosigner, text, TS + 1n, sign(w.key)));

/** Batch 1, leaf 2, carrying `note` and the header path of batch 1 in the 4-batch header log. */
function withNote(note: string, path = log.path(1)): ProofBundle {
  const b = bundleOf(chain[1] as NonNullable<(typeof chain)[1]>, 2, [entry]);
  b.cosignedCheckpoint = create(CosignedCheckpointSchema, { note, headerPath: path });
  return b;
}

const flipLast = (sig: NoteSignature): NoteSignature => {
  const s = sig.signature.slice();
  s[s.length - 1] = (s[s.length - 1] as number) ^ 0x01;
  return { ...sig, signature: s };
};

const twoOfThree = { quorum: 2, vkeys };
const good = formatNote({ text, signatures: [logLine, ...cosignatures] });
const vectors: Array<[string, Omit<WitnessedVector, 'file'>, ProofBundle]> = [
  ['witnessed-valid', { description: 'a 4-batch checkpoint note, cosigned by w1 and w2 of three, quorum 2', valid: true, witnessPolicy: twoOfThree }, withNote(good)],
  ['witnessed-valid-no-policy', { description: 'the same without a policy: the cosignatures are reported, not checked', valid: true }, withNote(good)],
  ['witnessed-below-quorum', { description: 'quorum 3 of the three, two cosignatures present', valid: false, failedCheck: 'witnesses', witnessPolicy: { quorum: 3, vkeys } }, withNote(good)],
  ['witnessed-cosignature-flipped', { description: "w2's cosignature with its last byte flipped: a known key's signature fails", valid: false, failedCheck: 'witnesses', witnessPolicy: { quorum: 1, vkeys } }, withNote(formatNote({ text, signatures: [logLine, cosignatures[0] as NoteSignature, flipLast(cosignatures[1] as NoteSignature)] }))],
  ['witnessed-log-signature-flipped', { description: "the log's own signature line flipped (no policy needed to fail)", valid: false, failedCheck: 'witnesses' }, withNote(formatNote({ text, signatures: [flipLast(logLine), ...cosignatures] }))],
  ['witnessed-header-path-wrong', { description: 'the header path of batch 2 instead of batch 1', valid: false, failedCheck: 'witnesses' }, withNote(good, log.path(2))],
  ['witnessed-other-origin', { description: 'a note of another origin, correctly signed by the same key', valid: false, failedCheck: 'witnesses' }, withNote(await otherOrigin())],
  ['witnessed-no-note-with-policy', { description: 'no cosigned checkpoint while a policy asks for one', valid: false, failedCheck: 'witnesses', witnessPolicy: twoOfThree }, bundleOf(chain[1] as NonNullable<(typeof chain)[1]>, 2, [entry])],
];

async function otherOrigin(): Promise<string> {
  const otherText = formatCheckpointText({ origin: 'example.com/other-log', size: 4n, root: log.root, extensions: [] });
  const line = await signCosignatureLine({ ...logCosigner, name: 'example.com/other-log' }, otherText, TS, sign(logKey));
  return formatNote({ text: otherText, signatures: [line] });
}

if (import.meta.main) {
  // Beside bundles/, which generate.ts empties before it writes.
  const dir = new URL('./witnessed/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const manifest: WitnessedVector[] = [];
  for (const [name, entryOf, bundle] of vectors) {
    const file = `witnessed/${name}.spark`;
    writeFileSync(new URL(file, new URL('./', import.meta.url)), encodeBundle(bundle));
    manifest.push({ file, ...entryOf });
  }
  writeFileSync(new URL('./witnessed.json', import.meta.url), `${JSON.stringify(manifest, null, 2)}\n`);
  process.stdout.write(`wrote ${manifest.length} cosigned-checkpoint vectors\n`);
}
