// The witness: checks a log's signed checkpoint against the latest one it cosigned for that log, persists the new
// one, then cosigns it; a conflicting checkpoint is kept as evidence (docs/witnesses.md §What a witness checks).

import type { Logger } from '../log/logger.ts';
import type { Sha256 } from '../proof/crypto/sha256.ts';
import { bytesEqual } from '../proof/encoding/bytes.ts';
import { verifyConsistency } from '../proof/merkle/consistency.ts';
import {
  type Cosigner,
  cosignerKeyId,
  type SignatureCheck,
  signCosignatureLine,
  verifyCosignature,
} from '../proof/note/cosignature.ts';
import { formatSignatureLine } from '../proof/note/signed-note.ts';
import { type AddCheckpointRequest, parseAddCheckpoint } from './add-checkpoint-request.ts';
import type { EvidenceKind, WitnessState } from './witness-state.ts';

/** A log the witness is configured for: its origin and the keys it accepts the log's signature from. */
export interface WitnessedLog {
  readonly origin: string;
  /** Every key of the log's pinned history, as cosigners named by the origin. */
  readonly keys: readonly Cosigner[];
}

/** What the HTTP layer sends back. */
export interface WitnessAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** Witness settings. */
export interface WitnessOptions {
  /** The witness's own key, as a cosigner (its name, algorithm and public key). */
  readonly self: Cosigner;
  /** Signs a cosigned message with the witness's key. */
  readonly sign: (message: Uint8Array) => Promise<Uint8Array>;
  readonly logs: readonly WitnessedLog[];
  readonly state: WitnessState;
  readonly check: SignatureCheck;
  readonly sha256: Sha256;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly log: Logger;
  /** Called once per conflicting checkpoint kept (a metric). */
  readonly onEquivocation?: (origin: string, kind: EvidenceKind) => void;
}

/** The running witness. */
export interface Witness {
  /** Answers one add-checkpoint request body. Never throws for bad input; a storage failure rejects. */
  addCheckpoint(body: string): Promise<WitnessAnswer>;
}

const text = (status: number, body: string): WitnessAnswer => ({
  status,
  contentType: 'text/plain; charset=utf-8',
  body: body.endsWith('\n') ? body : `${body}\n`,
});

/** Creates the witness. */
export function createWitness(o: WitnessOptions): Witness {
  const logs = new Map(o.logs.map((l) => [l.origin, l]));
  // Checking the old size against the stored one and storing the new one happen as one step per origin
  // (tlog-witness: otherwise two requests could roll the stored size back).
  const tails = new Map<string, Promise<unknown>>();
  const serialized = <T>(origin: string, fn: () => Promise<T>): Promise<T> => {
    const next = (tails.get(origin) ?? Promise.resolve()).then(fn, fn);
    const settled = next.catch(() => undefined);
    tails.set(origin, settled);
    void settled.then(() => {
      if (tails.get(origin) === settled) tails.delete(origin);
    });
    return next;
  };

  /** undefined when a signature from a pinned key verifies; otherwise why not. */
  function logSignatureProblem(log: WitnessedLog, req: AddCheckpointRequest): string | undefined {
    let verified = false;
    for (const sig of req.note.signatures) {
      const key = log.keys.find((k) => k.name === sig.name && cosignerKeyId(k) === sig.keyId);
      if (key === undefined) continue; // another party's signature: ignored (signed-note)
      const r = verifyCosignature(key, req.note.text, sig, o.check);
      if (!r.ok) return `a signature by the log's key ${sig.name} does not verify: ${r.reason}`;
      verified = true;
    }
    return verified ? undefined : 'no signature by a key this witness pins for the log';
  }

  async function keep(origin: string, kind: EvidenceKind, cosigned: string, req: AddCheckpointRequest) {
    const { added, count } = await o.state.addEvidence({
      origin,
      kind,
      cosigned,
      conflicting: req.noteText,
      proof: req.proofLines,
      observedAtMs: o.now(),
    });
    if (!added) return;
    o.log.warn(
      { origin, kind, size: req.checkpoint.size.toString(), evidence: count },
      'the log signed a checkpoint that conflicts with one this witness cosigned; kept as evidence',
    );
    o.onEquivocation?.(origin, kind);
  }

  async function decide(log: WitnessedLog, req: AddCheckpointRequest): Promise<WitnessAnswer> {
    const stored = o.state.latest(log.origin);
    const storedSize = stored?.size ?? 0n;
    const { size, root } = req.checkpoint;
    if (stored !== undefined && size === stored.size && !bytesEqual(root, stored.root)) {
      await keep(log.origin, 'same-size-other-root', stored.note, req);
      return text(409, `a checkpoint of size ${size} with another root was cosigned before`);
    }
    if (req.oldSize !== storedSize) {
      return { status: 409, contentType: 'text/x.tlog.size', body: `${storedSize}\n` };
    }
    if (stored !== undefined && size > stored.size) {
      const c = verifyConsistency(stored.size, size, stored.root, root, req.proof, o.sha256);
      if (!c.ok) {
        await keep(log.origin, 'inconsistent', stored.note, req);
        return text(422, `the consistency proof from size ${stored.size} does not verify: ${c.reason}`);
      }
    } else if (stored === undefined && req.proof.length > 0) {
      return text(422, 'the consistency proof must be empty: this witness has no checkpoint of this log yet');
    }
    // Never older than what was stored: a clock stepping back must not date this before the last cosignature.
    const nowSeconds = BigInt(Math.floor(o.now() / 1000));
    const timestamp = stored !== undefined && stored.timestamp > nowSeconds ? stored.timestamp : nowSeconds;
    if (stored === undefined || size > stored.size) {
      await o.state.setLatest(log.origin, { size, root, note: req.noteText, timestamp });
    }
    const line = await signCosignatureLine(o.self, req.note.text, timestamp, o.sign);
    return text(200, formatSignatureLine(line));
  }

  return {
    async addCheckpoint(body) {
      const req = parseAddCheckpoint(body);
      if (typeof req === 'string') return text(400, req);
      const log = logs.get(req.checkpoint.origin);
      if (log === undefined)
        return text(404, `this witness does not witness the log "${req.checkpoint.origin}"`);
      const problem = logSignatureProblem(log, req);
      if (problem !== undefined) return text(403, problem);
      return serialized(log.origin, () => decide(log, req));
    },
  };
}
