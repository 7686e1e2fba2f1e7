// The sidecar's mutually authenticated HTTP/2 connection to the signer: its TLS files, one session, one client.
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { type Client, createClient } from '@connectrpc/connect';
import { createGrpcTransport, Http2SessionManager } from '@connectrpc/connect-node';
import { SparkSigner } from '../../src/gen/spark/v1/signer_pb.js';
import { KeyError } from '../key-error.ts';
import { readPrivateKeyFile } from '../secret-file.ts';

/** Options of the remote provider (docs/remote-signer.md; SPARK_REMOTE_* settings). */
export interface RemoteProviderOptions {
  /** The signer's HOST:PORT (SPARK_REMOTE_SIGNER). */
  readonly address: string;
  /** PEM CA certificate(s) that issued the signer's certificate (SPARK_REMOTE_CA). */
  readonly caFile: string;
  /** PEM client certificate presented to the signer (SPARK_REMOTE_CERT). */
  readonly certFile: string;
  /** PEM private key of the client certificate (SPARK_REMOTE_KEY). */
  readonly keyFile: string;
  /** Name the signer's certificate must carry, when not the host of `address` (SPARK_REMOTE_SERVER_NAME). */
  readonly serverName?: string;
  /** Deadline of each call, ms; default 10 000. */
  readonly timeoutMs?: number;
}

/** Default per-call deadline: ML-DSA signs in milliseconds, so this only bounds a dead or stalled signer. */
export const DEFAULT_REMOTE_TIMEOUT_MS = 10_000;

/** An open connection. */
export interface RemoteConnection {
  readonly client: Client<typeof SparkSigner>;
  /** The address as configured, for messages. */
  readonly address: string;
  readonly timeoutMs: number;
  /** Closes the HTTP/2 session; calls in flight fail. */
  close(): void;
}

/** "host:port" or "[v6]:port" as an https base URL; anything else is refused naming `address`. */
function baseUrlOf(address: string): string {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(address);
  const port = Number(m?.[2]);
  if (m === null || !(port >= 1 && port <= 65_535)) {
    throw new KeyError('INVALID_INPUT', `address: "${address}" is not HOST:PORT`, { field: 'address' });
  }
  return `https://${m[1]}:${port}`;
}

/** Reads one PEM file; problems name the option and path, never the contents. */
function readPem(field: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'error';
    throw new KeyError('SECRET_UNUSABLE', `${field}: cannot read ${path} (${code})`, { field, cause });
  }
}

/**
 * Reads the TLS files and prepares the connection (made at the first call). The key must match the certificate
 * and the CA must parse, or this throws KeyError SECRET_UNUSABLE naming the option.
 */
export function openRemoteConnection(options: RemoteProviderOptions): RemoteConnection {
  const baseUrl = baseUrlOf(options.address);
  const timeoutMs = options.timeoutMs ?? DEFAULT_REMOTE_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
    throw new KeyError('INVALID_INPUT', 'timeoutMs: must be a positive integer', { field: 'timeoutMs' });
  }
  const ca = readPem('caFile', options.caFile);
  const cert = readPem('certFile', options.certFile);
  const key = readPrivateKeyFile('keyFile', options.keyFile); // mode-checked: a private key
  try {
    createSecureContext({ cert, key });
  } catch (cause) {
    // OpenSSL's reason ("key values mismatch", "no start line") names no key material.
    throw new KeyError('SECRET_UNUSABLE', `keyFile: not usable with certFile (${(cause as Error).message})`, {
      field: 'keyFile',
    });
  }
  try {
    createSecureContext({ ca });
  } catch (cause) {
    throw new KeyError(
      'SECRET_UNUSABLE',
      `caFile: not a usable CA certificate (${(cause as Error).message})`,
      {
        field: 'caFile',
      },
    );
  }
  const session = new Http2SessionManager(
    baseUrl,
    // A connection unused for a while is checked with a PING before the next call rides on it.
    { pingIntervalMs: 30_000, pingTimeoutMs: 5_000 },
    {
      ca,
      cert,
      key,
      minVersion: 'TLSv1.3',
      ...(options.serverName === undefined ? {} : { servername: options.serverName }),
    },
  );
  const transport = createGrpcTransport({ baseUrl, sessionManager: session, defaultTimeoutMs: timeoutMs });
  return {
    client: createClient(SparkSigner, transport),
    address: options.address,
    timeoutMs,
    close: () => session.abort(),
  };
}
