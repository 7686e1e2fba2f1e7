// `spark inspect`: pretty-prints a bundle for people.
import { bundleToDisplay, decodeBundle, MAX_BUNDLE_BYTES } from '../../bundle/codec.ts';
import { parseArgs } from '../args.ts';
import { CliError } from '../cli-error.ts';
import { readFileFor } from '../io.ts';

/** Prints the decoded bundle as indented JSON. */
export async function inspect(argv: readonly string[], out: (line: string) => void): Promise<number> {
  const args = parseArgs(argv, {});
  if (args.positionals.length !== 1)
    throw new CliError('USAGE', 'give exactly one bundle file: spark inspect FILE.spark');
  const bytes = readFileFor('bundle', args.positionals[0] as string, MAX_BUNDLE_BYTES);
  let display: unknown;
  try {
    display = bundleToDisplay(decodeBundle(bytes));
  } catch (e) {
    throw new CliError('NEGATIVE', `not a proof bundle: ${(e as Error).message}`, { cause: e });
  }
  out(JSON.stringify(display, null, 2));
  return 0;
}
