import { SpanBatchError } from './batchErrors.ts'

// Protobuf base-128 unsigned varints with Go's binary.ReadUvarint semantics: at most 10 bytes, the 10th byte
// must be <= 1, and non-minimal encodings (e.g. 0x80 0x00 for 0) are accepted.

const MAX_VARINT_LEN64 = 10

/** Sequential reader over a byte range; all failures are SpanBatchError('truncated' | 'varint-overflow'). */
export class ByteCursor {
  readonly buf: Uint8Array
  pos: number
  readonly end: number

  constructor(buf: Uint8Array, pos = 0, end = buf.length) {
    this.buf = buf
    this.pos = pos
    this.end = end
  }

  /** A view of the next `n` bytes. */
  bytes(n: number, what: string): Uint8Array {
    if (n > this.end - this.pos) {
      throw new SpanBatchError('truncated', `${what}: need ${n} bytes, have ${this.end - this.pos}`)
    }
    const out = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }

  /**
   * Read a uvarint as a JS number. Values above 2^53 lose precision; use this only for counts that are
   * range-checked against small limits.
   */
  uvarintNumber(what: string): number {
    const buf = this.buf
    let pos = this.pos
    let x = 0
    let mul = 1
    // Up to 7 bytes (49 bits) stay exact in a double.
    for (let i = 0; i < 7; i++) {
      if (pos >= this.end) throw new SpanBatchError('truncated', `${what}: varint`)
      const b = buf[pos++]!
      if (b < 0x80) {
        this.pos = pos
        return x + b * mul
      }
      x += (b & 0x7f) * mul
      mul *= 128
    }
    return Number(this.uvarint(what))
  }

  /** Read a uvarint as an exact u64 bigint. */
  uvarint(what: string): bigint {
    const buf = this.buf
    let pos = this.pos
    // Fast path: up to 7 bytes fit a double exactly.
    let x = 0
    let mul = 1
    for (let i = 0; i < 7; i++) {
      if (pos >= this.end) throw new SpanBatchError('truncated', `${what}: varint`)
      const b = buf[pos++]!
      if (b < 0x80) {
        this.pos = pos
        return BigInt(x + b * mul)
      }
      x += (b & 0x7f) * mul
      mul *= 128
    }
    let big = BigInt(x)
    let shift = 49n
    for (let i = 7; i < MAX_VARINT_LEN64; i++) {
      if (pos >= this.end) throw new SpanBatchError('truncated', `${what}: varint`)
      const b = buf[pos++]!
      if (b < 0x80) {
        if (i === MAX_VARINT_LEN64 - 1 && b > 1) throw new SpanBatchError('varint-overflow', what)
        this.pos = pos
        return big | (BigInt(b) << shift)
      }
      big |= BigInt(b & 0x7f) << shift
      shift += 7n
    }
    throw new SpanBatchError('varint-overflow', what)
  }
}

/** Number of bytes of the minimal uvarint encoding. */
export function uvarintLength(v: bigint | number): number {
  if (typeof v === 'number') {
    let n = 1
    while (v >= 128) {
      v = Math.floor(v / 128)
      n++
    }
    return n
  }
  let n = 1
  while (v >= 128n) {
    v >>= 7n
    n++
  }
  return n
}

/** Write the minimal uvarint encoding of a u64; returns the new offset. */
export function writeUvarint(out: Uint8Array, pos: number, v: bigint | number): number {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`uvarint: not a u64 safe integer: ${v}`)
    while (v >= 128) {
      out[pos++] = (v % 128) | 0x80
      v = Math.floor(v / 128)
    }
    out[pos++] = v
    return pos
  }
  if (v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`uvarint: not a u64: ${v}`)
  if (v <= 0x1fffffffffffffn) return writeUvarint(out, pos, Number(v))
  while (v >= 128n) {
    out[pos++] = Number(v & 0x7fn) | 0x80
    v >>= 7n
  }
  out[pos++] = Number(v)
  return pos
}
