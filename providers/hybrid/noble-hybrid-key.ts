// Hybrid keys in @noble (docs/proof-format.md §7): post-quantum components in @noble/post-quantum, Ed25519 in @noble/curves.
import { ed25519 } from '@noble/curves/ed25519.js';
import type { ComponentSpec } from '../../src/proof/crypto/algorithms.ts';
import { noblePqcScheme } from '../../src/proof/crypto/noble-schemes.ts';
import type { CheckedSigningKeyOptions } from '../checked-signing-key.ts';
import { KeyError } from '../key-error.ts';
import { checkMlDsaSeed } from '../ml-dsa/ml-dsa-algorithm.ts';
import { nobleSlhDsaKeyPair } from '../slh-dsa/noble-slh-dsa-key.ts';
import type { ComponentSigner } from './component-signer.ts';
import { ED25519_SEED_LENGTH } from './hybrid-algorithm.ts';
import { createHybridKey, type HybridKey } from './hybrid-key.ts';

/** A component whose secret sits in a JavaScript buffer, zeroed by wipe(). */
function bufferSigner(
  component: ComponentSpec,
  publicKey: Uint8Array,
  secret: Uint8Array,
  sign: (message: Uint8Array, secret: Uint8Array, context: Uint8Array) => Uint8Array,
): ComponentSigner {
  let held: Uint8Array | undefined = secret;
  return {
    component,
    publicKey,
    async sign(message, context) {
      if (held === undefined) throw new KeyError('CLOSED', 'signing key is closed');
      return sign(message, held, context);
    },
    wipe() {
      held?.fill(0);
      held = undefined;
    },
  };
}

/** The portable signer of one hybrid component; the caller keeps (and wipes) `seed`. */
export function nobleComponentSigner(component: ComponentSpec, seed: Uint8Array): ComponentSigner {
  if (component.family === 'ed25519') {
    if (seed.length !== ED25519_SEED_LENGTH) {
      throw new KeyError('INVALID_INPUT', `seed must be ${ED25519_SEED_LENGTH} bytes`, { field: 'seed' });
    }
    const secret = Uint8Array.from(seed);
    // Pure RFC 8032 over the hybrid message: Ed25519 takes no context.
    return bufferSigner(component, ed25519.getPublicKey(secret), secret, (m, s) => ed25519.sign(m, s));
  }
  if (component.family === 'slh-dsa') {
    const { impl, publicKey, secretKey } = nobleSlhDsaKeyPair(component, seed);
    return bufferSigner(component, publicKey, secretKey, (m, s, context) => impl.sign(m, s, { context }));
  }
  checkMlDsaSeed(seed);
  const impl = noblePqcScheme(component.name);
  if (impl === undefined) {
    throw new KeyError('UNSUPPORTED_ALGORITHM', `no portable implementation of ${component.name}`, {
      field: 'algorithmId',
    });
  }
  const { publicKey, secretKey } = impl.keygen(seed);
  return bufferSigner(component, publicKey, secretKey, (m, s, context) => impl.sign(m, s, { context }));
}

/** Builds a portable hybrid key from one seed per component (in the algorithm's order); the caller wipes `seeds`. */
export function createNobleHybridKey(
  algorithmId: number,
  seeds: readonly Uint8Array[],
  options?: CheckedSigningKeyOptions,
): HybridKey {
  return createHybridKey(algorithmId, seeds, nobleComponentSigner, options);
}
