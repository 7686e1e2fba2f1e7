// The "issuer" check (docs/trust.md, docs/proof-format.md §8 check 15): with a pin — a trust root, a log id or a key
// id — the bundle must come from that issuer: its log, a signing key that chains through endorsements in the bundle
// to a pinned key, and anchors by a pinned Symbol account. Without a pin it passes and says so.

import type { Anchor, KeyRecord, ProofBundle } from '../../../gen/spark/v1/bundle_pb.js';
import { parseAggregate } from '../../anchor/aggregate-layout.ts';
import { parseAggregateHeader } from '../../anchor/anchor-share.ts';
import { bytesEqual, toHex } from '../../encoding/bytes.ts';
import { addressOf, networkName, type TrustRoot } from '../../trust/trust-root.ts';
import { decodeCheckpoint } from '../checkpoint.ts';
import type { HeaderFields } from '../header.ts';
import type { CheckOutcome } from './key-records.ts';

/** What the person checking expects of the issuer; any combination. */
export interface IssuerPin {
  /** A trust root: log id, accepted keys, Symbol network and accounts. */
  readonly root?: TrustRoot;
  /** The log id expected (--log-id). */
  readonly logId?: Uint8Array;
  /** A key the signing key must be or chain to (--key-id). */
  readonly keyId?: Uint8Array;
}

/** True when `pin` pins anything. */
export function isPinned(pin: IssuerPin | undefined): pin is IssuerPin {
  return pin !== undefined && (pin.root !== undefined || pin.logId !== undefined || pin.keyId !== undefined);
}

const pass = (detail: string): CheckOutcome => ({ ok: true, detail });
const fail = (detail: string): CheckOutcome => ({ ok: false, detail });

/** The signer and network of an anchor, from its aggregate header (version 2) or whole transaction (version 1). */
function anchorSigner(a: Anchor): { signerPublicKey: Uint8Array; network: number } | undefined {
  const parsed =
    a.aggregateHeader.length > 0 ? parseAggregateHeader(a.aggregateHeader) : parseAggregate(a.transaction);
  return parsed.ok ? parsed.value : undefined;
}

/** Who the bundle says issued it, for the detail line. */
function describe(b: ProofBundle, h: HeaderFields): string {
  const parts = [`log ${toHex(h.logId)}`, `key ${toHex(h.keyId)}`];
  const a = b.anchor;
  const s = a === undefined ? undefined : anchorSigner(a);
  if (a !== undefined && s !== undefined) {
    parts.push(
      `anchored by Symbol account ${addressOf(s.signerPublicKey, s.network)} on ${networkName(s.network, a.networkGenerationHashSeed)}`,
    );
  }
  return parts.join(', ');
}

/** Follows `start`'s endorsements through the bundle's records to a pinned key; the path, or why it stops. */
function chainToPinned(
  records: readonly KeyRecord[],
  start: Uint8Array,
  pinned: ReadonlySet<string>,
): { ok: true; via: string[] } | { ok: false; reason: string } {
  const find = (id: Uint8Array) => records.find((r) => bytesEqual(r.keyId, id));
  let current = find(start);
  const via: string[] = [];
  // Bounded: each step moves to another record of the bundle (the "key" check refused duplicates).
  for (let i = 0; current !== undefined && i <= records.length; i++) {
    const id = toHex(current.keyId);
    if (pinned.has(id)) return { ok: true, via };
    if (current.endorsement.length === 0) {
      return {
        ok: false,
        reason: `key ${id} is not pinned and not endorsed by another key (its predecessor could not sign)`,
      };
    }
    const previous = find(current.previousKeyId);
    if (previous === undefined) {
      return {
        ok: false,
        reason: `key ${id} is endorsed by ${toHex(current.previousKeyId)}, not in the bundle`,
      };
    }
    via.push(id);
    current = previous;
  }
  return { ok: false, reason: `key ${toHex(start)} does not chain to a pinned key` };
}

/** The anchor was made by a pinned account on the pinned network; a reason when not. */
function anchorProblem(a: Anchor, root: TrustRoot, what: string): string | undefined {
  const s = root.symbol;
  if (s === undefined) return undefined;
  const signer = anchorSigner(a);
  if (signer === undefined) return `${what}: the anchor transaction does not parse`;
  if (
    !bytesEqual(a.networkGenerationHashSeed, s.generationHashSeed) ||
    signer.network !== s.networkIdentifier
  ) {
    return `${what} is on ${networkName(signer.network, a.networkGenerationHashSeed)}, the root pins ${networkName(s.networkIdentifier, s.generationHashSeed)}`;
  }
  if (!s.accounts.some((acc) => bytesEqual(acc.publicKey, signer.signerPublicKey))) {
    return `${what} is signed by account ${addressOf(signer.signerPublicKey, signer.network)}, which the root does not pin (it pins ${s.accounts.map((acc) => acc.address).join(', ') || 'none'})`;
  }
  return undefined;
}

/** The "issuer" check. */
export function checkIssuer(b: ProofBundle, h: HeaderFields, pin: IssuerPin | undefined): CheckOutcome {
  if (!isPinned(pin)) return pass(`issuer not pinned: ${describe(b, h)}`);
  const root = pin.root;
  for (const [expected, from] of [
    [root?.logId, 'the trust root'],
    [pin.logId, '--log-id'],
  ] as const) {
    if (expected !== undefined && !bytesEqual(expected, h.logId)) {
      return fail(`the bundle is of log ${toHex(h.logId)}; ${from} pins log ${toHex(expected)}`);
    }
  }
  const pinned = new Set<string>([
    ...(root?.keys ?? []).map((k) => toHex(k.keyId)),
    ...(pin.keyId === undefined ? [] : [toHex(pin.keyId)]),
  ]);
  const said: string[] = [`log ${toHex(h.logId)}`];
  if (pinned.size > 0) {
    // The header's key, and the checkpoint's, must each be pinned or endorsed down from a pinned key.
    const signers: Array<[string, Uint8Array]> = [['signing key', h.keyId]];
    const body = b.checkpoint === undefined ? undefined : decodeCheckpoint(b.checkpoint.body);
    if (body !== undefined && typeof body !== 'string' && !bytesEqual(body.keyId, h.keyId)) {
      signers.push(['checkpoint key', body.keyId]);
    }
    for (const [what, keyId] of signers) {
      const chain = chainToPinned(b.keys, keyId, pinned);
      if (!chain.ok) return fail(`${what}: ${chain.reason}`);
      said.push(
        chain.via.length === 0
          ? `${what} ${toHex(keyId)} pinned`
          : `${what} ${toHex(keyId)} endorsed down from a pinned key (${chain.via.length} step${chain.via.length === 1 ? '' : 's'})`,
      );
    }
    // A key the root pins directly was accepted only within the window the root gives it.
    const direct = root?.keys.find((k) => bytesEqual(k.keyId, h.keyId));
    if (
      direct !== undefined &&
      (h.timeMs < direct.validFromMs || (direct.validUntilMs !== 0n && h.timeMs >= direct.validUntilMs))
    ) {
      return fail(
        `signing key ${toHex(h.keyId)} signed at ${h.timeMs} ms, outside the window the trust root pins it for`,
      );
    }
  } else {
    said.push('key not pinned');
  }
  if (root !== undefined) {
    for (const [a, what] of [
      [b.anchor, 'the anchor'],
      [b.checkpoint?.anchor, "the checkpoint's anchor"],
    ] as const) {
      if (a === undefined) continue;
      const problem = anchorProblem(a, root, what);
      if (problem !== undefined) return fail(problem);
    }
    if (root.symbol !== undefined && b.anchor !== undefined) said.push('anchored by a pinned Symbol account');
  }
  return pass(`issuer pinned: ${said.join('; ')}`);
}
