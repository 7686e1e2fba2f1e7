// `spark inspect`: what a bundle holds, for people (a summary, one line per part), or every field with --json.
// It checks nothing: `spark verify` does.

import type { ProofBundle } from '../../gen/spark/v1/bundle_pb.js';
import { bundleToDisplay, decodeBundle, MAX_BUNDLE_BYTES } from '../../proof/bundle/codec.ts';
import { decodeHeader } from '../../proof/bundle/header.ts';
import { algorithmById } from '../../proof/crypto/algorithms.ts';
import { toHex } from '../../proof/encoding/bytes.ts';
import { parseCheckpointText } from '../../proof/note/checkpoint-text.ts';
import { parseNote } from '../../proof/note/signed-note.ts';
import { parseArgs } from '../args.ts';
import { CliError } from '../cli-error.ts';
import { readFileFor } from '../io.ts';

/** Long hex cut to its ends: people compare the first and last characters. */
function short(bytes: Uint8Array): string {
  const hex = toHex(bytes);
  return hex.length <= 20 ? hex : `${hex.slice(0, 8)}…${hex.slice(-8)}`;
}

const iso = (ms: bigint): string =>
  ms <= 8_640_000_000_000_000n ? new Date(Number(ms)).toISOString() : `${ms} ms`;
const algorithmName = (id: number): string =>
  algorithmById(id)?.name ?? `algorithm 0x${id.toString(16).padStart(4, '0')}`;

/** The summary lines of `b` (`size` bytes). */
export function summaryOf(b: ProofBundle, size: number): string[] {
  const lines: Array<[string, string]> = [
    ['bundle', `version ${b.version}, ${size.toLocaleString('en')} bytes`],
  ];
  const leaf = b.leaf;
  const inc = b.inclusion;
  if (leaf !== undefined) {
    lines.push([
      'leaf',
      `digest ${toHex(leaf.digest)} (SHA-256), leaf hash ${toHex(leaf.leafHash)}${inc === undefined ? '' : `, index ${inc.leafIndex} of ${inc.treeSize}`}`,
    ]);
  }
  const source = (bundleToDisplay(b) as { leaf?: { source?: { summary?: unknown } } }).leaf?.source?.summary;
  if (typeof source === 'string') lines.push(['source', source]);
  const h = decodeHeader(b.header);
  if (typeof h === 'string') {
    lines.push(['batch', `header unreadable: ${h}`]);
  } else {
    lines.push([
      'batch',
      `sequence ${h.sequence} of log ${short(h.logId)}, sealed ${iso(h.timeMs)}, root ${short(h.root)}`,
    ]);
    lines.push(['guarantee', `${algorithmName(h.algorithmId)} until ${iso(h.guaranteeExpiryMs)}`]);
  }
  for (const s of b.signatures) {
    lines.push([
      'signed',
      `${algorithmName(s.algorithmId)} by key ${short(s.keyId)} (${s.signature.length.toLocaleString('en')}-byte signature)`,
    ]);
  }
  for (const k of b.keys) {
    const until = k.validUntilMs === 0n ? 'current' : `until ${iso(k.validUntilMs)}`;
    const endorsed = k.endorsement.length > 0 ? `, endorsed by ${short(k.previousKeyId)}` : '';
    lines.push([
      'key',
      `${short(k.keyId)} ${algorithmName(k.algorithmId)} (${k.protection}), from ${iso(k.validFromMs)}, ${until}${endorsed}`,
    ]);
  }
  const a = b.anchor;
  lines.push([
    'anchor',
    a === undefined
      ? 'none (sealed only)'
      : `Symbol transaction ${short(a.transactionHash)} at height ${a.height}, finalized height claimed ${a.finalizedHeight}${a.blockHeader.length > 0 ? ', with its block header' : ''}`,
  ]);
  const c = b.checkpoint;
  lines.push([
    'checkpoint',
    c === undefined
      ? 'none'
      : `of ${c.batchCount} batches${c.anchor === undefined ? '' : `, anchored at height ${c.anchor.height}`}`,
  ]);
  const w = b.cosignedCheckpoint;
  if (w === undefined) {
    lines.push(['witnesses', 'no cosigned checkpoint']);
  } else {
    const note = parseNote(w.note);
    const cp = typeof note === 'string' ? note : parseCheckpointText(note.text);
    if (typeof note === 'string' || typeof cp === 'string') {
      lines.push(['witnesses', `cosigned checkpoint unreadable: ${typeof note === 'string' ? note : cp}`]);
    } else {
      const others = note.signatures.filter((s) => s.name !== cp.origin).map((s) => s.name);
      lines.push([
        'witnesses',
        `checkpoint of ${cp.size} batches with ${others.length} cosignature(s)${others.length > 0 ? ` (${others.join(', ')})` : ''}, unchecked`,
      ]);
    }
  }
  const arweave = b.publication?.arweave;
  lines.push([
    'published',
    b.publication === undefined
      ? 'no'
      : `IPFS ${b.publication.ipfsCid}${arweave === undefined ? '' : `, Arweave transaction ${arweave.id}`}`,
  ]);
  const width = Math.max(...lines.map(([k]) => k.length));
  return [
    ...lines.map(([k, v]) => `${k.padEnd(width)}  ${v}`),
    '',
    'spark verify checks it; --json prints every field.',
  ];
}

/** Prints the summary, or with --json the decoded bundle as indented JSON. */
export async function inspect(argv: readonly string[], out: (line: string) => void): Promise<number> {
  const args = parseArgs(argv, { json: 'boolean' });
  if (args.positionals.length !== 1)
    throw new CliError('USAGE', 'give exactly one bundle file: spark inspect FILE.spark');
  const bytes = readFileFor('bundle', args.positionals[0] as string, MAX_BUNDLE_BYTES);
  let bundle: ProofBundle;
  try {
    bundle = decodeBundle(bytes);
  } catch (e) {
    throw new CliError('NEGATIVE', `not a proof bundle: ${(e as Error).message}`, { cause: e });
  }
  if (args.flags.has('json')) out(JSON.stringify(bundleToDisplay(bundle), null, 2));
  else for (const line of summaryOf(bundle, bytes.length)) out(line);
  return 0;
}
