// Finds the slot of the token with a given label (PKCS#11 pads labels with spaces to 32 bytes, so both are trimmed).
import type { Handle, PKCS11 } from 'pkcs11js';
import { ckrName, tokenUnavailable } from './pkcs11-error.ts';

/**
 * The slot holding the one token labelled `label` in the module loaded from `modulePath`. Throws KeyError
 * TOKEN_UNAVAILABLE naming the module and label (and the labels present) when there is none, or more than one.
 */
export function findTokenSlot(pkcs11: PKCS11, modulePath: string, label: string): Handle {
  const wanted = label.trim();
  const labels: string[] = [];
  const matches: Handle[] = [];
  try {
    for (const slot of pkcs11.C_GetSlotList(true)) {
      const found = pkcs11.C_GetTokenInfo(slot).label.trim();
      labels.push(found);
      if (found === wanted) matches.push(slot);
    }
  } catch (cause) {
    throw tokenUnavailable(
      `cannot list the tokens of PKCS#11 module "${modulePath}": ${ckrName(cause)}`,
      cause,
    );
  }
  const [slot] = matches;
  if (slot === undefined) {
    const present = labels.length === 0 ? 'none' : labels.map((l) => `"${l}"`).join(', ');
    throw tokenUnavailable(
      `no token labelled "${wanted}" in PKCS#11 module "${modulePath}" (tokens present: ${present})`,
    );
  }
  if (matches.length > 1) {
    throw tokenUnavailable(
      `${matches.length} tokens are labelled "${wanted}" in PKCS#11 module "${modulePath}"; labels must be unique`,
    );
  }
  return slot;
}
