// Base64 decoding and base64url encoding for the pure core, which has neither atob nor Buffer (own module: bundles
// that do not use it stay byte-identical).

/** The value of a base64 digit (A–Z a–z 0–9 + /), -1 for anything else. No table: nothing to keep in bundles. */
function base64Digit(c: number): number {
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 71;
  if (c >= 48 && c <= 57) return c + 4;
  return c === 43 ? 62 : c === 47 ? 63 : -1;
}

/** Parses standard padded base64 (RFC 4648 §4); returns undefined when it is not (the core has no atob or Buffer). */
export function fromBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let bits = 0;
  let held = 0;
  let o = 0;
  for (let i = 0; i < text.length - padding; i++) {
    const v = base64Digit(text.charCodeAt(i));
    if (v < 0) return undefined;
    bits = (bits << 6) | v;
    held += 6;
    if (held >= 8) {
      held -= 8;
      out[o++] = (bits >> held) & 0xff;
    }
  }
  // The bits left after the last whole byte must be zero (canonical encoding).
  return (bits & ((1 << held) - 1)) === 0 ? out : undefined;
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Unpadded base64url (RFC 4648 §5), as Arweave spells ids, addresses and keys. */
export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let held = 0;
  for (const b of bytes) {
    bits = ((bits << 8) | b) & 0xffff;
    held += 8;
    while (held >= 6) {
      held -= 6;
      out += BASE64URL[(bits >> held) & 63];
    }
  }
  return held > 0 ? out + BASE64URL[(bits << (6 - held)) & 63] : out;
}
