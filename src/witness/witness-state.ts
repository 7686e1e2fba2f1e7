// A witness's durable state in LMDB: per log origin the latest checkpoint it cosigned, and the equivocation
// evidence it kept (docs/witnesses.md §State). Every write is fsynced before its promise resolves.
import { mkdirSync } from 'node:fs';
import { type Database, open, type RootDatabase } from 'lmdb';

/** The latest checkpoint cosigned for one origin. */
export interface CosignedState {
  readonly size: bigint;
  readonly root: Uint8Array;
  /** The log's signed checkpoint note as received (text, blank line, signature lines). */
  readonly note: string;
  /** When it was cosigned, POSIX seconds. */
  readonly timestamp: bigint;
}

/** Why a checkpoint was kept as evidence. */
export type EvidenceKind =
  /** The same size as one cosigned before, another root: two signed views of one tree. */
  | 'same-size-other-root'
  /** Larger than one cosigned before, but the consistency proof from it failed. */
  | 'inconsistent';

/** A checkpoint that contradicts what the witness cosigned before, both signed by the log. */
export interface Evidence {
  readonly origin: string;
  readonly kind: EvidenceKind;
  /** The note the witness had cosigned. */
  readonly cosigned: string;
  /** The conflicting note the log sent. */
  readonly conflicting: string;
  /** The consistency proof that came with it (base64 lines), empty for same-size. */
  readonly proof: readonly string[];
  readonly observedAtMs: number;
}

/** The witness's store. */
export interface WitnessState {
  latest(origin: string): CosignedState | undefined;
  /** Durably records `state` as the latest for `origin`. */
  setLatest(origin: string, state: CosignedState): Promise<void>;
  /** Durably keeps `evidence` (once per conflicting note); says whether it was new and how many are held. */
  addEvidence(evidence: Evidence): Promise<{ readonly added: boolean; readonly count: number }>;
  evidence(): Evidence[];
  /** A small setting of the witness itself (its name, algorithm). */
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): Promise<void>;
  close(): Promise<void>;
}

/** Most evidence records kept: a log that floods conflicting checkpoints cannot fill the disk. */
export const MAX_EVIDENCE = 10_000;

interface StoredLatest {
  size: string;
  root: string;
  note: string;
  timestamp: string;
}

function latestKey(origin: string): string {
  return `latest/${origin}`;
}

/** Opens (creating when new) the witness state under `dir`. */
export function openWitnessState(dir: string): WitnessState {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const root: RootDatabase = open({ path: dir, noSubdir: false, maxDbs: 4, overlappingSync: false });
  const db: Database<string, string> = root.openDB({ name: 'witness', encoding: 'string' });
  const evidenceDb: Database<string, number> = root.openDB({ name: 'evidence', encoding: 'string' });
  let evidenceCount = evidenceDb.getCount();

  return {
    latest(origin) {
      const raw = db.get(latestKey(origin));
      if (raw === undefined) return undefined;
      const s = JSON.parse(raw) as StoredLatest;
      return {
        size: BigInt(s.size),
        root: new Uint8Array(Buffer.from(s.root, 'base64')),
        note: s.note,
        timestamp: BigInt(s.timestamp),
      };
    },
    async setLatest(origin, state) {
      const stored: StoredLatest = {
        size: state.size.toString(),
        root: Buffer.from(state.root).toString('base64'),
        note: state.note,
        timestamp: state.timestamp.toString(),
      };
      await db.put(latestKey(origin), JSON.stringify(stored));
    },
    async addEvidence(evidence) {
      if (evidenceCount >= MAX_EVIDENCE) return { added: false, count: evidenceCount };
      // The same conflicting note sent again is the same evidence: kept once.
      for (const { value } of evidenceDb.getRange({})) {
        const e = JSON.parse(value) as Evidence;
        if (e.origin === evidence.origin && e.conflicting === evidence.conflicting) {
          return { added: false, count: evidenceCount };
        }
      }
      const key = evidenceCount;
      await evidenceDb.put(key, JSON.stringify(evidence));
      evidenceCount = key + 1;
      return { added: true, count: evidenceCount };
    },
    evidence() {
      const out: Evidence[] = [];
      for (const { value } of evidenceDb.getRange({})) out.push(JSON.parse(value) as Evidence);
      return out;
    },
    getMeta(key) {
      return db.get(`meta/${key}`);
    },
    async setMeta(key, value) {
      await db.put(`meta/${key}`, value);
    },
    async close() {
      await root.close();
    },
  };
}
