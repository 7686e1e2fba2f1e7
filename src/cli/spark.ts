#!/usr/bin/env node
import { readFileSync } from 'node:fs';
// The `spark` command: dispatches to subcommands and turns failures into messages and exit codes.
import { Code, ConnectError } from '@connectrpc/connect';
import { ConfigError } from '../config/config-error.ts';
import { CliError, EXIT_CODES, EXIT_UNREACHABLE } from './cli-error.ts';
import { commandHelp } from './help.ts';

const USAGE = `usage:
  spark serve [--listen 127.0.0.1:50051] [--data-dir DIR] [--insecure] [--ephemeral-keys] [--log-format json|pretty]   (TLS and tokens: docs/security.md)
  spark signer --tls-cert F --tls-key F --client-ca F --policy F.json [--listen 127.0.0.1:50061]
  spark submit --server HOST:PORT (--file F | --digest HEX | --text S | --dir DIR) [--immediate] [--request-id ID] [--json] [--quiet]
      one reference to another chain (not with --dir): --bitcoin-tx TXID | --ethereum-tx 0xHASH | --polygon-tx 0xHASH | --symbol-tx HASH | --jpyc ethereum|polygon:0xHASH:LOGINDEX
  spark status --server HOST:PORT [--json]
  spark account --server HOST:PORT [--json]   (the Symbol account: address to fund, balance, recent cost, days left)
  spark prove --server HOST:PORT (--leaf HEX | --file F | --digest HEX) [--wait [SECONDS]] --out F.spark [--publish] [--quiet] [--force]   (--wait: until final, or SECONDS; --publish: on IPFS)
  spark stamp FILE… --server HOST:PORT [--wait [SECONDS]] [--immediate] [--force]   (writes FILE.spark beside each file)
  spark upgrade F.spark --server HOST:PORT   (the richer bundle for the same leaf: anchored, finalized, checkpointed)
  spark verify F.spark [--data F | --digest HEX] [--trust ROOT.json] [--log-id HEX] [--key-id HEX] [--witness-policy F.json] [--symbol URL[,URL…]] [--disable-algorithm NAME,…] [--json]
      (F.spark beside F: F is checked unless --data or --digest names another)
  spark trust export (--server HOST:PORT | --data-dir D) --out ROOT.json [--force]
  spark witness init --data-dir D --name NAME [--algorithm ML-DSA-44|ML-DSA-65|Ed25519] [--ephemeral-keys]   (prints the witness's verifier key)
  spark witness serve --data-dir D --listen HOST:PORT --log ROOT.json [--log ROOT.json …] [--insecure] [--ephemeral-keys]
  spark witness evidence --data-dir D [--json]   (conflicting checkpoints the witness kept)
  spark inspect F.spark [--json]
  spark keys list|rotate --server HOST:PORT [--json]
  spark usage --server HOST:PORT [--since T] [--until T] [--client NAME] [--format table|json|csv]   (admin)
  spark token create --name NAME [--role client|admin] [--file TOKENS]
  spark token quota --name NAME [--file TOKENS] [--daily N|none] [--monthly N|none] [--immediate-daily N|none] [--price XYM|none]
  spark credit --server HOST:PORT [--json]   (your prepaid credit: balance, price, how to top up)
  spark <command> --help   (its options explained);   spark --version
  submit, prove, status, keys, usage and credit also take: --tls-ca F [--tls-cert F --tls-key F] [--token-file F] (or SPARK_TOKEN_FILE)`;

const print = (line: string) => process.stdout.write(`${line}\n`);

/** The project's version, from its package.json. */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? 'unknown';
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === 'version') {
    print(`spark ${version()} (node ${process.versions.node}, OpenSSL ${process.versions.openssl})`);
    return 0;
  }
  if (command !== undefined && (rest.includes('--help') || rest.includes('-h'))) {
    const help = commandHelp(command);
    if (help !== undefined) {
      print(help);
      return 0;
    }
  }
  switch (command) {
    // Each command loads only what it needs: a client command must not pay for the whole server.
    case 'serve':
      return (await import('./commands/serve.ts')).serve(rest);
    case 'signer':
      return (await import('./commands/signer.ts')).signer(rest);
    case 'submit':
      return (await import('./commands/submit.ts')).submit(rest, print);
    case 'prove':
      return (await import('./commands/prove.ts')).prove(rest, print);
    case 'verify':
      return (await import('./commands/verify.ts')).verify(rest, print);
    case 'inspect':
      return (await import('./commands/inspect.ts')).inspect(rest, print);
    case 'account':
      return (await import('./commands/account.ts')).account(rest, print);
    case 'status':
      return (await import('./commands/status.ts')).status(rest, print);
    case 'keys':
      return (await import('./commands/keys.ts')).keys(rest, print);
    case 'usage':
      return (await import('./commands/usage.ts')).usage(rest, print);
    case 'credit':
      return (await import('./commands/credit.ts')).credit(rest, print);
    case 'token':
      return (await import('./commands/token.ts')).token(rest, print);
    case 'stamp':
      return (await import('./commands/stamp.ts')).stamp(rest, print);
    case 'upgrade':
      return (await import('./commands/upgrade.ts')).upgrade(rest, print);
    case 'trust':
      return (await import('./commands/trust.ts')).trust(rest, print);
    case 'witness':
      return (await import('./commands/witness.ts')).witness(rest, print);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      print(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new CliError('USAGE', `unknown command "${command}"`);
  }
}

/** A connection that never reached a server: its system error code (ECONNREFUSED, ENOTFOUND, …), if any. */
function unreachable(err: ConnectError): string | undefined {
  const codes = new Set([
    'ECONNREFUSED',
    'ENOTFOUND',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'EAI_AGAIN',
    'ECONNRESET',
  ]);
  let cause: unknown = err.cause;
  for (let depth = 0; depth < 5 && cause instanceof Error; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && codes.has(code)) return code;
    cause = cause.cause;
  }
  return undefined;
}

/** The --server value of `argv`, for messages. */
function serverOf(argv: readonly string[]): string {
  const i = argv.indexOf('--server');
  const inline = argv.find((a) => a.startsWith('--server='));
  return inline?.slice('--server='.length) ?? (i >= 0 ? (argv[i + 1] ?? 'the server') : 'the server');
}

// A reader that went away (`spark verify … | head`) ends the command quietly, as Unix tools do.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const notReached = err instanceof ConnectError ? unreachable(err) : undefined;
    if (err instanceof CliError) {
      process.stderr.write(`spark: ${err.message}\n`);
      if (err.code === 'USAGE') process.stderr.write(`${USAGE}\n`);
      process.exitCode = EXIT_CODES[err.code];
    } else if (err instanceof ConfigError) {
      process.stderr.write(`spark: ${err.message}\n`);
      process.exitCode = 2;
    } else if (notReached !== undefined) {
      const target = serverOf(process.argv.slice(2));
      // A reset without --tls-ca is what a TLS port does to a plaintext client: say so.
      const tlsHint =
        notReached === 'ECONNRESET' && !process.argv.includes('--tls-ca')
          ? ' If it serves TLS there, pass --tls-ca.'
          : '';
      process.stderr.write(
        `spark: cannot connect to ${target} — is spark serve running?${tlsHint} (${notReached})\n`,
      );
      process.exitCode = EXIT_UNREACHABLE;
    } else if (err instanceof ConnectError) {
      // A TLS port answers a plaintext client with an alert its HTTP/2 client cannot read: the stream is closed
      // (or, at other times, the connection reset: above). Without --tls-ca, say what is likely.
      const tlsHint =
        !process.argv.includes('--tls-ca') &&
        /stream closed with error code|protocol error/i.test(err.rawMessage)
          ? ' (if it serves TLS there, pass --tls-ca)'
          : '';
      process.stderr.write(`spark: server answered ${Code[err.code]}: ${err.rawMessage}${tlsHint}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`spark: ${(err as Error)?.message ?? String(err)}\n`);
      process.exitCode = 2;
    }
  },
);
