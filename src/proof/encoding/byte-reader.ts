// Bounded big- and little-endian reading of hostile bytes, the one binary reader of the codebase (anchor records,
// docs/anchoring.md; the store's records, src/store/lmdb-codecs.ts): every overrun names its field and offset.

/** A decoded value, or the reason the bytes were rejected. */
export type Decoded<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string };

/** Thrown inside a reader and turned into a reason by `decodeWith`; never escapes a decoder. */
export class ReadProblem extends Error {
  override readonly name = 'ReadProblem';
}

/** Reads fields in order from `bytes`; every read checks the remaining length first. */
export class ByteReader {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  offset = 0;

  constructor(bytes: Uint8Array) {
    // A plain Uint8Array view: `take` then copies even when given a Buffer (whose slice would share memory).
    this.bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private need(n: number, field: string): number {
    if (n > this.remaining) {
      throw new ReadProblem(
        `${field}: needs ${n} bytes at offset ${this.offset}, only ${this.remaining} left`,
      );
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }

  u8(field: string): number {
    return this.view.getUint8(this.need(1, field));
  }
  u16be(field: string): number {
    return this.view.getUint16(this.need(2, field));
  }
  u32be(field: string): number {
    return this.view.getUint32(this.need(4, field));
  }
  u64be(field: string): bigint {
    return this.view.getBigUint64(this.need(8, field));
  }
  f64be(field: string): number {
    return this.view.getFloat64(this.need(8, field));
  }
  u16le(field: string): number {
    return this.view.getUint16(this.need(2, field), true);
  }
  i16le(field: string): number {
    return this.view.getInt16(this.need(2, field), true);
  }
  u32le(field: string): number {
    return this.view.getUint32(this.need(4, field), true);
  }
  u64le(field: string): bigint {
    return this.view.getBigUint64(this.need(8, field), true);
  }
  /** A copy of the next `n` bytes. */
  take(n: number, field: string): Uint8Array {
    const at = this.need(n, field);
    return this.bytes.slice(at, at + n);
  }
  /** Fails unless every byte was read. */
  end(what: string): void {
    if (this.remaining !== 0) throw new ReadProblem(`${what}: ${this.remaining} trailing bytes`);
  }
}

/** Fails the decode with `reason` unless `cond` holds. */
export function needs(cond: boolean, reason: string): asserts cond {
  if (!cond) throw new ReadProblem(reason);
}

/** Runs a decoder over `bytes`, turning any read problem (or any unexpected error) into a reason. */
export function decodeWith<T>(bytes: unknown, what: string, decode: (r: ByteReader) => T): Decoded<T> {
  if (!(bytes instanceof Uint8Array)) return { ok: false, reason: `${what}: not a byte array` };
  try {
    return { ok: true, value: decode(new ByteReader(bytes)) };
  } catch (e) {
    if (e instanceof ReadProblem) return { ok: false, reason: e.message };
    return { ok: false, reason: `${what}: unreadable (${e instanceof Error ? e.name : 'error'})` };
  }
}
