// Records the signing key in the log's key history at start (SPEC §7): a new key gets an entry, self-signed.
import type { SigningKey } from '../../providers/key-provider.ts';
import { encodeKeyStatement } from '../bundle/key-statement.ts';
import { KEY_STATEMENT_CONTEXT } from '../crypto/contexts.ts';
import { bytesEqual } from '../encoding/bytes.ts';
import type { KeyHistoryEntry, Store } from '../store/store.ts';

/**
 * Returns the history entry of `key`, appending one when the key is new to this log.
 * A memory key lost at restart cannot endorse its successor, so the endorsement stays empty;
 * the successor's self-signature still binds its window start and predecessor.
 */
export async function ensureKeyRecorded(
  store: Store,
  key: SigningKey,
  nowMs: number,
  headTimeMs: number,
): Promise<KeyHistoryEntry> {
  const history = store.keyHistory();
  const last = history[history.length - 1];
  if (last !== undefined && bytesEqual(last.keyId, key.keyId) && last.validUntilMs === 0) return last;
  // A new window starts after the previous window's start and after the newest header,
  // so every earlier batch falls inside its own key's window.
  const validFromMs = Math.max(nowMs, (last?.validFromMs ?? 0) + 1, headTimeMs + 1);
  const previousKeyId = last?.keyId ?? new Uint8Array(0);
  const statement = encodeKeyStatement({
    algorithmId: key.algorithmId,
    keyId: key.keyId,
    validFromMs: BigInt(validFromMs),
    previousKeyId,
    protection: key.protection,
  });
  const entry: KeyHistoryEntry = {
    algorithmId: key.algorithmId,
    keyId: key.keyId,
    publicKey: key.publicKey,
    validFromMs,
    validUntilMs: 0,
    previousKeyId,
    endorsement: new Uint8Array(0),
    protection: key.protection,
    selfSignature: await key.sign(statement, KEY_STATEMENT_CONTEXT),
  };
  await store.appendKey(entry);
  return entry;
}
