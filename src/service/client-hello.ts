// Reads a TLS ClientHello from the first bytes of a connection (RFC 8446 §4.1.2): the groups the client supports
// and those it sent key shares for. Pure: bytes in, a result out; any malformed field is a result, never a throw.

/** What a client offered for the key exchange, and which TLS versions it speaks. */
export interface ClientHello {
  /** supported_groups (extension 0x000a), in the client's order. */
  readonly supportedGroups: readonly number[];
  /** The groups of the key_share entries (extension 0x0033), in the client's order. */
  readonly keyShareGroups: readonly number[];
  /** supported_versions (0x002b); empty when the client did not send it (TLS 1.2 or older). */
  readonly versions: readonly number[];
}

/** The outcome of reading the bytes seen so far. */
export type ClientHelloResult =
  | { readonly kind: 'hello'; readonly hello: ClientHello }
  /** More bytes are needed. */
  | { readonly kind: 'incomplete' }
  /** The first byte is not a TLS handshake record: a plaintext (HTTP) client, or something else. */
  | { readonly kind: 'not-tls' }
  | { readonly kind: 'malformed'; readonly reason: string };

const RECORD_HANDSHAKE = 0x16;
const HANDSHAKE_CLIENT_HELLO = 0x01;
const EXT_SUPPORTED_GROUPS = 0x000a;
const EXT_KEY_SHARE = 0x0033;
const EXT_SUPPORTED_VERSIONS = 0x002b;
/** RFC 8446 §5.1: a record's plaintext fragment is at most 2^14 bytes. */
const MAX_RECORD_FRAGMENT = 1 << 14;
/** A ClientHello larger than this is not plausible (post-quantum shares make it a few KiB). */
export const MAX_CLIENT_HELLO_BYTES = 1 << 16;

/** A bounds-checked reader over one byte range; every read past the end returns undefined. */
class Reader {
  private pos: number;
  private readonly bytes: Uint8Array;
  private readonly end: number;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  u8(): number | undefined {
    if (this.remaining < 1) return undefined;
    return this.bytes[this.pos++] as number;
  }

  u16(): number | undefined {
    if (this.remaining < 2) return undefined;
    const v = ((this.bytes[this.pos] as number) << 8) | (this.bytes[this.pos + 1] as number);
    this.pos += 2;
    return v;
  }

  u24(): number | undefined {
    const hi = this.u8();
    const lo = this.u16();
    return hi === undefined || lo === undefined ? undefined : (hi << 16) | lo;
  }

  /** A sub-reader over the next `n` bytes, which are skipped here. */
  take(n: number): Reader | undefined {
    if (this.remaining < n) return undefined;
    const sub = new Reader(this.bytes, this.pos, this.pos + n);
    this.pos += n;
    return sub;
  }

  /** A sub-reader over a vector whose length prefix is `prefixBytes` wide. */
  vector(prefixBytes: 1 | 2): Reader | undefined {
    const n = prefixBytes === 1 ? this.u8() : this.u16();
    return n === undefined ? undefined : this.take(n);
  }
}

/** Reads a list of 16-bit values filling `r`; undefined when its length is odd. */
function u16List(r: Reader): number[] | undefined {
  if (r.remaining % 2 !== 0) return undefined;
  const out: number[] = [];
  while (r.remaining > 0) out.push(r.u16() as number);
  return out;
}

/** Parses the body of a ClientHello handshake message (after its 4-byte header). */
function parseBody(body: Reader): ClientHelloResult {
  const malformed = (reason: string): ClientHelloResult => ({ kind: 'malformed', reason });
  if (body.u16() === undefined || body.take(32) === undefined)
    return malformed('truncated before the random');
  const sessionId = body.vector(1);
  if (sessionId === undefined || sessionId.remaining > 32) return malformed('bad legacy_session_id');
  const suites = body.vector(2);
  if (suites === undefined || suites.remaining < 2 || suites.remaining % 2 !== 0)
    return malformed('bad cipher_suites');
  if (body.vector(1) === undefined) return malformed('bad legacy_compression_methods');
  let supportedGroups: number[] = [];
  let keyShareGroups: number[] = [];
  let versions: number[] = [];
  // TLS 1.2 and older may end here; such a client offers no groups this server can use.
  if (body.remaining > 0) {
    const extensions = body.vector(2);
    if (extensions === undefined || body.remaining !== 0) return malformed('bad extensions length');
    const seen = new Set<number>();
    while (extensions.remaining > 0) {
      const type = extensions.u16();
      const data = extensions.vector(2);
      if (type === undefined || data === undefined) return malformed('truncated extension');
      if (seen.has(type)) return malformed(`extension 0x${type.toString(16).padStart(4, '0')} repeated`);
      seen.add(type);
      if (type === EXT_SUPPORTED_GROUPS) {
        const list = data.vector(2);
        const groups = list === undefined || data.remaining !== 0 ? undefined : u16List(list);
        if (groups === undefined) return malformed('bad supported_groups');
        supportedGroups = groups;
      } else if (type === EXT_KEY_SHARE) {
        const list = data.vector(2);
        if (list === undefined || data.remaining !== 0) return malformed('bad key_share');
        const groups: number[] = [];
        while (list.remaining > 0) {
          const group = list.u16();
          const share = list.vector(2);
          if (group === undefined || share === undefined || share.remaining === 0)
            return malformed('bad key_share entry');
          groups.push(group);
        }
        keyShareGroups = groups;
      } else if (type === EXT_SUPPORTED_VERSIONS) {
        const list = data.vector(1);
        const v = list === undefined || data.remaining !== 0 ? undefined : u16List(list);
        if (v === undefined) return malformed('bad supported_versions');
        versions = v;
      }
    }
  }
  return { kind: 'hello', hello: { supportedGroups, keyShareGroups, versions } };
}

/**
 * Reads the ClientHello from the start of a connection's byte stream. The handshake message may span several
 * records and `bytes` may end anywhere: then the result is 'incomplete'. Bytes after the ClientHello are ignored.
 */
export function parseClientHello(bytes: Uint8Array): ClientHelloResult {
  if (bytes.length === 0) return { kind: 'incomplete' };
  if (bytes[0] !== RECORD_HANDSHAKE) return { kind: 'not-tls' };
  // Gather handshake bytes from consecutive handshake records until the whole message is there.
  const fragments: Uint8Array[] = [];
  let gathered = 0;
  let messageLength: number | undefined;
  let pos = 0;
  while (messageLength === undefined || gathered < messageLength + 4) {
    if (bytes.length - pos < 5) return { kind: 'incomplete' };
    const type = bytes[pos] as number;
    const major = bytes[pos + 1] as number;
    const length = ((bytes[pos + 3] as number) << 8) | (bytes[pos + 4] as number);
    if (type !== RECORD_HANDSHAKE)
      return { kind: 'malformed', reason: 'ClientHello interrupted by a non-handshake record' };
    if (major !== 3) return { kind: 'malformed', reason: 'record version is not 3.x' };
    if (length === 0 || length > MAX_RECORD_FRAGMENT)
      return { kind: 'malformed', reason: 'bad record length' };
    if (bytes.length - pos - 5 < length) return { kind: 'incomplete' };
    fragments.push(bytes.subarray(pos + 5, pos + 5 + length));
    gathered += length;
    pos += 5 + length;
    if (messageLength === undefined && gathered >= 4) {
      const head = concat(fragments, 4);
      if (head[0] !== HANDSHAKE_CLIENT_HELLO)
        return { kind: 'malformed', reason: 'first handshake message is not a ClientHello' };
      messageLength = ((head[1] as number) << 16) | ((head[2] as number) << 8) | (head[3] as number);
      if (messageLength > MAX_CLIENT_HELLO_BYTES)
        return { kind: 'malformed', reason: 'ClientHello too large' };
    }
  }
  const message = concat(fragments, messageLength + 4);
  const header = new Reader(message);
  header.u8();
  const body = header.take(header.u24() as number);
  if (body === undefined) return { kind: 'malformed', reason: 'truncated ClientHello' };
  return parseBody(body);
}

/** The first `n` bytes of the concatenated fragments (their total is at least `n`). */
function concat(fragments: readonly Uint8Array[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  let at = 0;
  for (const f of fragments) {
    if (at >= n) break;
    const part = f.subarray(0, n - at);
    out.set(part, at);
    at += part.length;
  }
  return out;
}
