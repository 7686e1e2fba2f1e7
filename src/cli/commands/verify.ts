// `spark verify`: offline verification of a .spark file; exit 0 only when valid.
import { verifyBundle } from '../../bundle/verify.ts';
import { nativeSha256 } from '../../crypto/native-sha256.ts';
import { createNativeVerifier } from '../../crypto/native-verifier.ts';
import { oneOf, parseArgs, stringFlag } from '../args.ts';
import { CliError } from '../cli-error.ts';
import { hash32Flag, readFileFor, sha256File } from '../io.ts';

/** Verifies and prints one line per check (JSON with --json). */
export async function verify(argv: readonly string[], out: (line: string) => void): Promise<number> {
  const args = parseArgs(argv, { data: 'string', digest: 'string', json: 'boolean' });
  if (args.positionals.length !== 1)
    throw new CliError('USAGE', 'give exactly one bundle file: spark verify FILE.spark');
  const bytes = readFileFor('bundle', args.positionals[0] as string);
  const which = oneOf(args, ['data', 'digest'], false);
  let digest: Uint8Array | undefined;
  if (which === 'data') digest = await sha256File('data', stringFlag(args, 'data') as string);
  if (which === 'digest') digest = hash32Flag('digest', stringFlag(args, 'digest') as string);
  const report = verifyBundle(bytes, {
    verifier: createNativeVerifier(),
    sha256: nativeSha256,
    ...(digest === undefined ? {} : { digest }),
  });
  if (args.flags.has('json')) {
    out(JSON.stringify(report));
  } else {
    for (const c of report.checks) out(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name.padEnd(13)} ${c.detail}`);
    const failed = report.checks.filter((c) => !c.ok).map((c) => c.name);
    out(report.valid ? 'VALID' : `INVALID: failed ${failed.join(', ')}`);
  }
  return report.valid ? 0 : 1;
}
