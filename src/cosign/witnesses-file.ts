// Reads SPARK_WITNESSES_FILE: the witnesses this log asks for cosignatures, each a URL and a C2SP verifier key
// (docs/witnesses.md §Configuring the log). Anything malformed is a configuration error naming the entry.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/config-error.ts';
import { cosignerFromVerifierKey, cosignerKeyId } from '../proof/note/cosignature.ts';
import { parseVerifierKey } from '../proof/note/verifier-key.ts';
import type { WitnessEndpoint } from './witness-client.ts';

/** Largest witnesses file read. */
const MAX_FILE_BYTES = 1024 * 1024;
/** Most witnesses a log asks: with the log's own line, a note stays within the 64 signatures every reader takes. */
export const MAX_WITNESSES = 63;

const fail = (setting: string, problem: string): never => {
  throw new ConfigError([{ setting, problem }]);
};

/** The witnesses of `path` and the quorum (`quorum` or a majority), checked. */
export function readWitnessesFile(
  path: string,
  quorum: number | undefined,
): { witnesses: WitnessEndpoint[]; quorum: number } {
  const S = 'SPARK_WITNESSES_FILE';
  let json: unknown;
  try {
    const bytes = readFileSync(path);
    if (bytes.length > MAX_FILE_BYTES) fail(S, `${path} is larger than ${MAX_FILE_BYTES} bytes`);
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    fail(S, `${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!Array.isArray(json)) return fail(S, `${path} must hold a JSON array of {"url", "vkey"} objects`);
  if (json.length === 0 || json.length > MAX_WITNESSES)
    fail(S, `${path} must list 1 to ${MAX_WITNESSES} witnesses`);
  const witnesses: WitnessEndpoint[] = [];
  const seen = new Set<string>();
  for (const [i, entry] of (json as unknown[]).entries()) {
    const where = `${path} entry ${i}`;
    if (typeof entry !== 'object' || entry === null) fail(S, `${where} is not an object`);
    const e = entry as Record<string, unknown>;
    for (const key of Object.keys(e)) {
      if (!['url', 'vkey', 'ca'].includes(key)) fail(S, `${where}: unknown field "${key}"`);
    }
    if (typeof e['url'] !== 'string') return fail(S, `${where}: url must be a string`);
    let url: URL;
    try {
      url = new URL(e['url']);
    } catch {
      return fail(S, `${where}: url "${e['url'].slice(0, 100)}" is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(S, `${where}: url must be http or https`);
    if (typeof e['vkey'] !== 'string')
      return fail(S, `${where}: vkey must be a string (spark witness init prints it)`);
    const vkey = parseVerifierKey(e['vkey']);
    if (typeof vkey === 'string') return fail(S, `${where}: vkey: ${vkey}`);
    const cosigner = cosignerFromVerifierKey(vkey);
    if (typeof cosigner === 'string') return fail(S, `${where}: vkey: ${cosigner}`);
    const id = `${cosigner.name}\n${cosignerKeyId(cosigner)}`;
    if (seen.has(id)) fail(S, `${where}: the witness ${cosigner.name} is listed twice`);
    seen.add(id);
    let ca: Buffer | undefined;
    if (e['ca'] !== undefined) {
      if (typeof e['ca'] !== 'string') return fail(S, `${where}: ca must be a path to PEM certificates`);
      try {
        ca = readFileSync(e['ca']);
      } catch (err) {
        fail(S, `${where}: ca ${e['ca']}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    witnesses.push({ url: url.toString(), cosigner, ca });
  }
  const k = quorum ?? Math.floor(witnesses.length / 2) + 1;
  if (k > witnesses.length) {
    fail('SPARK_WITNESS_QUORUM', `${k} exceeds the ${witnesses.length} witnesses of SPARK_WITNESSES_FILE`);
  }
  return { witnesses, quorum: k };
}
