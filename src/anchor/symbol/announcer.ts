// Builds and signs the anchor aggregates for waiting batches and checkpoints (docs/anchoring.md §4, §5, §7): groups
// them within the embedded-transaction limit, adds the key-history records not yet on chain or in flight, and gives
// back outbox entries ready to be stored before they are sent.

import { AnchorError } from '../../proof/anchor/anchor-error.ts';
import { encodeAnchorRecord, encodeCheckpointRecord } from '../../proof/anchor/anchor-record.ts';
import { encodeKeyMetadata, encodePublicKeyRecord } from '../../proof/anchor/key-history-record.ts';
import { encodePublicationRecord, type PublicationEntry } from '../../proof/anchor/publication-record.ts';
import { recordId } from '../../proof/anchor/record-chunks.ts';
import { toHex } from '../../proof/encoding/bytes.ts';
import type { BatchRecord, Store } from '../../store/store.ts';
import type { AnchorStateStore, BatchAnchor, OutboxEntry } from '../anchor-state.ts';
import type { ExternalSigner } from '../external-signer.ts';
import {
  buildAnchorTransaction,
  type KeyHistoryInput,
  MAX_EMBEDDED_TRANSACTIONS,
  signAnchorTransaction,
} from '../transaction-builder.ts';
import { keyMarker, markersOf } from './key-markers.ts';
import type { NetworkProperties, NodeInfo } from './rest-client.ts';

/** The network the nodes agree they are on. */
export interface AnchorNetworkInfo {
  readonly info: NodeInfo;
  readonly properties: NetworkProperties;
}

/** What one aggregate is built against. */
export interface BuildContext {
  readonly network: AnchorNetworkInfo;
  /** The nodes' clock, network ms. */
  readonly nodeTime: bigint;
  /** The chain height (aggregate v3 from the fork height on). */
  readonly height: bigint;
  readonly feeMultiplier: number;
  /** Key-history markers (key-markers.ts: account and key id, ":until" for a retirement) final on chain. */
  readonly anchoredKeys: ReadonlySet<string>;
  /** Markers carried by announcements still followed (live or confirmed, not final). */
  readonly inFlightKeys: ReadonlySet<string>;
}

/** A signed aggregate and the items it now carries (ANNOUNCED), to be stored before it is sent. */
export interface Announcement {
  readonly entry: OutboxEntry;
  readonly batches: readonly BatchAnchor[];
  readonly checkpoints: readonly BatchAnchor[];
}

/** Announcer settings. */
export interface AnnouncerOptions {
  readonly store: Store;
  readonly states: AnchorStateStore;
  readonly signer: ExternalSigner;
  /** Lifetime of an announcement: deadline = node time + this. */
  readonly deadlineMs: number;
  readonly now: () => number;
  /** The CIDs stored for an immediate batch's sealed bundles, published first if missing (docs/ipfs.md §The CID in the anchor). */
  readonly publishSealed?: (batch: BatchRecord) => Promise<readonly PublicationEntry[]>;
}

/** Groups items for aggregates: immediate batches alone, the others up to `perAggregate` together. */
export function groupForAggregates(
  waiting: readonly BatchAnchor[],
  maxBatchesPerAggregate: number,
): BatchAnchor[][] {
  const perAggregate = Math.max(
    1,
    Math.min(maxBatchesPerAggregate, Math.floor(MAX_EMBEDDED_TRANSACTIONS / 5)),
  );
  const groups: BatchAnchor[][] = waiting.filter((b) => b.immediate).map((b) => [b]);
  const shared = waiting.filter((b) => !b.immediate);
  for (let i = 0; i < shared.length; i += perAggregate) groups.push(shared.slice(i, i + perAggregate));
  return groups;
}

/** Creates the announcer. */
export function createAnnouncer(o: AnnouncerOptions): {
  /** One or more announcements for `group` (split in halves when key records push it past the limit). */
  batches(group: readonly BatchAnchor[], ctx: BuildContext): Promise<Announcement[]>;
  /** The announcement of one checkpoint, alone in its aggregate. */
  checkpoint(state: BatchAnchor, ctx: BuildContext): Promise<Announcement>;
  /** Size of an aggregate anchoring one batch (measured once on a real batch), for fee quotes. */
  singleAnchorSize(network: AnchorNetworkInfo): number | undefined;
} {
  let singleSize: number | undefined;

  /**
   * Key-history records for the signing keys of `group` neither final on chain nor in flight under this account, and
   * the retirement (valid_until) of keys this account wrote as current. A key this account never wrote gets a
   * whole entry here, closed already if retired: a new account starts its own history. Ids are key ids in hex;
   * "<id>:until" marks a closed window.
   */
  function keyRecordsFor(
    group: readonly BatchAnchor[],
    ctx: BuildContext,
  ): { ids: string[]; inputs: KeyHistoryInput[] } {
    // Entries live under the account that wrote them: what counts is what this account wrote (key-markers.ts).
    const account = toHex(o.signer.publicKey);
    const anchored = (id: string) => ctx.anchoredKeys.has(keyMarker(account, id));
    const inFlight = (id: string) => ctx.inFlightKeys.has(keyMarker(account, id));
    const fresh = new Set<string>();
    for (const g of group) {
      const batch = o.store.getBatch(g.sequence);
      if (batch === undefined) continue;
      const id = toHex(batch.fields.keyId);
      if (!anchored(id) && !inFlight(id)) fresh.add(id);
    }
    const ids: string[] = [];
    const inputs: KeyHistoryInput[] = [];
    for (const entry of o.store.keyHistory()) {
      const id = toHex(entry.keyId);
      const until = `${id}:until`;
      const retired = entry.validUntilMs !== 0;
      const isFresh = fresh.has(id);
      // A key on chain as current that has since been retired: update its value in place (XOR delta).
      const retire = retired && anchored(id) && !anchored(until) && !inFlight(until);
      if (!isFresh && !retire) continue;
      const publicKeyRecord = encodePublicKeyRecord({
        algorithmId: entry.algorithmId,
        publicKey: entry.publicKey,
        selfSignature: entry.selfSignature,
        endorsement: entry.endorsement,
      });
      const value = (validUntilMs: number) =>
        encodeKeyMetadata({
          algorithmId: entry.algorithmId,
          keyId: entry.keyId,
          validFromMs: BigInt(entry.validFromMs),
          validUntilMs: BigInt(validUntilMs),
          previousKeyId: entry.previousKeyId,
          protection: entry.protection,
          publicKeyRecordId: toHex(recordId(publicKeyRecord)),
        });
      if (isFresh) {
        inputs.push({ metadataValue: value(entry.validUntilMs), publicKeyRecord });
        ids.push(id);
        if (retired) ids.push(until);
      } else {
        inputs.push({ metadataValue: value(entry.validUntilMs), previousValue: value(0) });
        ids.push(until);
      }
    }
    return { ids, inputs };
  }

  const aggregateVersion = (ctx: BuildContext): 2 | 3 => {
    const fork = ctx.network.properties.aggregateV3Height;
    return fork === undefined || ctx.height + 1n >= fork ? 3 : 2;
  };

  async function signedEntry(
    built: ReturnType<typeof buildAnchorTransaction>,
    ctx: BuildContext,
    carries: Pick<OutboxEntry, 'sequences' | 'keyIds' | 'checkpoints'>,
  ): Promise<OutboxEntry> {
    const signed = await signAnchorTransaction(built, o.signer);
    return {
      txHash: signed.hash,
      payload: signed.payload,
      generationHashSeed: ctx.network.info.generationHashSeed,
      deadline: ctx.nodeTime + BigInt(o.deadlineMs),
      fee: built.fee,
      feeMultiplier: ctx.feeMultiplier,
      size: built.size,
      createdAtMs: o.now(),
      lastSentAtMs: 0,
      sends: 0,
      state: 'live',
      ...carries,
    };
  }

  const announced = (items: readonly BatchAnchor[], entry: OutboxEntry): BatchAnchor[] =>
    items.map((g) => ({ ...g, status: 'ANNOUNCED', txHash: entry.txHash, attempts: g.attempts + 1 }));

  async function batches(group: readonly BatchAnchor[], ctx: BuildContext): Promise<Announcement[]> {
    const records: Uint8Array[] = [];
    for (const g of group) {
      const batch = o.store.getBatch(g.sequence);
      if (batch === undefined) throw new Error(`batch ${g.sequence} is tracked but not stored`);
      records.push(encodeAnchorRecord({ header: batch.header, signatures: batch.signatures }));
      // An immediate batch's anchor also names its sealed bundles' CIDs (docs/ipfs.md §The CID in the anchor).
      if (g.immediate && o.publishSealed !== undefined) {
        const entries = await o.publishSealed(batch);
        if (entries.length > 0) {
          records.push(encodePublicationRecord({ sequence: g.sequence, root: batch.fields.root, entries }));
        }
      }
    }
    // The first anchor of a key also records the key (metadata entry + public key) in the same aggregate.
    const keys = keyRecordsFor(group, ctx);
    let built: ReturnType<typeof buildAnchorTransaction>;
    try {
      built = buildAnchorTransaction({
        network: {
          identifier: ctx.network.info.networkIdentifier,
          generationHashSeed: ctx.network.info.generationHashSeed,
        },
        signerPublicKey: o.signer.publicKey,
        records,
        keyRecords: keys.inputs,
        aggregateVersion: aggregateVersion(ctx),
        feeMultiplier: ctx.feeMultiplier,
        deadline: ctx.nodeTime + BigInt(o.deadlineMs),
      });
    } catch (err) {
      // Key records can push a full group past 100 embedded transactions: anchor it in halves.
      if (err instanceof AnchorError && err.code === 'TOO_MANY_TRANSACTIONS' && group.length > 1) {
        const half = Math.ceil(group.length / 2);
        const first = await batches(group.slice(0, half), ctx);
        // The second half must not carry the first half's key records again.
        const inFlight = new Set([...ctx.inFlightKeys, ...first.flatMap((a) => markersOf(a.entry))]);
        return [...first, ...(await batches(group.slice(half), { ...ctx, inFlightKeys: inFlight }))];
      }
      throw err;
    }
    const entry = await signedEntry(built, ctx, {
      sequences: group.map((g) => g.sequence),
      keyIds: keys.ids,
      checkpoints: [],
    });
    return [{ entry, batches: announced(group, entry), checkpoints: [] }];
  }

  async function checkpoint(state: BatchAnchor, ctx: BuildContext): Promise<Announcement> {
    const c = o.states.checkpoint(state.sequence);
    if (c === undefined) throw new Error(`checkpoint ${state.sequence} is tracked but not stored`);
    const built = buildAnchorTransaction({
      network: {
        identifier: ctx.network.info.networkIdentifier,
        generationHashSeed: ctx.network.info.generationHashSeed,
      },
      signerPublicKey: o.signer.publicKey,
      records: [encodeCheckpointRecord({ body: c.body, signatures: c.signatures })],
      aggregateVersion: aggregateVersion(ctx),
      feeMultiplier: ctx.feeMultiplier,
      deadline: ctx.nodeTime + BigInt(o.deadlineMs),
    });
    const entry = await signedEntry(built, ctx, { sequences: [], keyIds: [], checkpoints: [state.sequence] });
    return { entry, batches: [], checkpoints: announced([state], entry) };
  }

  function singleAnchorSize(network: AnchorNetworkInfo): number | undefined {
    if (singleSize !== undefined) return singleSize;
    const head = o.store.head();
    if (head === undefined) return undefined;
    singleSize = buildAnchorTransaction({
      network: {
        identifier: network.info.networkIdentifier,
        generationHashSeed: network.info.generationHashSeed,
      },
      signerPublicKey: o.signer.publicKey,
      records: [encodeAnchorRecord({ header: head.header, signatures: head.signatures })],
      aggregateVersion: 3,
      feeMultiplier: 0,
      deadline: 1n,
    }).size;
    return singleSize;
  }

  return { batches, checkpoint, singleAnchorSize };
}
