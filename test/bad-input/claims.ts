// What nothing signs offline, zeroed (docs/proof-format.md §6, §9.5): a fuzzed bundle found VALID must equal a known
// valid one once these are zeroed in both, or it is a false VALID. Shared by the in-process and the RPC fuzz loops.
import { decodeBundle, encodeBundle } from '../../src/proof/bundle/codec.ts';
import { bytesEqual } from '../../src/proof/encoding/bytes.ts';

/**
 * The bundle re-encoded with what nothing signs offline zeroed: the anchors' finalized_height, in version 1 also
 * height and block_timestamp (version 2 binds them with the block header), in version 2 the block header's size
 * field, which the harvester's signature does not cover (docs/proof-format.md §9.1), and every key record's
 * valid_until_ms that no successor in the bundle binds (§6: not read). A bundle differing only there verifies like
 * its original; `spark verify --symbol` checks the anchor claims. Undefined when the bytes do not decode.
 */
export function withoutClaims(bytes: Uint8Array): Uint8Array | undefined {
  let b: ReturnType<typeof decodeBundle>;
  try {
    b = decodeBundle(bytes);
  } catch {
    return undefined;
  }
  for (const a of [b.anchor, b.checkpoint?.anchor]) {
    if (a === undefined) continue;
    a.height = 0n;
    a.blockTimestamp = 0n;
    a.finalizedHeight = 0n;
    if (a.blockHeader.length >= 4) a.blockHeader = Uint8Array.of(0, 0, 0, 0, ...a.blockHeader.subarray(4));
  }
  for (const k of b.keys) {
    const bound = b.keys.some((s) => s.previousKeyId.length > 0 && bytesEqual(s.previousKeyId, k.keyId));
    if (!bound) k.validUntilMs = 0n;
  }
  return encodeBundle(b);
}

/** True when `bytes` differs from one of `valid` only in what `withoutClaims` zeroes. */
export function onlyClaimsDiffer(bytes: Uint8Array, valid: readonly Uint8Array[]): boolean {
  const stripped = withoutClaims(bytes);
  return (
    stripped !== undefined &&
    valid.some((v) => {
      const w = withoutClaims(v) ?? v;
      return bytesEqual(w, stripped);
    })
  );
}
