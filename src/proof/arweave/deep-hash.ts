// Arweave's deep hash (docs/proof-format.md §9.6): the SHA-384 tree a format-2 transaction
// signs over. A blob hashes as SHA-384(SHA-384("blob" ‖ length) ‖ SHA-384(bytes)); a list folds its items into
// SHA-384("list" ‖ count), one SHA-384(accumulator ‖ deep hash of the item) per item (pure).
import { sha384 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8 } from '../encoding/bytes.ts';

/** A deep-hash input: bytes, or a list of inputs. */
export type DeepHashItem = Uint8Array | readonly DeepHashItem[];

/** The 48-byte deep hash of `item`. */
export function deepHash(item: DeepHashItem): Uint8Array {
  if (item instanceof Uint8Array) {
    const tag = sha384(utf8(`blob${item.length}`));
    return sha384(concatBytes(tag, sha384(item)));
  }
  let acc = sha384(utf8(`list${item.length}`));
  for (const child of item) acc = sha384(concatBytes(acc, deepHash(child)));
  return acc;
}
