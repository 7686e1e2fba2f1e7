// Transport settings (README.md §Configuration, docs/security.md): the gRPC listen address, TLS, who may call
// (tokens, admin certificate names), the message and stream limits, and the gRPC fast path.
import { parseGroupList } from '../../service/tls-groups.ts';
import type { ConfigIssue } from '../config-error.ts';
import * as d from '../defaults.ts';
import type { RawValues } from './helpers.ts';
import { parseListen } from './listen.ts';
import type { SettingDoc, SettingsTable } from './table.ts';

const NAMES = [
  'SPARK_LISTEN',
  'SPARK_TLS_CERT',
  'SPARK_TLS_KEY',
  'SPARK_TLS_CLIENT_CA',
  'SPARK_TLS_CLIENT_AUTH',
  'SPARK_TLS_GROUPS',
  'SPARK_AUTH_TOKENS',
  'SPARK_ADMIN_CERT_NAMES',
  'SPARK_MAX_MESSAGE_BYTES',
  'SPARK_MAX_ITEMS_PER_REQUEST',
  'SPARK_MAX_CONCURRENT_STREAMS',
  'SPARK_MAX_STREAMS_PER_CONNECTION',
  'SPARK_STREAM_RATE',
  'SPARK_GRPC_FAST_PATH',
] as const;

const ROWS: readonly SettingDoc<(typeof NAMES)[number]>[] = [
  {
    settings: ['SPARK_LISTEN'],
    variable: '`SPARK_LISTEN` (`--listen`)',
    default: '`127.0.0.1:50051`',
    meaning: 'gRPC, gRPC-Web and Connect on one port (HTTP/2 and HTTP/1.1)',
  },
  {
    settings: ['SPARK_MAX_MESSAGE_BYTES'],
    variable: '`SPARK_MAX_MESSAGE_BYTES`',
    default: '`4194304`',
    meaning: 'largest request message; beyond it RESOURCE_EXHAUSTED',
  },
  {
    settings: ['SPARK_MAX_ITEMS_PER_REQUEST'],
    variable: '`SPARK_MAX_ITEMS_PER_REQUEST`',
    default: '`1000`',
    meaning: 'most items in one `SubmitBatch`; more → RESOURCE_EXHAUSTED naming it',
  },
  {
    settings: ['SPARK_MAX_CONCURRENT_STREAMS'],
    variable: '`SPARK_MAX_CONCURRENT_STREAMS`',
    default: '`256`',
    meaning:
      'most `SubmitStream` and `WatchProof` calls open at once on the whole server, all connections together; the next → RESOURCE_EXHAUSTED naming it',
  },
  {
    settings: ['SPARK_MAX_STREAMS_PER_CONNECTION'],
    variable: '`SPARK_MAX_STREAMS_PER_CONNECTION`',
    default: '`256`',
    meaning:
      "most `SubmitStream` and `WatchProof` calls open at once on one HTTP/2 connection (1–100000); the next → RESOURCE_EXHAUSTED naming it. HTTP/2's `SETTINGS_MAX_CONCURRENT_STREAMS` is announced 100 above it, so unary calls and health checks keep room; lower it on a server shared by several clients (docs/operations.md §Many streams on one connection)",
  },
  {
    settings: ['SPARK_STREAM_RATE'],
    variable: '`SPARK_STREAM_RATE`',
    default: '`100000`',
    meaning:
      '`SubmitStream` items per second per client (certificate identity, else address); items beyond it are refused one by one with RESOURCE_EXHAUSTED naming it; `0` = unlimited',
  },
  {
    settings: ['SPARK_GRPC_FAST_PATH'],
    variable: '`SPARK_GRPC_FAST_PATH`',
    default: '`true`',
    meaning:
      'binary gRPC (`application/grpc`, `application/grpc+proto`, no compression) `Submit`, `SubmitBatch` and `SubmitStream` are served by a lean HTTP/2 path instead of connect-node, with the same answers, limits, authorization and metrics (docs/operations.md §gRPC fast path); `false` sends them through connect-node like every other call',
  },
  {
    settings: ['SPARK_TLS_CERT'],
    variable: '`SPARK_TLS_CERT`',
    default: 'none',
    meaning:
      'PEM server certificate (chain); with `SPARK_TLS_KEY` turns on TLS 1.3 for the port, ALPN `h2` and `http/1.1` ([docs/security.md](docs/security.md))',
  },
  {
    settings: ['SPARK_TLS_KEY'],
    variable: '`SPARK_TLS_KEY`',
    default: 'none',
    meaning:
      'PEM private key of `SPARK_TLS_CERT`; refused when group or others may read it (0400 or 0600, e.g. under `/run/secrets`)',
  },
  {
    settings: ['SPARK_TLS_GROUPS'],
    variable: '`SPARK_TLS_GROUPS`',
    default: '`X25519MLKEM768:X25519:P-256`',
    meaning: 'TLS key-exchange groups in preference order (OpenSSL syntax): the post-quantum hybrid first',
  },
  {
    settings: ['SPARK_TLS_CLIENT_CA'],
    variable: '`SPARK_TLS_CLIENT_CA`',
    default: 'none',
    meaning:
      "PEM CA of client certificates: turns on client certificates; a verified CN is the caller's identity (role `client`)",
  },
  {
    settings: ['SPARK_TLS_CLIENT_AUTH'],
    variable: '`SPARK_TLS_CLIENT_AUTH`',
    default: '`required` (with a CA)',
    meaning:
      '`required` (no certificate fails the handshake, an unverified one is dropped) or `optional` (none allowed, a bad one still refused)',
  },
  {
    settings: ['SPARK_ADMIN_CERT_NAMES'],
    variable: '`SPARK_ADMIN_CERT_NAMES`',
    default: 'none',
    meaning: 'comma-separated client certificate CNs with role `admin` (may call SparkAdmin)',
  },
  {
    settings: ['SPARK_AUTH_TOKENS'],
    variable: '`SPARK_AUTH_TOKENS`',
    default: 'none',
    meaning:
      'secret file (0400/0600) of `<name> <role> <sha256-hex> [daily=N] [monthly=N] [immediate-daily=N] [price=XYM]` lines (`spark token create`, `spark token quota`); callers send `authorization: Bearer <token>`; usage per client: `spark usage` (docs/operations.md §Usage, quotas and fees)',
  },
];

/** The transport part of the Config. */
export interface TransportPart {
  readonly listen: { readonly host: string; readonly port: number };
  /** TLS 1.3 on the listen port (docs/security.md); undefined serves plaintext. */
  readonly tls:
    | {
        readonly certFile: string;
        readonly keyFile: string;
        readonly clientCaFile: string | undefined;
        readonly clientAuth: 'none' | 'optional' | 'required';
        readonly groups: string;
      }
    | undefined;
  /** The tokens file (SPARK_AUTH_TOKENS); undefined when tokens are off. */
  readonly authTokensFile: string | undefined;
  /** Client certificate CNs with the admin role. */
  readonly adminCertNames: readonly string[];
  readonly maxMessageBytes: number;
  readonly maxItemsPerRequest: number;
  /** SubmitStream and WatchProof calls open at once on the whole server. */
  readonly maxConcurrentStreams: number;
  /** SubmitStream and WatchProof calls open at once on one connection. */
  readonly maxStreamsPerConnection: number;
  /** SubmitStream items per second per client; 0 = unlimited. */
  readonly streamRate: number;
  /** SPARK_GRPC_FAST_PATH: binary gRPC Submit, SubmitBatch and SubmitStream bypass connect-node. */
  readonly grpcFastPath: boolean;
}

/** SPARK_LISTEN (or its default) parsed, or what is wrong with it; the HTTP port and the loopback checks use it. */
export function listenSetting(raw: RawValues<'SPARK_LISTEN'>): { host: string; port: number } | string {
  return parseListen(raw.SPARK_LISTEN ?? d.DEFAULT_LISTEN);
}

/** The transport settings. */
export const TRANSPORT_SETTINGS: SettingsTable<typeof NAMES, TransportPart> = {
  names: NAMES,
  rows: ROWS,
  parse(raw, { issues, int, bool }) {
    const listen = listenSetting(raw);
    if (typeof listen === 'string') issues.push({ setting: 'SPARK_LISTEN', problem: listen });
    const tls = tlsSettings(raw, issues);
    const adminCertNames = (raw.SPARK_ADMIN_CERT_NAMES ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n !== '');
    if (adminCertNames.some((n) => n.length > 64 || [...n].some((c) => c < ' '))) {
      issues.push({
        setting: 'SPARK_ADMIN_CERT_NAMES',
        problem: 'each name must be 1–64 printable characters',
      });
    }
    if (raw.SPARK_ADMIN_CERT_NAMES !== undefined && tls?.clientCaFile === undefined) {
      issues.push({
        setting: 'SPARK_ADMIN_CERT_NAMES',
        problem: 'needs client certificates (SPARK_TLS_CLIENT_CA)',
      });
    }
    return {
      listen: typeof listen === 'string' ? { host: '127.0.0.1', port: 0 } : listen,
      tls,
      authTokensFile: raw.SPARK_AUTH_TOKENS,
      adminCertNames,
      maxMessageBytes: int('SPARK_MAX_MESSAGE_BYTES', d.DEFAULT_MAX_MESSAGE_BYTES, 1024, 64 * 1024 * 1024),
      maxItemsPerRequest: int('SPARK_MAX_ITEMS_PER_REQUEST', d.DEFAULT_MAX_ITEMS_PER_REQUEST, 1, 100_000),
      maxConcurrentStreams: int('SPARK_MAX_CONCURRENT_STREAMS', d.DEFAULT_MAX_CONCURRENT_STREAMS, 1, 100_000),
      maxStreamsPerConnection: int(
        'SPARK_MAX_STREAMS_PER_CONNECTION',
        d.DEFAULT_MAX_STREAMS_PER_CONNECTION,
        1,
        100_000,
      ),
      streamRate: int('SPARK_STREAM_RATE', d.DEFAULT_STREAM_RATE, 0, 100_000_000),
      grpcFastPath: bool('SPARK_GRPC_FAST_PATH', true),
    };
  },
};

/** The TLS settings: both of SPARK_TLS_CERT and SPARK_TLS_KEY, or none of the TLS settings. */
function tlsSettings(raw: RawValues<(typeof NAMES)[number]>, issues: ConfigIssue[]): TransportPart['tls'] {
  const certFile = raw.SPARK_TLS_CERT;
  const keyFile = raw.SPARK_TLS_KEY;
  const clientCaFile = raw.SPARK_TLS_CLIENT_CA;
  const groups = raw.SPARK_TLS_GROUPS ?? d.DEFAULT_TLS_GROUPS;
  const authRaw = raw.SPARK_TLS_CLIENT_AUTH;
  if (certFile === undefined || keyFile === undefined) {
    if (certFile !== undefined || keyFile !== undefined) {
      const missing = certFile === undefined ? 'SPARK_TLS_CERT' : 'SPARK_TLS_KEY';
      issues.push({
        setting: missing,
        problem: 'is missing: TLS needs both SPARK_TLS_CERT and SPARK_TLS_KEY',
      });
    }
    for (const name of ['SPARK_TLS_CLIENT_CA', 'SPARK_TLS_CLIENT_AUTH', 'SPARK_TLS_GROUPS'] as const) {
      if (raw[name] !== undefined)
        issues.push({ setting: name, problem: 'needs TLS: set SPARK_TLS_CERT and SPARK_TLS_KEY' });
    }
    return undefined;
  }
  let clientAuth: 'none' | 'optional' | 'required' = clientCaFile === undefined ? 'none' : 'required';
  if (authRaw !== undefined) {
    if (clientCaFile === undefined) {
      issues.push({
        setting: 'SPARK_TLS_CLIENT_AUTH',
        problem: 'needs SPARK_TLS_CLIENT_CA (the CA of client certificates)',
      });
    } else if (authRaw === 'optional' || authRaw === 'required') {
      clientAuth = authRaw;
    } else {
      issues.push({ setting: 'SPARK_TLS_CLIENT_AUTH', problem: `"${authRaw}" is not optional or required` });
    }
  }
  const tuples = parseGroupList(groups);
  if (typeof tuples === 'string') issues.push({ setting: 'SPARK_TLS_GROUPS', problem: tuples });
  return { certFile, keyFile, clientCaFile, clientAuth, groups };
}
