// Who may call what (docs/security.md): bearer tokens and verified client certificates give an identity and a role;
// SparkAdmin needs `admin`, every other service but health needs `client` or `admin`.
import type http from 'node:http';
import type http2 from 'node:http2';
import type net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { create } from '@bufbuild/protobuf';
import {
  Code,
  ConnectError,
  type ContextValues,
  createContextKey,
  createContextValues,
  type Interceptor,
} from '@connectrpc/connect';
import { Health } from '../gen/grpc/health/v1/health_pb.js';
import { SparkAdmin } from '../gen/spark/v1/admin_pb.js';
import { ErrorDetailSchema } from '../gen/spark/v1/processor_pb.js';
import type { Logger } from '../log/logger.ts';
import { matchToken, type Role, type TokenEntry } from './access-tokens.ts';
import { codeName } from './error-map.ts';
import type { ClientCertificateMode } from './tls-material.ts';

/** A request as connectNodeAdapter hands it to `contextValues`. */
type NodeServerRequest = http.IncomingMessage | http2.Http2ServerRequest;

/** A caller that proved who it is. */
export interface Identity {
  readonly name: string;
  readonly role: Role;
  readonly via: 'token' | 'certificate';
}

/** What the connection tells about the caller: set by the server, never from anything in the request. */
export interface Connection {
  readonly remoteAddress: string;
  /** The identity of the client certificate TLS verified, if any. */
  readonly certificate: Identity | undefined;
}

/** The caller's connection, as a context value of every call. */
export const CONNECTION = createContextKey<Connection>(
  { remoteAddress: '', certificate: undefined },
  { description: 'the connection a call arrived on' },
);

/** The identity a call was admitted with (set by the interceptor when credentials are enforced). */
export const CALLER = createContextKey<Identity | undefined>(undefined, {
  description: 'the identity the call was admitted with',
});

/** The refusal for a missing, unknown or malformed credential: one message, whatever the reason. */
export const UNAUTHENTICATED_MESSAGE = 'valid credentials are required';

/** Services anyone may call: orchestrators probe health without credentials. */
const OPEN_SERVICES: ReadonlySet<string> = new Set([Health.typeName]);
/** Services that need the admin role; every other service needs client or admin. */
const ADMIN_SERVICES: ReadonlySet<string> = new Set([SparkAdmin.typeName]);

/** Settings. */
export interface AuthorizationOptions {
  /** The tokens file's entries; undefined when SPARK_AUTH_TOKENS is not set. */
  readonly tokens: readonly TokenEntry[] | undefined;
  readonly clientCertificates: ClientCertificateMode;
  /** Client certificate CNs that get the admin role. */
  readonly adminCertNames: readonly string[];
  readonly log: Logger;
}

/** The checks to install in the server. */
export interface Authorization {
  /** True when calls need credentials: a tokens file is set, or client certificates are required. */
  readonly enforced: boolean;
  /** Which credential sources are on, for the start-up log. */
  readonly sources: readonly string[];
  /** connectNodeAdapter's `contextValues`: attaches CONNECTION. */
  contextValues(req: NodeServerRequest): ContextValues;
  readonly interceptor: Interceptor;
  /** What the connection of `socket` tells about the caller (the gRPC fast path has no request object). */
  connectionOf(socket: net.Socket | undefined): Connection;
  /**
   * Admits a call to `service`/`method` with the request's Authorization header (null when absent): the identity
   * it is admitted with, undefined when no credential is needed; throws UNAUTHENTICATED or PERMISSION_DENIED.
   * The connect interceptor and the gRPC fast path both decide here.
   */
  admit(
    service: string,
    method: string,
    authorization: string | null,
    connection: Connection,
  ): Identity | undefined;
}

/** A refusal shaped like every other error the service maps (code, spark.v1.ErrorDetail). */
function refusal(code: Code, message: string): ConnectError {
  const detail = create(ErrorDetailSchema, {
    code: codeName(code),
    reason: codeName(code),
    message,
    field: '',
  });
  return new ConnectError(message, code, undefined, [{ desc: ErrorDetailSchema, value: detail }]);
}

/** The socket a request arrived on (HTTP/2 or HTTP/1.1). */
function socketOf(req: NodeServerRequest): net.Socket | undefined {
  return 'stream' in req ? req.stream.session?.socket : req.socket;
}

/** The socket as a TLS socket, if it is one. */
function asTlsSocket(socket: net.Socket | undefined): TLSSocket | undefined {
  const candidate = socket as Partial<TLSSocket> | undefined;
  return typeof candidate?.getPeerCertificate === 'function' ? (candidate as TLSSocket) : undefined;
}

/** The bearer token in an Authorization header; undefined when the header is not exactly "Bearer <token>". */
function bearerToken(header: string): string | undefined {
  const m = /^Bearer +([\x21-\x7e]+)$/i.exec(header);
  return m?.[1];
}

/** Builds the checks. */
export function createAuthorization(o: AuthorizationOptions): Authorization {
  const admins = new Set(o.adminCertNames);
  const enforced = o.tokens !== undefined || o.clientCertificates === 'required';
  const sources = [
    ...(o.tokens === undefined ? [] : ['tokens']),
    ...(o.clientCertificates === 'none' ? [] : [`client-certificates (${o.clientCertificates})`]),
  ];

  const certificateOf = (raw: net.Socket | undefined): Identity | undefined => {
    if (o.clientCertificates === 'none') return undefined;
    const socket = asTlsSocket(raw);
    if (socket === undefined || socket.authorized !== true) return undefined;
    const cn: unknown = socket.getPeerCertificate()?.subject?.CN;
    // Several CNs would make the identity ambiguous: such a certificate gives none.
    if (typeof cn !== 'string' || cn.length === 0) return undefined;
    return { name: cn, role: admins.has(cn) ? 'admin' : 'client', via: 'certificate' };
  };

  /** A presented token decides on its own (a bad one is refused even on a good certificate); else the certificate. */
  const identify = (authorization: string | null, connection: Connection): Identity | undefined => {
    if (authorization !== null && o.tokens !== undefined) {
      const token = bearerToken(authorization);
      const entry = token === undefined ? undefined : matchToken(o.tokens, token);
      return entry === undefined ? undefined : { name: entry.name, role: entry.role, via: 'token' };
    }
    return connection.certificate;
  };

  const admit = (
    service: string,
    methodName: string,
    authorization: string | null,
    connection: Connection,
  ): Identity | undefined => {
    if (!enforced || OPEN_SERVICES.has(service)) return undefined;
    const method = `/${service}/${methodName}`;
    const identity = identify(authorization, connection);
    if (identity === undefined) {
      o.log.info({ method, remoteAddress: connection.remoteAddress }, 'call refused: no valid credentials');
      throw refusal(Code.Unauthenticated, UNAUTHENTICATED_MESSAGE);
    }
    if (ADMIN_SERVICES.has(service) && identity.role !== 'admin') {
      o.log.info(
        { method, remoteAddress: connection.remoteAddress, identity: identity.name, via: identity.via },
        'call refused: the credential lacks the admin role',
      );
      throw refusal(Code.PermissionDenied, `this credential may not call ${service}`);
    }
    return identity;
  };

  const interceptor: Interceptor = (next) => async (req) => {
    const identity = admit(
      req.service.typeName,
      req.method.name,
      req.header.get('authorization'),
      req.contextValues.get(CONNECTION),
    );
    if (identity !== undefined) req.contextValues.set(CALLER, identity);
    return next(req);
  };

  const connectionOf = (socket: net.Socket | undefined): Connection => ({
    remoteAddress: socket?.remoteAddress ?? '',
    certificate: certificateOf(socket),
  });

  return {
    enforced,
    sources,
    contextValues: (req) => createContextValues().set(CONNECTION, connectionOf(socketOf(req))),
    interceptor,
    connectionOf,
    admit,
  };
}
