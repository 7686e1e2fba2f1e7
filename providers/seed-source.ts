// Where derived key seeds come from (docs/keys.md): one root secret, one HMAC-SHA256 label per key (docs/hsm.md §Derivation).
import { createHmac } from 'node:crypto';
import type { ExternalSigner } from '../src/anchor/external-signer.ts';
import { createMemoryEd25519Signer } from '../src/anchor/memory-ed25519-signer.ts';
import { checkedEd25519Signer } from './checked-ed25519-signer.ts';
import type { KeyPurpose } from './key-provider.ts';

/**
 * Derives `length` bytes of seed for `label` from a root secret the caller never sees (a file's seed, or a
 * non-extractable key in an HSM). Equal labels give equal bytes. The caller wipes the result after use.
 */
export type SeedSource = (label: Uint8Array, length: number) => Uint8Array;

/** The label of one key: "spark/v1/key-seed/<purpose>/<algorithm id, 4 hex>/<generation>[/<component>]". */
export function keySeedLabel(
  purpose: KeyPurpose,
  algorithmId: number,
  generation: number,
  component?: string,
): Uint8Array {
  const alg = algorithmId.toString(16).padStart(4, '0');
  const tail = component === undefined ? '' : `/${component}`;
  return new TextEncoder().encode(`spark/v1/key-seed/${purpose}/${alg}/${generation}${tail}`);
}

/** The label of a plain Ed25519 key's 32-byte seed: "spark/v1/key-seed/<purpose>/ed25519/<generation>". */
export function ed25519SeedLabel(purpose: KeyPurpose, generation: number): Uint8Array {
  return new TextEncoder().encode(`spark/v1/key-seed/${purpose}/ed25519/${generation}`);
}

/** An Ed25519 signer from the seed `source` derives for (purpose, generation); the seed is wiped. */
export function derivedEd25519Signer(
  source: SeedSource,
  purpose: KeyPurpose,
  generation: number,
  isClosed: () => boolean,
): ExternalSigner {
  const seed = source(ed25519SeedLabel(purpose, generation), 32);
  try {
    return checkedEd25519Signer(createMemoryEd25519Signer(seed), isClosed);
  } finally {
    seed.fill(0);
  }
}

/**
 * Expands HMAC outputs to `length` bytes like HKDF-Expand (RFC 5869) with the label as info:
 * T(i) = HMAC(root, T(i-1) ‖ label ‖ i). `hmac` computes HMAC-SHA256 under the root secret.
 */
export function expandWithHmac(
  hmac: (data: Uint8Array) => Uint8Array,
  label: Uint8Array,
  length: number,
): Uint8Array {
  if (!Number.isInteger(length) || length < 1 || length > 255 * 32) {
    throw new RangeError('seed length must be 1..8160 bytes');
  }
  const out = new Uint8Array(length);
  let previous: Uint8Array = new Uint8Array(0);
  for (let i = 1, offset = 0; offset < length; i++) {
    const input = new Uint8Array(previous.length + label.length + 1);
    input.set(previous, 0);
    input.set(label, previous.length);
    input[input.length - 1] = i;
    const block = hmac(input);
    previous.fill(0);
    input.fill(0);
    out.set(block.subarray(0, Math.min(32, length - offset)), offset);
    offset += 32;
    previous = block;
  }
  previous.fill(0);
  return out;
}

/**
 * A seed source over a root secret held in this process. The root is copied; `wipe` zeroes the copy.
 * Used by the memory provider (a random root) and the docker-secret provider (the root read from a file).
 */
export function memorySeedSource(root: Uint8Array): { source: SeedSource; wipe: () => void } {
  const key = Uint8Array.from(root);
  let wiped = false;
  return {
    source(label, length) {
      if (wiped) throw new Error('seed source was wiped');
      return expandWithHmac(
        (data) => {
          const mac = createHmac('sha256', key).update(data).digest();
          const copy = new Uint8Array(mac);
          mac.fill(0);
          return copy;
        },
        label,
        length,
      );
    },
    wipe() {
      wiped = true;
      key.fill(0);
    },
  };
}
