// gRPC length-prefixed messages on an HTTP/2 stream, for the gRPC fast path: splits request bytes into
// messages with the same checks and error messages as connect-es (size limit, incomplete envelope,
// compressed flag without an encoding), and frames responses.
import { Code, ConnectError } from '@connectrpc/connect';

/** The 5-byte prefix: flags (bit 0: compressed) and the big-endian length. */
const PREFIX = 5;

/** Splits request bytes into message payloads; throws ConnectError as connect-es does for bad framing. */
export class GrpcMessageReader {
  readonly #readMaxBytes: number;
  /** Bytes received that do not yet form a whole message: joined only once a whole message is there. */
  #chunks: Buffer[] = [];
  #size = 0;

  constructor(readMaxBytes: number) {
    this.#readMaxBytes = readMaxBytes;
  }

  /** The whole messages completed by `chunk`, in order. */
  push(chunk: Buffer): Uint8Array[] {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    const out: Uint8Array[] = [];
    while (this.#size >= PREFIX) {
      let head = this.#chunks[0] as Buffer;
      if (head.length < PREFIX) head = this.#join();
      const flags = head[0] as number;
      const length = head.readUInt32BE(1);
      if (length > this.#readMaxBytes) {
        throw new ConnectError(
          `message size ${length} is larger than configured readMaxBytes ${this.#readMaxBytes}`,
          Code.ResourceExhausted,
        );
      }
      const total = PREFIX + length;
      if (this.#size < total) break;
      if (head.length < total) head = this.#join();
      // Only the compression bit counts: connect-es ignores the reserved bits, and so do we.
      if ((flags & 0x01) === 0x01) {
        throw new ConnectError(
          'received compressed envelope, but do not know how to decompress',
          Code.Internal,
        );
      }
      out.push(head.subarray(PREFIX, total));
      if (head.length === total) this.#chunks.shift();
      else this.#chunks[0] = head.subarray(total);
      this.#size -= total;
    }
    return out;
  }

  /** Joins the buffered chunks into one (only when a prefix or a message spans chunks). */
  #join(): Buffer {
    const joined = Buffer.concat(this.#chunks, this.#size);
    this.#chunks = [joined];
    return joined;
  }

  /** Called at the end of the request body: a partial message left over is an error. */
  end(): void {
    if (this.#size > 0) {
      throw new ConnectError('protocol error: incomplete envelope', Code.InvalidArgument);
    }
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
