// `spark token create`: a fresh bearer token on stdout, and on stderr the line the SPARK_AUTH_TOKENS file needs
// (its SHA-256 only: the server never stores tokens).
import {
  createToken,
  ROLES,
  type Role,
  TOKEN_NAME_PATTERN,
  tokenFileLine,
} from '../../service/access-tokens.ts';
import { parseArgs, stringFlag } from '../args.ts';
import { CliError } from '../cli-error.ts';

/** Runs `spark token create --name NAME [--role client|admin]`. */
export async function token(
  argv: readonly string[],
  out: (line: string) => void,
  err: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<number> {
  const [action, ...rest] = argv;
  if (action !== 'create') throw new CliError('USAGE', `token: unknown action "${action ?? ''}" (create)`);
  const args = parseArgs(rest, { name: 'string', role: 'string' });
  const name = stringFlag(args, 'name');
  if (name === undefined) throw new CliError('USAGE', '--name NAME is required', { field: 'name' });
  if (!TOKEN_NAME_PATTERN.test(name)) {
    throw new CliError('USAGE', '--name: 1–64 of A–Z a–z 0–9 . _ @ -', { field: 'name' });
  }
  const roleRaw = stringFlag(args, 'role') ?? 'client';
  const role: Role | undefined = ROLES.find((r) => r === roleRaw);
  if (role === undefined) {
    throw new CliError('USAGE', `--role: "${roleRaw}" is not ${ROLES.join(' or ')}`, { field: 'role' });
  }
  const fresh = createToken();
  out(fresh);
  err("add this line to the SPARK_AUTH_TOKENS file (it holds the token's SHA-256, not the token):");
  err(tokenFileLine(name, role, fresh));
  return 0;
}
