// Tokens made the way an operator makes them (`spark token create --file`), for end-to-end tests: each client's
// token, the tokens file, and a token file per client for `spark --token-file`.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './spawn-server.ts';

/** The tokens file in `dir`, each client's token, and where its own token file is (mode 0600). */
export interface CliTokens {
  readonly file: string;
  readonly tokens: ReadonlyMap<string, string>;
  tokenFile(name: string): string;
}

/** Runs `spark token create` for each (name, role) into `dir`/tokens. */
export async function createCliTokens(
  dir: string,
  clients: ReadonlyArray<readonly [string, 'client' | 'admin']>,
): Promise<CliTokens> {
  const file = join(dir, 'tokens');
  const tokens = new Map<string, string>();
  for (const [name, role] of clients) {
    const r = await runCli(['token', 'create', '--name', name, '--role', role, '--file', file]);
    assert.equal(r.code, 0, r.stderr);
    tokens.set(name, r.stdout.trim());
  }
  return {
    file,
    tokens,
    tokenFile(name) {
      const path = join(dir, `${name}.token`);
      writeFileSync(path, `${tokens.get(name)}\n`, { mode: 0o600 });
      return path;
    },
  };
}
