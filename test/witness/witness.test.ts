// The witness's decisions (tlog-witness add-checkpoint) against a test log, with real keys and real LMDB state:
// every status code, the evidence it keeps, persistence across a reopen, and no rollback under concurrency.
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { createMemoryProvider } from '../../providers/memory-provider.ts';
import { createLogger } from '../../src/log/logger.ts';
import { createNoteSignatureCheck } from '../../src/note/note-verifier.ts';
import { portableSha256 } from '../../src/proof/crypto/sha256.ts';
import { consistencyProof } from '../../src/proof/merkle/consistency.ts';
import { hashLeaf } from '../../src/proof/merkle/hash.ts';
import { buildLevels, levelReader, rootOf } from '../../src/proof/merkle/tree.ts';
import { formatCheckpointText, logOrigin } from '../../src/proof/note/checkpoint-text.ts';
import {
  type Cosigner,
  cosignerFromVerifierKey,
  cosignerVerifierKey,
  signCosignatureLine,
  verifyCosignature,
} from '../../src/proof/note/cosignature.ts';
import { formatNote, type NoteSignature, parseSignatureLines } from '../../src/proof/note/signed-note.ts';
import { parseVerifierKey } from '../../src/proof/note/verifier-key.ts';
import { createWitness, type Witness } from '../../src/witness/witness.ts';
import { openWitnessState, type WitnessState } from '../../src/witness/witness-state.ts';
import { tempDir } from '../support/spawn-server.ts';

const check = createNoteSignatureCheck();

function rawPublicKey(key: KeyObject, length: number): Uint8Array {
  return new Uint8Array(key.export({ format: 'der', type: 'spki' }).subarray(-length));
}

/** A key pair as a cosigner and a signing function (pure ML-DSA, empty context). */
function party(name: string, algorithm: 'ML-DSA-44' | 'ML-DSA-65') {
  const pair = generateKeyPairSync(algorithm === 'ML-DSA-44' ? 'ml-dsa-44' : 'ml-dsa-65');
  const cosigner: Cosigner = {
    name,
    algorithm,
    publicKey: rawPublicKey(pair.publicKey, algorithm === 'ML-DSA-44' ? 1312 : 1952),
  };
  const signer = async (m: Uint8Array) => new Uint8Array(sign(null, m, pair.privateKey));
  return { cosigner, sign: signer };
}

const LOG_ID = new Uint8Array(32).fill(7);
const ORIGIN = logOrigin(LOG_ID);

/** A test log: leaves are header hashes; it signs checkpoints of any prefix, or of a forged branch. */
function testLog(signerParty = party(ORIGIN, 'ML-DSA-65')) {
  const leaves: Uint8Array[] = [];
  const levelsOf = (hashes: readonly Uint8Array[]) => {
    const buf = new Uint8Array(hashes.length * 32);
    for (const [i, h] of hashes.entries()) buf.set(hashLeaf(h, portableSha256), i * 32);
    return buildLevels(buf, portableSha256);
  };
  return {
    key: signerParty.cosigner,
    append(n: number, tag = 0) {
      for (let i = 0; i < n; i++)
        leaves.push(portableSha256(new Uint8Array([tag, leaves.length & 0xff, leaves.length >> 8])));
    },
    async note(
      size: number,
      branch?: readonly Uint8Array[],
    ): Promise<{ note: string; text: string; root: Uint8Array }> {
      const hashes = branch ?? leaves.slice(0, size);
      const root = rootOf(levelsOf(hashes));
      const text = formatCheckpointText({ origin: ORIGIN, size: BigInt(size), root, extensions: [] });
      const sig = await signCosignatureLine(signerParty.cosigner, text, 1_700_000_000n, signerParty.sign);
      return { note: formatNote({ text, signatures: [sig] }), text, root };
    },
    proof(oldSize: number, newSize: number): string[] {
      const levels = levelsOf(leaves.slice(0, newSize));
      return consistencyProof(oldSize, newSize, levelReader(levels)).map((h) =>
        Buffer.from(h).toString('base64'),
      );
    },
    leaves,
  };
}

function body(oldSize: number, proof: readonly string[], note: string): string {
  return `old ${oldSize}\n${proof.map((p) => `${p}\n`).join('')}\n${note}`;
}

describe('witness', () => {
  let dir: ReturnType<typeof tempDir>;
  let state: WitnessState;
  let witness: Witness;
  let log: ReturnType<typeof testLog>;
  const self = party('witness.test/w1', 'ML-DSA-44');
  const equivocations: string[] = [];
  let nowMs = 1_800_000_000_000;

  const make = (s: WitnessState) =>
    createWitness({
      self: self.cosigner,
      sign: self.sign,
      logs: [{ origin: ORIGIN, keys: [log.key] }],
      state: s,
      check,
      sha256: portableSha256,
      now: () => nowMs,
      log: createLogger('silent'),
      onEquivocation: (_origin, kind) => equivocations.push(kind),
    });

  beforeEach(() => {
    dir = tempDir('spark-witness-');
    state = openWitnessState(dir.path);
    log = testLog();
    log.append(20);
    equivocations.length = 0;
    witness = make(state);
  });
  afterEach(async () => {
    await state.close();
    dir.cleanup();
  });

  async function cosignatureOf(answerBody: string, text: string) {
    const lines = parseSignatureLines(answerBody);
    assert.ok(typeof lines !== 'string', `not signature lines: ${String(lines)}`);
    assert.equal(lines.length, 1);
    const line = lines[0];
    assert.ok(line !== undefined);
    const verified = verifyCosignature(self.cosigner, text, line, check);
    assert.ok(verified.ok, verified.ok ? '' : verified.reason);
    return verified.timestamp;
  }

  test('cosigns a first checkpoint, then one that extends it with a valid consistency proof', async () => {
    const first = await log.note(5);
    const a = await witness.addCheckpoint(body(0, [], first.note));
    assert.equal(a.status, 200, a.body);
    assert.equal(await cosignatureOf(a.body, first.text), BigInt(nowMs / 1000));
    assert.equal(state.latest(ORIGIN)?.size, 5n);

    const second = await log.note(17);
    nowMs += 5_000;
    const b = await witness.addCheckpoint(body(5, log.proof(5, 17), second.note));
    assert.equal(b.status, 200, b.body);
    await cosignatureOf(b.body, second.text);
    assert.equal(state.latest(ORIGIN)?.size, 17n);
    assert.deepEqual(state.latest(ORIGIN)?.root, second.root);

    // The same checkpoint again (old = its size, no proof) is cosigned again and changes nothing.
    const again = await witness.addCheckpoint(body(17, [], second.note));
    assert.equal(again.status, 200, again.body);
    assert.deepEqual(equivocations, []);
  });

  test('an old size other than the stored one is answered 409 with the stored size', async () => {
    assert.equal((await witness.addCheckpoint(body(0, [], (await log.note(5)).note))).status, 200);
    const later = await log.note(9);
    const stale = await witness.addCheckpoint(body(0, [], later.note));
    assert.deepEqual([stale.status, stale.contentType, stale.body], [409, 'text/x.tlog.size', '5\n']);
    // An older checkpoint never rolls the witness back.
    const older = await log.note(3);
    const back = await witness.addCheckpoint(body(3, [], older.note));
    assert.equal(back.status, 409);
    assert.equal(state.latest(ORIGIN)?.size, 5n);
  });

  test('a consistency proof that does not verify is 422, nothing is stored, the note is kept as evidence', async () => {
    assert.equal((await witness.addCheckpoint(body(0, [], (await log.note(6)).note))).status, 200);
    const next = await log.note(14);
    const proof = log.proof(6, 14);
    const flipped = Buffer.from(proof[0] as string, 'base64');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    const r = await witness.addCheckpoint(
      body(6, [flipped.toString('base64'), ...proof.slice(1)], next.note),
    );
    assert.equal(r.status, 422, r.body);
    assert.equal(state.latest(ORIGIN)?.size, 6n);
    assert.deepEqual(equivocations, ['inconsistent']);
    const [e] = state.evidence();
    assert.equal(e?.kind, 'inconsistent');
    assert.equal(e?.conflicting, next.note);
  });

  test('a forged branch of the same size is refused 409 and kept as equivocation evidence, also after a reopen', async () => {
    const honest = await log.note(10);
    assert.equal((await witness.addCheckpoint(body(0, [], honest.note))).status, 200);
    const forged = [...log.leaves.slice(0, 9), portableSha256(new Uint8Array([0xee]))];
    const split = await log.note(10, forged);
    const r = await witness.addCheckpoint(body(10, [], split.note));
    assert.equal(r.status, 409, r.body);
    assert.match(r.body, /another root/);
    assert.deepEqual(equivocations, ['same-size-other-root']);

    await state.close();
    state = openWitnessState(dir.path);
    witness = make(state);
    const [e] = state.evidence();
    assert.equal(e?.kind, 'same-size-other-root');
    assert.equal(e?.cosigned, honest.note);
    assert.equal(e?.conflicting, split.note);
    // The forged branch never gets a cosignature, whatever old size it is sent with; it is kept once.
    assert.equal((await witness.addCheckpoint(body(0, [], split.note))).status, 409);
    assert.equal(state.latest(ORIGIN)?.size, 10n);
    assert.equal(state.evidence().length, 1);
    assert.deepEqual(equivocations, ['same-size-other-root']);
  });

  test('unknown origin 404, no pinned signature 403, a bad signature 403, malformed 400', async () => {
    const other = testLog(party('example.com/other-log', 'ML-DSA-65'));
    other.append(3);
    const text = formatCheckpointText({
      origin: 'example.com/other-log',
      size: 3n,
      root: new Uint8Array(32),
      extensions: [],
    });
    const otherSig = await signCosignatureLine(other.key, text, 1n, party('x', 'ML-DSA-65').sign);
    assert.equal(
      (await witness.addCheckpoint(body(0, [], formatNote({ text, signatures: [otherSig] })))).status,
      404,
    );

    // Signed by a key the witness does not pin for this origin.
    const impostor = testLog(party(ORIGIN, 'ML-DSA-65'));
    impostor.append(4);
    assert.equal((await witness.addCheckpoint(body(0, [], (await impostor.note(4)).note))).status, 403);

    // The pinned key's line over another text.
    const good = await log.note(4);
    const tampered = good.note.replace(/^(.*\n)4\n/, '$15\n');
    assert.notEqual(tampered, good.note);
    assert.equal((await witness.addCheckpoint(body(0, [], tampered))).status, 403);

    for (const bad of [
      '',
      'old 01\n\nx',
      'old 1\nnot-base64\n\n',
      `old 9\n\n${good.note}`,
      `old 0\n${'A'.repeat(43)}=\n\n${good.note}`,
    ]) {
      assert.equal((await witness.addCheckpoint(bad)).status, 400, JSON.stringify(bad));
    }
    assert.equal(state.latest(ORIGIN), undefined);
  });

  test('an Ed25519 witness (C2SP type 0x04) cosigns with a provider-held key, verifiable from its vkey', async () => {
    const provider = createMemoryProvider();
    try {
      const signer = await provider.openEd25519?.('witness-cosigning', 0);
      assert.ok(signer !== undefined);
      const ed: Cosigner = { name: 'ed.test/w', algorithm: 'Ed25519', publicKey: signer.publicKey };
      const edWitness = createWitness({
        self: ed,
        sign: (m) => signer.sign(m),
        logs: [{ origin: ORIGIN, keys: [log.key] }],
        state,
        check,
        sha256: portableSha256,
        now: () => nowMs,
        log: createLogger('silent'),
      });
      const first = await log.note(7);
      const r = await edWitness.addCheckpoint(body(0, [], first.note));
      assert.equal(r.status, 200, r.body);
      const vkey = parseVerifierKey(cosignerVerifierKey(ed));
      assert.ok(typeof vkey !== 'string');
      assert.equal(vkey.signatureType[0], 0x04);
      const fromVkey = cosignerFromVerifierKey(vkey);
      assert.ok(typeof fromVkey !== 'string');
      const [line] = parseSignatureLines(r.body) as NoteSignature[];
      assert.ok(line !== undefined);
      const v = verifyCosignature(fromVkey, first.text, line, check);
      assert.ok(v.ok, v.ok ? '' : v.reason);
      assert.equal(line.signature.length, 8 + 64);
    } finally {
      await provider.close();
    }
  });

  test('concurrent requests from the same old size: one is cosigned, the other is told the new size', async () => {
    assert.equal((await witness.addCheckpoint(body(0, [], (await log.note(4)).note))).status, 200);
    const [n12, n8] = [await log.note(12), await log.note(8)];
    const [a, b] = await Promise.all([
      witness.addCheckpoint(body(4, log.proof(4, 12), n12.note)),
      witness.addCheckpoint(body(4, log.proof(4, 8), n8.note)),
    ]);
    assert.deepEqual([a.status, b.status], [200, 409]);
    assert.equal(b.body, '12\n');
    assert.equal(state.latest(ORIGIN)?.size, 12n);
  });
});
