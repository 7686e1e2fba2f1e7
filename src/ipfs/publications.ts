// Published bundles and their progress with each publisher, kept durably in the store's document tables:
// `ipfs-blocks` (CID → exact bytes), `ipfs-publications` (CID → record) and `ipfs-queue` (CIDs some publisher
// still has work on), so a restart resumes every unfinished publication.
import type { Sha256 } from '../proof/crypto/sha256.ts';
import { fromHex, toHex } from '../proof/encoding/bytes.ts';
import type { Store } from '../store/store.ts';
import { cidOf } from './cid.ts';

/** Where one publisher stands with one publication. */
export type PublisherState = 'QUEUED' | 'PUBLISHING' | 'PUBLISHED' | 'FAILED';

/** One publisher's progress. */
export interface PublisherProgress {
  readonly publisher: string;
  readonly state: PublisherState;
  readonly attempts: number;
  readonly lastError: string;
  readonly publishedAtMs: number;
  /** Earliest time of the next attempt or poll. */
  readonly nextAtMs: number;
  /** The pinning service's request id while its pin is polled (the Arweave transaction id, kept once PUBLISHED). */
  readonly requestId?: string | undefined;
  /** Base64 of the publisher's evidence of the copy (StartOutcome.evidence), kept once PUBLISHED. */
  readonly evidence?: string | undefined;
}

/** A publication. */
export interface Publication {
  readonly cid: string;
  readonly leafHash: Uint8Array;
  /** The leaf's Status number when published. */
  readonly status: number;
  readonly size: number;
  readonly createdAtMs: number;
  readonly publishers: readonly PublisherProgress[];
}

interface StoredPublication extends Omit<Publication, 'leafHash'> {
  readonly leafHash: string;
}

const encode = (p: Publication): Uint8Array =>
  new TextEncoder().encode(JSON.stringify({ ...p, leafHash: toHex(p.leafHash) } satisfies StoredPublication));

function decode(bytes: Uint8Array): Publication {
  const s = JSON.parse(new TextDecoder().decode(bytes)) as StoredPublication;
  return { ...s, leafHash: fromHex(s.leafHash) ?? new Uint8Array(0) };
}

/** The publication records. */
export interface Publications {
  /**
   * Stores `bytes` under their CID (once) with a QUEUED entry for each publisher, durably, and returns the
   * publication; the same bytes again return the existing one.
   */
  add(leafHash: Uint8Array, status: number, bytes: Uint8Array): Promise<Publication>;
  get(cid: string): Publication | undefined;
  /** The published bytes. */
  bytes(cid: string): Uint8Array | undefined;
  /** Publications some publisher still has work on. */
  unfinished(): Publication[];
  /** The evidence `publisher` kept of its copy of `cid`, once that copy is PUBLISHED. */
  evidence(cid: string, publisher: string): Uint8Array | undefined;
  /** Replaces one publisher's progress; drops the publication from the queue once no publisher has work. */
  update(cid: string, progress: PublisherProgress): Promise<void>;
}

/** Publication records in `store`, for the publishers named in `publishers`. */
export function createPublications(
  store: Store,
  publishers: readonly string[],
  sha256: Sha256,
  now: () => number,
): Publications {
  const get = (cid: string): Publication | undefined => {
    const raw = store.getDoc('ipfs-publications', cid);
    return raw === undefined ? undefined : decode(raw);
  };
  const open = (p: PublisherProgress) => p.state === 'QUEUED' || p.state === 'PUBLISHING';
  return {
    async add(leafHash, status, bytes) {
      const cid = cidOf(bytes, sha256);
      const existing = get(cid);
      if (existing !== undefined) return existing;
      const at = now();
      const publication: Publication = {
        cid,
        leafHash,
        status,
        size: bytes.length,
        createdAtMs: at,
        publishers: publishers.map((publisher) => ({
          publisher,
          state: 'QUEUED',
          attempts: 0,
          lastError: '',
          publishedAtMs: 0,
          nextAtMs: at,
        })),
      };
      await store.putDocs([
        { table: 'ipfs-blocks', key: cid, value: bytes },
        { table: 'ipfs-publications', key: cid, value: encode(publication) },
        ...(publishers.length > 0
          ? [{ table: 'ipfs-queue' as const, key: cid, value: new Uint8Array(0) }]
          : []),
      ]);
      return publication;
    },
    get,
    bytes: (cid) => store.getDoc('ipfs-blocks', cid),
    evidence(cid, publisher) {
      const p = get(cid)?.publishers.find((x) => x.publisher === publisher);
      return p?.state === 'PUBLISHED' && p.evidence !== undefined
        ? new Uint8Array(Buffer.from(p.evidence, 'base64'))
        : undefined;
    },
    unfinished: () =>
      store
        .listDocs('ipfs-queue')
        .map((d) => get(d.key))
        .filter((p): p is Publication => p !== undefined),
    async update(cid, progress) {
      const p = get(cid);
      if (p === undefined) return;
      const next: Publication = {
        ...p,
        publishers: p.publishers.map((x) => (x.publisher === progress.publisher ? progress : x)),
      };
      await store.putDocs([
        { table: 'ipfs-publications', key: cid, value: encode(next) },
        ...(next.publishers.some(open) ? [] : [{ table: 'ipfs-queue' as const, key: cid, value: undefined }]),
      ]);
    },
  };
}
