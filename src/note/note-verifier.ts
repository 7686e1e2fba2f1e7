// The node:crypto edge of the note modules: the SignatureCheck for cosignatures and plain Ed25519 note signatures.
//
// Ed25519 is checked by node:crypto (OpenSSL's RFC 8032 verification, as Go's crypto/ed25519 does for C2SP notes;
// not this project's stricter hybrid-component rule of src/proof/crypto/ed25519-rule.ts). ML-DSA-44 and every registry
// algorithm of the spark extension go through createNativeVerifier() with an EMPTY context: pure ML-DSA / SLH-DSA
// (FIPS 204/205) over the exact message, a hybrid through its registry construction with an empty context.
// No I/O: this module only needs Node's crypto.
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { createNativeVerifier, DEFAULT_KEY_CACHE_SIZE } from '../crypto/native-verifier.ts';
import { algorithmByName } from '../proof/crypto/algorithms.ts';
import { bytesEqual, toHex, utf8 } from '../proof/encoding/bytes.ts';
import { createLru } from '../proof/encoding/lru.ts';
import type { CosignatureAlgorithm, SignatureCheck } from '../proof/note/cosignature.ts';
import type { SignedNote } from '../proof/note/signed-note.ts';
import { SIGNATURE_TYPE_ED25519, type VerifierKey } from '../proof/note/verifier-key.ts';

/** The FIPS 204/205 context of every note signature: empty. */
export const NOTE_SIGNATURE_CONTEXT: Uint8Array = new Uint8Array(0);

const ED25519_PUBLIC_KEY_LENGTH = 32;
const ED25519_SIGNATURE_LENGTH = 64;

/** An Ed25519 check through node:crypto: true when `signature` is valid for `message`; never throws. */
export type Ed25519Check = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;

/** Creates an Ed25519 check that keeps up to `keyCacheSize` imported public keys. */
export function createEd25519Check(keyCacheSize = DEFAULT_KEY_CACHE_SIZE): Ed25519Check {
  const keys = createLru<KeyObject>(keyCacheSize);
  return (publicKey, message, signature) => {
    try {
      if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) return false;
      if (!(signature instanceof Uint8Array) || signature.length !== ED25519_SIGNATURE_LENGTH) return false;
      if (!(message instanceof Uint8Array)) return false;
      const name = toHex(publicKey);
      let key = keys.get(name);
      if (key === undefined) {
        const x = Buffer.from(publicKey).toString('base64url');
        key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
        keys.set(name, key);
      }
      return verify(null, message, key, signature);
    } catch {
      return false;
    }
  };
}

/** Registry identifier of a non-Ed25519 cosignature algorithm (names are spelled as in the registry). */
function registryId(algorithm: CosignatureAlgorithm): number | undefined {
  const spec = algorithmByName(algorithm);
  return spec !== undefined && spec.name === algorithm ? spec.id : undefined;
}

/**
 * The SignatureCheck of the cosignature module: Ed25519 with node:crypto; ML-DSA-44 and the registry algorithms
 * with createNativeVerifier() and an empty context. Never throws; false for anything malformed.
 */
export function createNoteSignatureCheck(options: { readonly keyCacheSize?: number } = {}): SignatureCheck {
  const keyCacheSize = options.keyCacheSize ?? DEFAULT_KEY_CACHE_SIZE;
  const ed25519 = createEd25519Check(keyCacheSize);
  const native = createNativeVerifier({ keyCacheSize });
  return (algorithm, publicKey, message, signature) => {
    if (algorithm === 'Ed25519') return ed25519(publicKey, message, signature);
    const id = registryId(algorithm);
    if (id === undefined) return false;
    return native.verify(id, publicKey, message, signature, NOTE_SIGNATURE_CONTEXT);
  };
}

/** The verdict on a note's signature by one key. */
export type NoteVerdict = { ok: true } | { ok: false; reason: string };

const defaultEd25519 = createEd25519Check();

/**
 * Checks a note against a plain Ed25519 note key (signature type 0x01: Ed25519 over the note text, as in
 * golang.org/x/mod/sumdb/note). Every signature line with the key's name and key ID must verify, and there must
 * be at least one. Lines of other keys are ignored, as c2sp.org/signed-note says.
 */
export function verifyPlainEd25519Note(
  key: VerifierKey,
  note: SignedNote,
  check = defaultEd25519,
): NoteVerdict {
  if (
    key.signatureType.length !== 1 ||
    !bytesEqual(key.signatureType, Uint8Array.of(SIGNATURE_TYPE_ED25519))
  ) {
    return { ok: false, reason: 'not a plain Ed25519 note key (signature type 0x01)' };
  }
  const mine = note.signatures.filter((s) => s.name === key.name && s.keyId === key.keyId);
  if (mine.length === 0) {
    return { ok: false, reason: `no signature by ${key.name}+${key.keyId.toString(16).padStart(8, '0')}` };
  }
  const text = utf8(note.text);
  for (const s of mine) {
    if (!check(key.publicKey, text, s.signature)) return { ok: false, reason: 'signature does not verify' };
  }
  return { ok: true };
}
