// A witness policy file: {"quorum": k, "vkeys": ["<C2SP verifier key>", …]}, the witnesses whose cosignatures a
// bundle's checkpoint needs without a trust root (docs/witnesses.md §Verifying). Pure; refusals name the field.
import type { WitnessPolicy } from '../bundle/checks/witnesses.ts';
import { MAX_TRUSTED_WITNESSES, witnessesFromVkeys } from './trust-root.ts';

/** Largest policy file read. */
export const MAX_WITNESS_POLICY_BYTES = 1024 * 1024;

/** The policy of `text`, or the reason it is not one. */
export function parseWitnessPolicy(text: string): WitnessPolicy | string {
  if (text.length > MAX_WITNESS_POLICY_BYTES) return `larger than ${MAX_WITNESS_POLICY_BYTES} bytes`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'must be a JSON object';
  const o = json as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (key !== 'quorum' && key !== 'vkeys') return `unknown field "${key}" (quorum, vkeys)`;
  }
  const vkeys = o['vkeys'];
  if (!Array.isArray(vkeys) || vkeys.length === 0 || vkeys.length > MAX_TRUSTED_WITNESSES) {
    return `vkeys: must be an array of 1 to ${MAX_TRUSTED_WITNESSES} verifier keys`;
  }
  if (!vkeys.every((v): v is string => typeof v === 'string')) return 'vkeys: every entry must be a string';
  const witnesses = witnessesFromVkeys(vkeys);
  if (typeof witnesses === 'string') return witnesses.replace(/^witnesses/, 'vkeys');
  const quorum = o['quorum'];
  if (
    typeof quorum !== 'number' ||
    !Number.isSafeInteger(quorum) ||
    quorum < 1 ||
    quorum > witnesses.length
  ) {
    return `quorum: must be an integer in 1..${witnesses.length}`;
  }
  return { quorum, witnesses: witnesses.map((w) => w.cosigner) };
}
