// `spark verify`: offline verification of a .spark file, optionally followed by online checks against a Symbol node; exit 0 only when valid.
import { statSync } from 'node:fs';
import type { OnChainCheck } from '../../anchor/symbol/online-check.ts';
import { nativeSha256 } from '../../crypto/native-sha256.ts';
import { createNativeVerifier } from '../../crypto/native-verifier.ts';
import type { IssuerPin } from '../../proof/bundle/checks/issuer.ts';
import type { WitnessPolicy } from '../../proof/bundle/checks/witnesses.ts';
import { decodeBundle, MAX_BUNDLE_BYTES } from '../../proof/bundle/codec.ts';
import { verdictOf, verifyBundle } from '../../proof/bundle/verify.ts';
import { algorithmById, algorithmByName } from '../../proof/crypto/algorithms.ts';
import type { SignatureVerifier } from '../../proof/crypto/signature-verifier.ts';
import { MAX_TRUST_ROOT_BYTES, parseTrustRoot, type TrustRoot } from '../../proof/trust/trust-root.ts';
import { MAX_WITNESS_POLICY_BYTES, parseWitnessPolicy } from '../../proof/trust/witness-policy.ts';
import { oneOf, type ParsedArgs, parseArgs, stringFlag } from '../args.ts';
import { CliError } from '../cli-error.ts';
import { hash32Flag, readFileFor, sha256File } from '../io.ts';

/** Most nodes one `--symbol` compares. */
const MAX_SYMBOL_NODES = 16;

/** Checks `--symbol URL[,URL…]` names http(s) URLs; throws CliError USAGE naming the flag. */
function symbolUrls(value: string): string[] {
  const urls = value.split(',').map((u) => u.trim());
  if (urls.length > MAX_SYMBOL_NODES) {
    throw new CliError('USAGE', `--symbol: at most ${MAX_SYMBOL_NODES} nodes`, { field: 'symbol' });
  }
  for (const url of urls) {
    let ok = /^https?:\/\/[^\s]+$/.test(url);
    if (ok) {
      try {
        new URL(url);
      } catch {
        ok = false;
      }
    }
    if (!ok) throw new CliError('USAGE', `--symbol: "${url}" is not an http(s) URL`, { field: 'symbol' });
  }
  return urls;
}

/** Parses `--disable-algorithm NAME[,NAME…]` (registry names or ids like 0x0011) into algorithm ids. */
function disabledAlgorithms(value: string | undefined): number[] {
  if (value === undefined) return [];
  return value.split(',').map((raw) => {
    const name = raw.trim();
    const spec =
      algorithmByName(name) ?? (/^0x[0-9a-f]{1,4}$/i.test(name) ? algorithmById(Number(name)) : undefined);
    if (spec === undefined) {
      throw new CliError('USAGE', `--disable-algorithm: "${name}" is not a known algorithm name or id`, {
        field: 'disable-algorithm',
      });
    }
    return spec.id;
  });
}

/** FILE for FILE.spark when FILE is a regular file beside it; else undefined. */
function dataBeside(bundlePath: string): string | undefined {
  if (!bundlePath.endsWith('.spark') || bundlePath.length <= '.spark'.length) return undefined;
  const data = bundlePath.slice(0, -'.spark'.length);
  try {
    return statSync(data).isFile() ? data : undefined;
  } catch {
    return undefined;
  }
}

/** The issuer pinned by --trust, --log-id and --key-id, or undefined. A bad trust root file is a usage error. */
function issuerPin(args: ParsedArgs, verifier: SignatureVerifier): IssuerPin | undefined {
  const trust = stringFlag(args, 'trust');
  const logId = stringFlag(args, 'log-id');
  const keyId = stringFlag(args, 'key-id');
  if (trust === undefined && logId === undefined && keyId === undefined) return undefined;
  let root: TrustRoot | undefined;
  if (trust !== undefined) {
    const text = new TextDecoder().decode(readFileFor('trust', trust, MAX_TRUST_ROOT_BYTES));
    const parsed = parseTrustRoot(text, verifier, nativeSha256);
    if (!parsed.ok)
      throw new CliError('USAGE', `--trust: ${trust} is not a trust root: ${parsed.reason}`, {
        field: 'trust',
      });
    root = parsed.value;
  }
  return {
    ...(root === undefined ? {} : { root }),
    ...(logId === undefined ? {} : { logId: hash32Flag('log-id', logId) }),
    ...(keyId === undefined ? {} : { keyId: hash32Flag('key-id', keyId) }),
  };
}

/** The witness policy of --witness-policy FILE, or undefined. A bad file is a usage error. */
function witnessPolicyFlag(args: ParsedArgs): WitnessPolicy | undefined {
  const path = stringFlag(args, 'witness-policy');
  if (path === undefined) return undefined;
  const text = new TextDecoder().decode(readFileFor('witness-policy', path, MAX_WITNESS_POLICY_BYTES));
  const policy = parseWitnessPolicy(text);
  if (typeof policy === 'string') {
    throw new CliError('USAGE', `--witness-policy: ${path} is not a witness policy: ${policy}`, {
      field: 'witness-policy',
    });
  }
  return policy;
}

/** The online checks, or one failed line when the bundle cannot be decoded. */
async function onlineChecks(bytes: Uint8Array, urls: readonly string[]): Promise<OnChainCheck[]> {
  let bundle: ReturnType<typeof decodeBundle>;
  try {
    bundle = decodeBundle(bytes);
  } catch {
    return [{ name: 'chain-anchor', ok: false, detail: 'skipped: decode failed' }];
  }
  // Loaded only with --symbol: offline verification needs neither the SDK nor a network client.
  const { checkOnChain } = await import('../../anchor/symbol/online-check.ts');
  const { createSymbolRestClient } = await import('../../anchor/symbol/rest-client.ts');
  return checkOnChain(
    bundle,
    urls.map((url) => createSymbolRestClient({ url })),
  );
}

/** Verifies and prints one line per check (JSON with --json). */
export async function verify(argv: readonly string[], out: (line: string) => void): Promise<number> {
  const args = parseArgs(argv, {
    data: 'string',
    digest: 'string',
    symbol: 'string',
    json: 'boolean',
    'disable-algorithm': 'string',
    trust: 'string',
    'log-id': 'string',
    'key-id': 'string',
    'witness-policy': 'string',
  });
  const disabled = disabledAlgorithms(stringFlag(args, 'disable-algorithm'));
  if (args.positionals.length !== 1)
    throw new CliError('USAGE', 'give exactly one bundle file: spark verify FILE.spark');
  const symbol = stringFlag(args, 'symbol');
  const urls = symbol === undefined ? undefined : symbolUrls(symbol);
  const bundlePath = args.positionals[0] as string;
  const bytes = readFileFor('bundle', bundlePath, MAX_BUNDLE_BYTES);
  const which = oneOf(args, ['data', 'digest'], false);
  let digest: Uint8Array | undefined;
  let dataFrom: string | undefined;
  if (which === 'data') digest = await sha256File('data', stringFlag(args, 'data') as string);
  if (which === 'digest') digest = hash32Flag('digest', stringFlag(args, 'digest') as string);
  // FILE.spark beside FILE: the file is the subject unless another was named (docs/trust.md, "Proofs beside files").
  const beside = which === undefined ? dataBeside(bundlePath) : undefined;
  if (beside !== undefined) {
    digest = await sha256File('data', beside);
    dataFrom = beside;
  }
  const verifier = createNativeVerifier();
  const pin = issuerPin(args, verifier);
  const witnessPolicy = witnessPolicyFlag(args);
  const offline = verifyBundle(bytes, {
    ...(witnessPolicy === undefined ? {} : { witnessPolicy }),
    verifier,
    sha256: nativeSha256,
    disabledAlgorithms: disabled,
    ...(digest === undefined ? {} : { digest }),
    ...(pin === undefined ? {} : { pin }),
  });
  // Not a bundle at all: one line, not a page of skipped checks.
  const decoded = offline.checks[0];
  if (!args.flags.has('json') && decoded?.name === 'decode' && !decoded.ok) {
    out(`INVALID: ${bundlePath} is not a Spark proof bundle (${decoded.detail})`);
    return 1;
  }
  const checks: OnChainCheck[] = [...offline.checks];
  if (urls !== undefined) checks.push(...(await onlineChecks(bytes, urls)));
  const valid = checks.every((c) => c.ok);
  const subjectChecked = digest !== undefined;
  const verdict = `${verdictOf({ checks, issuerPinned: offline.issuerPinned })}${valid && !subjectChecked ? ', no data checked' : ''}`;
  if (args.flags.has('json')) {
    out(
      JSON.stringify({
        valid,
        verdict,
        issuerPinned: offline.issuerPinned,
        subjectChecked,
        ...(dataFrom === undefined ? {} : { data: dataFrom }),
        checks,
      }),
    );
  } else {
    const pad = urls === undefined ? 13 : 17;
    if (dataFrom !== undefined) out(`data: ${dataFrom} (beside the bundle)`);
    for (const c of checks) out(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name.padEnd(pad)} ${c.detail}`);
    out(verdict);
  }
  return valid ? 0 : 1;
}
