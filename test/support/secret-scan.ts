// Scans text for known secrets in every form they could be printed in (test helper).
import assert from 'node:assert/strict';

/** The ways a secret could be printed: hex (both cases), base64, base64url, and a 16-digit hex fragment. */
export function secretForms(secret: Uint8Array): string[] {
  const b = Buffer.from(secret);
  const hex = b.toString('hex');
  return [hex, hex.toUpperCase(), b.toString('base64'), b.toString('base64url'), hex.slice(16, 32)];
}

/** Asserts no form of any secret occurs in `text`; `what` names the text in the failure. */
export function assertNoSecrets(text: string, secrets: ReadonlyMap<string, Uint8Array>, what: string): void {
  for (const [name, secret] of secrets) {
    for (const form of secretForms(secret)) {
      assert.ok(!text.includes(form), `${what} contains the ${name} (as "${form.slice(0, 8)}…")`);
    }
  }
}
