// gRPC length-prefixed messages on an HTTP/2 stream, for the gRPC fast path: splits request bytes into
// messages with the same checks and error messages as connect-es (size limit, incomplete envelope,
// compressed flag without an encoding), and frames responses.
import { Code, ConnectError } from '@connectrpc/connect';

/** The 5-byte prefix: flags (bit 0: compressed) and the big-endian length. */
const PREFIX = 5;

/**
 * Splits request bytes into message payloads; throws ConnectError as connect-es does for bad framing. Bytes can be
 * taken in (`append`) before their messages are wanted (`next`): a stream that may not start more items keeps its
 * bytes, not decoded requests.
 */
export class GrpcMessageReader {
  readonly #readMaxBytes: number;
  /** Bytes received that do not yet form a whole message: joined only once a whole message is there. */
  #chunks: Buffer[] = [];
  #size = 0;

  constructor(readMaxBytes: number) {
    this.#readMaxBytes = readMaxBytes;
  }

  /** Bytes held. */
  get buffered(): number {
    return this.#size;
  }

  /** Takes in received bytes; throws when the next message is declared larger than the limit. */
  append(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    this.#headLength();
  }

  /** Whether a whole message is held (`next` returns it). */
  get hasMessage(): boolean {
    const length = this.#headLength();
    return length !== undefined && this.#size >= PREFIX + length;
  }

  /** The next whole message, or undefined while it is incomplete. */
  next(): Uint8Array | undefined {
    const length = this.#headLength();
    if (length === undefined) return undefined;
    const total = PREFIX + length;
    if (this.#size < total) return undefined;
    let head = this.#chunks[0] as Buffer;
    if (head.length < total) head = this.#join();
    // Only the compression bit counts: connect-es ignores the reserved bits, and so do we.
    if (((head[0] as number) & 0x01) === 0x01) {
      throw new ConnectError(
        'received compressed envelope, but do not know how to decompress',
        Code.Internal,
      );
    }
    const message = head.subarray(PREFIX, total);
    if (head.length === total) this.#chunks.shift();
    else this.#chunks[0] = head.subarray(total);
    this.#size -= total;
    return message;
  }

  /** The whole messages completed by `chunk`, in order. */
  push(chunk: Buffer): Uint8Array[] {
    this.append(chunk);
    const out: Uint8Array[] = [];
    for (let m = this.next(); m !== undefined; m = this.next()) out.push(m);
    return out;
  }

  /**
   * Copies what is held into one buffer of its own. Received chunks are views of the connection's read buffers,
   * shared with other streams: held for long, a few bytes would keep whole read buffers alive.
   */
  compact(): void {
    if (this.#chunks.length > 0) this.#chunks = [Buffer.from(this.#join())];
  }

  /** The declared length of the next message (checked against the limit); undefined before its prefix is in. */
  #headLength(): number | undefined {
    if (this.#size < PREFIX) return undefined;
    let head = this.#chunks[0] as Buffer;
    if (head.length < PREFIX) head = this.#join();
    const length = head.readUInt32BE(1);
    if (length > this.#readMaxBytes) {
      throw new ConnectError(
        `message size ${length} is larger than configured readMaxBytes ${this.#readMaxBytes}`,
        Code.ResourceExhausted,
      );
    }
    return length;
  }

  /** Joins the buffered chunks into one (only when a prefix or a message spans chunks). */
  #join(): Buffer {
    const joined =
      this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks, this.#size);
    this.#chunks = [joined];
    return joined;
  }

  /**
   * Called at the end of the request body: what is held must be whole messages (each within the limit), else
   * the error a reader taking every message at once would have met first.
   */
  end(): void {
    if (this.#size === 0) return;
    const all = this.#join();
    let at = 0;
    while (at + PREFIX <= all.length) {
      const length = all.readUInt32BE(at + 1);
      if (length > this.#readMaxBytes) {
        throw new ConnectError(
          `message size ${length} is larger than configured readMaxBytes ${this.#readMaxBytes}`,
          Code.ResourceExhausted,
        );
      }
      at += PREFIX + length;
    }
    if (at !== all.length)
      throw new ConnectError('protocol error: incomplete envelope', Code.InvalidArgument);
  }
}

/** Frames messages as one buffer (several responses go out in one write). */
export function frameMessages(messages: readonly Uint8Array[]): Buffer {
  let size = 0;
  for (const m of messages) size += PREFIX + m.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const m of messages) {
    out[at] = 0;
    out.writeUInt32BE(m.length, at + 1);
    out.set(m, at + PREFIX);
    at += PREFIX + m.length;
  }
  return out;
}
