// A hybrid signing key (docs/proof-format.md §7): two component keys that each sign the hybrid message; both must verify.
import { hybridMessage } from '../../src/proof/crypto/hybrid.ts';
import { concatBytes } from '../../src/proof/encoding/bytes.ts';
import { CheckedSigningKey, type CheckedSigningKeyOptions } from '../checked-signing-key.ts';
import { KeyError } from '../key-error.ts';
import type { ComponentSigner, ComponentSignerFactory } from './component-signer.ts';
import { checkHybridSeeds, hybridAlgorithm } from './hybrid-algorithm.ts';

/**
 * Signs M' = "spark/v1/hybrid" ‖ u16be(id) ‖ u8(len ctx) ‖ ctx ‖ message with every component and returns the
 * component signatures concatenated. The base class verifies the whole hybrid before release.
 */
export class HybridKey extends CheckedSigningKey {
  readonly #components: readonly ComponentSigner[];

  /** Takes ownership of `components` (given in the algorithm's component order): close() wipes them. */
  constructor(
    algorithmId: number,
    components: readonly ComponentSigner[],
    options?: CheckedSigningKeyOptions,
  ) {
    const spec = hybridAlgorithm(algorithmId);
    const matches =
      components.length === spec.components.length &&
      components.every((c, i) => c.component.name === spec.components[i]?.name);
    if (!matches) {
      throw new KeyError('SELF_CHECK_FAILED', `${spec.name} components are not in its order`, {
        field: 'components',
      });
    }
    super(algorithmId, concatBytes(...components.map((c) => c.publicKey)), options);
    this.#components = components;
  }

  protected async _onSign(message: Uint8Array, context: Uint8Array): Promise<Uint8Array> {
    const signed = hybridMessage(this.algorithmId, context, message);
    const signatures = await Promise.all(this.#components.map((c) => c.sign(signed, context)));
    return concatBytes(...signatures);
  }

  protected _onClose(): void {
    for (const c of this.#components) c.wipe();
  }
}

/**
 * Builds hybrid `algorithmId` from one seed per component (in its order) with `make`; components already
 * built are wiped when a later one fails. The caller keeps (and wipes) `seeds`.
 */
export function createHybridKey(
  algorithmId: number,
  seeds: readonly Uint8Array[],
  make: ComponentSignerFactory,
  options?: CheckedSigningKeyOptions,
): HybridKey {
  const spec = hybridAlgorithm(algorithmId);
  checkHybridSeeds(spec, seeds);
  const built: ComponentSigner[] = [];
  try {
    spec.components.forEach((c, i) => {
      built.push(make(c, seeds[i] as Uint8Array));
    });
    return new HybridKey(algorithmId, built, options);
  } catch (err) {
    for (const c of built) c.wipe();
    throw err;
  }
}
