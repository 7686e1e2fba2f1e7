// The signer's audit line: one info record per signature, naming what was signed by its hash, never its bytes.
import { createHash } from 'node:crypto';
import type { Logger } from '../log/logger.ts';
import type { PeerIdentity } from './peer-identity.ts';
import type { SignerPurpose } from './policy.ts';

/** What one signature was. */
export interface SignatureEvent {
  readonly client: PeerIdentity;
  readonly purpose: SignerPurpose;
  /** Algorithm name, e.g. "ML-DSA-65" or "Ed25519". */
  readonly algorithm: string;
  /** Registry id; absent for the Symbol account (Ed25519 is not a batch algorithm). */
  readonly algorithmId?: number;
  /** Key generation; absent for the Symbol account, which has one key. */
  readonly generation?: number;
  /** SHA-256 of the public key. */
  readonly keyId: Uint8Array;
  /** The signed bytes: only their SHA-256 and length are logged. */
  readonly message: Uint8Array;
  /** FIPS 204 context; logged as text when it is printable ASCII (the fixed spark/v1/… labels), else by length. */
  readonly context?: Uint8Array;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** The context as a label when it is printable ASCII, else undefined. */
function contextLabel(context: Uint8Array): string | undefined {
  for (const c of context) if (c < 0x20 || c > 0x7e) return undefined;
  return Buffer.from(context).toString('latin1');
}

/** Writes the audit line for `event` at info: msg "signed". */
export function logSignature(log: Logger, event: SignatureEvent): void {
  const record: Record<string, unknown> = {
    client: event.client.name,
    clientCertSha256: event.client.fingerprint,
    purpose: event.purpose,
    algorithm: event.algorithm,
  };
  if (event.algorithmId !== undefined) record['algorithmId'] = event.algorithmId;
  if (event.generation !== undefined) record['generation'] = event.generation;
  record['keyId'] = hex(event.keyId);
  record['messageSha256'] = createHash('sha256').update(event.message).digest('hex');
  record['messageLength'] = event.message.length;
  if (event.context !== undefined) {
    const label = contextLabel(event.context);
    if (label !== undefined) record['context'] = label;
    record['contextLength'] = event.context.length;
  }
  log.info(record, 'signed');
}
