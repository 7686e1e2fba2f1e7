// RFC 9162 interior-node hashing for many nodes per call: the WebAssembly SIMD module (node-hasher-wat.ts) hashes
// 0x01 ‖ left ‖ right for four nodes per pass, so a tree level costs a few calls instead of one call per node.
// Pure core: no Node globals, so a browser or any worker can load it too.

import { fromBase64 } from '../../encoding/base64.ts';
import { NODE_HASHER_WASM_BASE64 } from './node-hasher-wasm.ts';
import { HEAP_START, LANES, NODE_INPUT_BYTES, NODE_OUTPUT_BYTES } from './node-hasher-wat.ts';

/** Node groups per call: bounds the module's memory (1 MiB of input) whatever the level's size. */
const GROUPS_PER_CALL = 4096;
const IN_BYTES = GROUPS_PER_CALL * LANES * NODE_INPUT_BYTES;
const OUT_BYTES = GROUPS_PER_CALL * LANES * NODE_OUTPUT_BYTES;
const PAGE = 65536;
/** Inputs and outputs in the module's memory, after its table. */
const IN_AT = HEAP_START;
const OUT_AT = HEAP_START + IN_BYTES;

/** Hashes node inputs (left ‖ right, 64 bytes each) to their 32-byte RFC 9162 interior-node hashes. */
export interface NodeHasher {
  /** `pairs` nodes from `input` (pairs × 64 bytes) into a new pairs × 32-byte buffer. */
  hashPairs(input: Uint8Array, pairs: number): Uint8Array;
}

/** The part of the WebAssembly JS API used here (the project's type libraries declare no WebAssembly values). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let compiled: object | undefined;

/** A hasher with its own WebAssembly instance and memory (instances are not shared between threads). */
export function createNodeHasher(): NodeHasher {
  if (compiled === undefined) {
    const bytes = fromBase64(NODE_HASHER_WASM_BASE64);
    if (bytes === undefined) throw new Error('the node hasher module is not base64: run npm run build:wasm');
    compiled = new wasm.Module(bytes);
  }
  const instance = new wasm.Instance(compiled, {});
  const memory = instance.exports['memory'] as WasmMemory;
  const hashGroups = instance.exports['hash_groups'] as (
    input: number,
    groups: number,
    output: number,
  ) => void;
  const need = Math.ceil((HEAP_START + IN_BYTES + OUT_BYTES) / PAGE) - memory.buffer.byteLength / PAGE;
  if (need > 0) memory.grow(need);
  return {
    hashPairs(input, pairs) {
      if (!Number.isSafeInteger(pairs) || pairs < 0 || input.length < pairs * NODE_INPUT_BYTES)
        throw new RangeError(`input must hold ${pairs} node inputs of ${NODE_INPUT_BYTES} bytes`);
      const out = new Uint8Array(pairs * NODE_OUTPUT_BYTES);
      const heap = new Uint8Array(memory.buffer);
      for (let done = 0; done < pairs; done += GROUPS_PER_CALL * LANES) {
        const n = Math.min(pairs - done, GROUPS_PER_CALL * LANES);
        const groups = Math.ceil(n / LANES);
        heap.set(input.subarray(done * NODE_INPUT_BYTES, (done + n) * NODE_INPUT_BYTES), IN_AT);
        // The last group's missing lanes hash whatever is there; their outputs are not copied out.
        hashGroups(IN_AT, groups, OUT_AT);
        out.set(heap.subarray(OUT_AT, OUT_AT + n * NODE_OUTPUT_BYTES), done * NODE_OUTPUT_BYTES);
      }
      return out;
    },
  };
}
