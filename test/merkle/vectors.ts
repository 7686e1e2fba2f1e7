// Loads the RFC 6962 / RFC 9162 JSON vectors under test/vectors/merkle; fails loudly when none load.
import { readdirSync, readFileSync } from 'node:fs';
import { fromHex } from '../../src/proof/encoding/bytes.ts';

/** One vector file, hex decoded. */
export interface MerkleVectors {
  readonly file: string;
  readonly leaves: Uint8Array[];
  readonly emptyRoot: Uint8Array;
  readonly leafHashes: Uint8Array[];
  readonly roots: Array<{ treeSize: number; root: Uint8Array }>;
  readonly inclusion: Array<{ leafIndex: number; treeSize: number; path: Uint8Array[] }>;
}

const DIR = new URL('../vectors/merkle/', import.meta.url);

function hex(h: unknown, where: string): Uint8Array {
  const b = typeof h === 'string' ? fromHex(h) : undefined;
  if (b === undefined) throw new Error(`${where}: not hex: ${String(h)}`);
  return b;
}

interface Raw {
  leaves: string[];
  emptyRoot: string;
  leafHashes: string[];
  roots: Array<{ treeSize: number; root: string }>;
  inclusion: Array<{ leafIndex: number; treeSize: number; path: string[] }>;
}

/** Every vector file; throws when the directory holds none or a file lacks data. */
export function loadMerkleVectors(): MerkleVectors[] {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
  const out = files.map((file): MerkleVectors => {
    const raw = JSON.parse(readFileSync(new URL(file, DIR), 'utf8')) as Raw;
    const v = {
      file,
      leaves: raw.leaves.map((h, i) => hex(h, `${file} leaves[${i}]`)),
      emptyRoot: hex(raw.emptyRoot, `${file} emptyRoot`),
      leafHashes: raw.leafHashes.map((h, i) => hex(h, `${file} leafHashes[${i}]`)),
      roots: raw.roots.map((r) => ({
        treeSize: r.treeSize,
        root: hex(r.root, `${file} root ${r.treeSize}`),
      })),
      inclusion: raw.inclusion.map((p) => ({
        leafIndex: p.leafIndex,
        treeSize: p.treeSize,
        path: p.path.map((h, i) => hex(h, `${file} inclusion ${p.leafIndex}/${p.treeSize}[${i}]`)),
      })),
    };
    if (v.leaves.length === 0 || v.roots.length === 0 || v.inclusion.length === 0) {
      throw new Error(`${file}: no leaves, roots or inclusion vectors`);
    }
    return v;
  });
  if (out.length === 0) throw new Error(`no Merkle vectors found in ${DIR.pathname}`);
  return out;
}
