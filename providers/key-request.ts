// Checks of the arguments every provider's open() takes, so each refuses bad ones the same way.
import { KeyError } from './key-error.ts';
import { type KeyPurpose, MAX_KEY_GENERATION } from './key-provider.ts';

const PURPOSES: readonly KeyPurpose[] = ['batch-signing', 'witness-cosigning'];

/** Throws KeyError UNSUPPORTED_PURPOSE or INVALID_INPUT (field "generation") for bad arguments. */
export function checkKeyRequest(purpose: KeyPurpose, generation: number): void {
  if (!PURPOSES.includes(purpose)) {
    throw new KeyError('UNSUPPORTED_PURPOSE', 'unsupported key purpose', { field: 'purpose' });
  }
  if (!Number.isInteger(generation) || generation < 0 || generation > MAX_KEY_GENERATION) {
    throw new KeyError('INVALID_INPUT', `generation must be an integer in 0..${MAX_KEY_GENERATION}`, {
      field: 'generation',
    });
  }
}
