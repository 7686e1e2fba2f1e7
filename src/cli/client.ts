// gRPC clients for the CLI (HTTP/2, plain gRPC protocol): plaintext, or TLS with --tls-ca (and a client
// certificate with --tls-cert/--tls-key), with a bearer token from --token-file or SPARK_TOKEN_FILE.

import { type Client, createClient, type Interceptor } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { firstLineOf, readCheckedFile } from '../config/secret-file.ts';
import { SparkAdmin } from '../gen/spark/v1/admin_pb.js';
import { SparkProcessor } from '../gen/spark/v1/processor_pb.js';
import { type FlagKind, type ParsedArgs, stringFlag } from './args.ts';
import { CliError } from './cli-error.ts';

/** The flags every command that talks to the server takes. */
export const SERVER_FLAGS = {
  server: 'string',
  'tls-ca': 'string',
  'tls-cert': 'string',
  'tls-key': 'string',
  'token-file': 'string',
} as const satisfies Readonly<Record<string, FlagKind>>;

/** Where and how to reach the server. */
export interface ServerTarget {
  readonly server: string;
  readonly tls: { readonly ca: Buffer; readonly cert?: Buffer; readonly key?: Buffer } | undefined;
  /** The bearer token, never printed. */
  readonly token: string | undefined;
}

/** Largest PEM or token file read. */
const MAX_FILE_BYTES = 1024 * 1024;

function checkServer(server: string): void {
  if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(server)) {
    throw new CliError('USAGE', `--server: "${server}" is not HOST:PORT`, { field: 'server' });
  }
}

/** The field a flag (or environment variable) error names. */
const fieldOf = (flag: string): string => (flag.startsWith('--') ? flag.slice(2) : flag);

/** Reads a file named by `flag`; with `secret`, one that group or others may access is refused. */
function readFor(flag: string, path: string, secret: boolean): Buffer {
  return readCheckedFile(path, { maxBytes: MAX_FILE_BYTES, ownerOnly: secret }, (problem, cause) => {
    return new CliError('IO', `${flag}: ${problem}`, {
      field: fieldOf(flag),
      ...(cause === undefined ? {} : { cause }),
    });
  });
}

/** Reads a token file: the token on its first line, trailing line ends stripped. */
function readToken(flag: string, path: string): string {
  const token = firstLineOf(readFor(flag, path, true));
  if (token.length === 0 || token.length > 512 || !/^[\x21-\x7e]+$/.test(token)) {
    throw new CliError('IO', `${flag}: ${path} does not hold a token on its first line`, {
      field: fieldOf(flag),
    });
  }
  return token;
}

const isLoopback = (server: string): boolean => /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost):/i.test(server);

/** Reads the server flags (and SPARK_TOKEN_FILE); throws CliError naming the flag. */
export function serverTarget(args: ParsedArgs, env: NodeJS.ProcessEnv = process.env): ServerTarget {
  const server = stringFlag(args, 'server');
  if (server === undefined)
    throw new CliError('USAGE', '--server HOST:PORT is required', { field: 'server' });
  checkServer(server);
  const caFile = stringFlag(args, 'tls-ca');
  const certFile = stringFlag(args, 'tls-cert');
  const keyFile = stringFlag(args, 'tls-key');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new CliError('USAGE', '--tls-cert and --tls-key go together', {
      field: certFile === undefined ? 'tls-cert' : 'tls-key',
    });
  }
  if (certFile !== undefined && caFile === undefined) {
    throw new CliError('USAGE', '--tls-cert needs --tls-ca (the CA of the server certificate)', {
      field: 'tls-ca',
    });
  }
  const tls =
    caFile === undefined
      ? undefined
      : {
          ca: readFor('--tls-ca', caFile, false),
          ...(certFile === undefined || keyFile === undefined
            ? {}
            : { cert: readFor('--tls-cert', certFile, false), key: readFor('--tls-key', keyFile, true) }),
        };
  const tokenFlag = stringFlag(args, 'token-file');
  const tokenFile = tokenFlag ?? (env['SPARK_TOKEN_FILE'] || undefined);
  const token =
    tokenFile === undefined
      ? undefined
      : readToken(tokenFlag === undefined ? 'SPARK_TOKEN_FILE' : '--token-file', tokenFile);
  if (token !== undefined && tls === undefined && !isLoopback(server)) {
    process.stderr.write(`spark: warning: sending a token to ${server} without TLS (give --tls-ca)\n`);
  }
  return { server, tls, token };
}

/** The transport for `target`: gRPC over HTTP/2, TLS when a CA is given. */
function transportFor(target: ServerTarget) {
  const token = target.token;
  const interceptors: Interceptor[] =
    token === undefined
      ? []
      : [
          (next) => (req) => {
            req.header.set('authorization', `Bearer ${token}`);
            return next(req);
          },
        ];
  if (target.tls === undefined) {
    return createGrpcTransport({ baseUrl: `http://${target.server}`, interceptors });
  }
  return createGrpcTransport({
    baseUrl: `https://${target.server}`,
    nodeOptions: { ...target.tls },
    interceptors,
  });
}

/** A SparkProcessor client. */
export function processorClient(target: ServerTarget): Client<typeof SparkProcessor> {
  return createClient(SparkProcessor, transportFor(target));
}

/** A SparkAdmin client. */
export function adminClient(target: ServerTarget): Client<typeof SparkAdmin> {
  return createClient(SparkAdmin, transportFor(target));
}
