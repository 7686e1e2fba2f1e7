// `spark keys list|rotate`: the server's key history, and an on-demand rotation (docs/keys.md).

import type { KeyRecord } from '../../gen/spark/v1/bundle_pb.js';
import { algorithmById } from '../../proof/crypto/algorithms.ts';
import { toHex } from '../../proof/encoding/bytes.ts';
import { parseArgs } from '../args.ts';
import { CliError } from '../cli-error.ts';
import { adminClient, processorClient, SERVER_FLAGS, serverTarget } from '../client.ts';

function iso(ms: bigint): string {
  return new Date(Number(ms)).toISOString();
}

/** One line per key: id, algorithm, protection, window, and how it was endorsed. */
export function describeKey(k: KeyRecord): string {
  const name = algorithmById(k.algorithmId)?.name ?? `0x${k.algorithmId.toString(16).padStart(4, '0')}`;
  const until = k.validUntilMs === 0n ? 'current' : `until ${iso(k.validUntilMs)}`;
  const endorsed =
    k.previousKeyId.length === 0
      ? 'first key'
      : k.endorsement.length === 0
        ? `follows ${toHex(k.previousKeyId).slice(0, 16)}… (not endorsed)`
        : `endorsed by ${toHex(k.previousKeyId).slice(0, 16)}…`;
  return `${toHex(k.keyId)}  ${name}  ${k.protection}  from ${iso(k.validFromMs)} ${until}  ${endorsed}`;
}

/** Runs `spark keys <list|rotate> --server HOST:PORT [--json]`. */
export async function keys(argv: readonly string[], out: (line: string) => void): Promise<number> {
  const [action, ...rest] = argv;
  const args = parseArgs(rest, { ...SERVER_FLAGS, json: 'boolean' });
  const target = serverTarget(args);
  const json = args.flags.get('json') === true;
  const asJson = (k: KeyRecord) => ({
    keyId: toHex(k.keyId),
    algorithmId: k.algorithmId,
    algorithm: algorithmById(k.algorithmId)?.name ?? null,
    protection: k.protection,
    validFromMs: Number(k.validFromMs),
    validUntilMs: Number(k.validUntilMs),
    previousKeyId: toHex(k.previousKeyId),
    endorsed: k.endorsement.length > 0,
  });
  switch (action) {
    case 'list': {
      const history = await processorClient(target).getKeyHistory({});
      if (json) out(JSON.stringify(history.keys.map(asJson)));
      else for (const k of history.keys) out(describeKey(k));
      return 0;
    }
    case 'rotate': {
      const res = await adminClient(target).rotateKey({});
      if (res.key === undefined) throw new CliError('NEGATIVE', 'the server returned no key');
      if (json) out(JSON.stringify({ ...asJson(res.key), generation: res.generation }));
      else out(`rotated: ${describeKey(res.key)}`);
      return 0;
    }
    default:
      throw new CliError('USAGE', `keys: unknown action "${action ?? ''}" (list or rotate)`);
  }
}
