// Which account wrote which key-history entry (docs/anchoring.md §4): an entry lives under the account that wrote it,
// so a retirement can only update it from that account, and a new account (a memory provider's restart) starts its
// own history. Markers are "<account public key hex>/<key id hex>", with ":until" for a written retirement.
import { toHex } from '../../proof/encoding/bytes.ts';
import type { OutboxEntry } from '../anchor-state.ts';

/** The signer (account public key, hex) of a stored announcement: bytes 72..104 of the aggregate. */
export function accountOf(entry: Pick<OutboxEntry, 'payload'>): string {
  return toHex(entry.payload.slice(72, 104));
}

/** The marker of key id `id` (possibly "<id>:until") written by `account`. */
export function keyMarker(account: string, id: string): string {
  return `${account}/${id}`;
}

/** The markers of what an announcement carries. */
export function markersOf(entry: Pick<OutboxEntry, 'payload' | 'keyIds'>): string[] {
  const account = accountOf(entry);
  return entry.keyIds.map((id) => keyMarker(account, id));
}

/**
 * Markers stored before entries were kept per account are bare key ids: each is given the account of an
 * announcement that carried it and reached a block, else `current` (the only account there was).
 */
export function qualifyLegacy(
  stored: ReadonlySet<string>,
  outbox: readonly OutboxEntry[],
  current: string,
): Set<string> {
  const out = new Set<string>();
  for (const m of stored) {
    if (m.includes('/')) {
      out.add(m);
      continue;
    }
    const carrier = outbox.find(
      (e) => (e.state === 'confirmed' || e.state === 'final') && e.keyIds.includes(m),
    );
    out.add(keyMarker(carrier === undefined ? current : accountOf(carrier), m));
  }
  return out;
}
