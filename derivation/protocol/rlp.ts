import { bytesToBigInt } from '../../config/bytes.ts'
import { RlpError } from './batchErrors.ts'

// Minimal, allocation-light RLP for the batch codecs. Decoding follows go-ethereum's rlp.Stream rules, because
// op-node decodes batches with it: canonical size prefixes (ErrCanonSize), no leading zeros in integers
// (ErrCanonInt), single bytes < 0x80 must not be wrapped as strings, exact element counts for structs.
// Header parsing does not validate string contents (like geth's Kind()/Raw()); the typed readers below do.

/** Parsed item header. Reused by callers to avoid per-item allocation. */
export interface RlpItem {
  isList: boolean
  /** Offset of the first header byte. */
  start: number
  /** Offset of the first payload byte (for a single byte < 0x80 this equals `start`). */
  payloadStart: number
  /** End offset (exclusive) of the payload, which is also the end of the item. */
  end: number
}

export function newRlpItem(): RlpItem {
  return { isList: false, start: 0, payloadStart: 0, end: 0 }
}

/**
 * Parse the header of the item at `pos`. The whole item must end at or before `limit`.
 * `inList` only picks the error reason when the item overruns `limit`.
 */
export function readRlpHeader(buf: Uint8Array, pos: number, limit: number, inList: boolean, out: RlpItem): RlpItem {
  if (pos >= limit) throw new RlpError(inList ? 'too-few-elements' : 'truncated', pos)
  peekRlpHeader(buf, pos, limit, out, inList ? 'element-too-large' : 'truncated')
  if (out.end > limit) {
    throw new RlpError(inList ? 'element-too-large' : 'value-too-large', pos, `size ${out.end - out.payloadStart}`)
  }
  return out
}

/**
 * Parse only the header at `pos` (its bytes must lie before `headerLimit`); `out.end` is the declared end of the
 * payload, which may lie beyond the input. Throws RlpError for a missing or non-canonical header.
 */
export function peekRlpHeader(
  buf: Uint8Array,
  pos: number,
  headerLimit: number,
  out: RlpItem,
  overrun: 'truncated' | 'element-too-large' = 'truncated',
): RlpItem {
  if (pos >= headerLimit) throw new RlpError(overrun, pos)
  const b = buf[pos]!
  out.start = pos
  if (b < 0x80) {
    out.isList = false
    out.payloadStart = pos
    out.end = pos + 1
    return out
  }
  let size: number
  let payloadStart: number
  if (b < 0xb8) {
    out.isList = false
    size = b - 0x80
    payloadStart = pos + 1
  } else if (b < 0xc0) {
    out.isList = false
    const lenOfLen = b - 0xb7
    size = readSize(buf, pos + 1, lenOfLen, headerLimit, overrun)
    payloadStart = pos + 1 + lenOfLen
  } else if (b < 0xf8) {
    out.isList = true
    size = b - 0xc0
    payloadStart = pos + 1
  } else {
    out.isList = true
    const lenOfLen = b - 0xf7
    size = readSize(buf, pos + 1, lenOfLen, headerLimit, overrun)
    payloadStart = pos + 1 + lenOfLen
  }
  out.payloadStart = payloadStart
  out.end = payloadStart + size
  return out
}

function readSize(
  buf: Uint8Array,
  pos: number,
  lenOfLen: number,
  limit: number,
  overrun: 'truncated' | 'element-too-large',
): number {
  if (pos + lenOfLen > limit) throw new RlpError(overrun, pos)
  if (buf[pos] === 0) throw new RlpError('non-canonical-size', pos, 'leading zero in length')
  let size = 0
  for (let i = 0; i < lenOfLen; i++) size = size * 256 + buf[pos + i]!
  if (size < 56) throw new RlpError('non-canonical-size', pos, 'long form for short payload')
  // Sizes above 2^53 cannot fit in any input; they fail the limit check in the caller.
  return size
}

/** Payload of a string item as a view, rejecting lists and non-canonical single bytes (geth Bytes()). */
export function rlpBytes(buf: Uint8Array, item: RlpItem): Uint8Array {
  checkRlpBytes(buf, item)
  return buf.subarray(item.payloadStart, item.end)
}

export function checkRlpBytes(buf: Uint8Array, item: RlpItem): void {
  if (item.isList) throw new RlpError('expected-string', item.start)
  if (item.payloadStart !== item.start && item.end - item.payloadStart === 1 && buf[item.payloadStart]! < 0x80) {
    throw new RlpError('non-canonical-size', item.start, 'single byte < 0x80 wrapped as string')
  }
}

/** Fixed-size byte array ([N]byte in geth): a string of exactly `n` bytes. */
export function rlpFixedBytes(buf: Uint8Array, item: RlpItem, n: number): Uint8Array {
  if (item.isList) throw new RlpError('expected-string', item.start)
  const len = item.end - item.payloadStart
  if (len !== n) throw new RlpError('wrong-length', item.start, `expected ${n} bytes, got ${len}`)
  if (n === 1 && item.payloadStart !== item.start && buf[item.payloadStart]! < 0x80) {
    throw new RlpError('non-canonical-size', item.start)
  }
  return buf.subarray(item.payloadStart, item.end)
}

/**
 * Validate a canonical unsigned integer of at most `maxBytes` bytes (`Infinity` for big.Int) and return its
 * big-endian magnitude view (empty for zero).
 */
export function rlpUintBytes(buf: Uint8Array, item: RlpItem, maxBytes: number): Uint8Array {
  if (item.isList) throw new RlpError('expected-string', item.start)
  const start = item.payloadStart
  const len = item.end - start
  if (item.start === start) {
    // single byte < 0x80
    if (buf[start] === 0) throw new RlpError('non-canonical-int', item.start, 'zero encoded as 0x00')
  } else if (len > 0) {
    if (len > maxBytes) throw new RlpError('uint-overflow', item.start, `${len} bytes > ${maxBytes}`)
    if (buf[start] === 0) throw new RlpError('non-canonical-int', item.start, 'leading zero bytes')
    if (len === 1 && buf[start]! < 0x80) throw new RlpError('non-canonical-size', item.start)
  }
  return buf.subarray(start, item.end)
}

export function rlpUint64(buf: Uint8Array, item: RlpItem): bigint {
  return bytesToBigInt(rlpUintBytes(buf, item, 8))
}

/** Big-endian bytes to bigint (the shared helper; re-exported for the codecs that import it from here). */
export { bytesToBigInt }

// ---------------------------------------------------------------------------------------------------------------
// Encoding

export function rlpHeaderLength(payloadLength: number): number {
  return payloadLength < 56 ? 1 : 1 + byteLength(payloadLength)
}

function byteLength(n: number): number {
  let len = 0
  while (n > 0) {
    len++
    n = Math.floor(n / 256)
  }
  return len
}

/** Write a string (isList=false) or list header for a payload of `payloadLength` bytes; returns the new offset. */
export function writeRlpHeader(out: Uint8Array, pos: number, payloadLength: number, isList: boolean): number {
  const base = isList ? 0xc0 : 0x80
  if (payloadLength < 56) {
    out[pos] = base + payloadLength
    return pos + 1
  }
  const lenOfLen = byteLength(payloadLength)
  out[pos] = base + 55 + lenOfLen
  let v = payloadLength
  for (let i = lenOfLen; i >= 1; i--) {
    out[pos + i] = v & 0xff
    v = Math.floor(v / 256)
  }
  return pos + 1 + lenOfLen
}

/** Encoded length of a byte string. */
export function rlpBytesLength(b: Uint8Array): number {
  if (b.length === 1 && b[0]! < 0x80) return 1
  return rlpHeaderLength(b.length) + b.length
}

export function writeRlpBytes(out: Uint8Array, pos: number, b: Uint8Array): number {
  if (b.length === 1 && b[0]! < 0x80) {
    out[pos] = b[0]!
    return pos + 1
  }
  pos = writeRlpHeader(out, pos, b.length, false)
  out.set(b, pos)
  return pos + b.length
}

/** Offset of the first non-zero byte (b.length when all zero). */
export function firstNonZero(b: Uint8Array): number {
  let i = 0
  while (i < b.length && b[i] === 0) i++
  return i
}

/** Encoded length of a big-endian unsigned integer given as bytes (leading zeros are stripped). */
export function rlpUintBytesLength(b: Uint8Array): number {
  return rlpBytesLength(b.subarray(firstNonZero(b)))
}

export function writeRlpUintBytes(out: Uint8Array, pos: number, b: Uint8Array): number {
  return writeRlpBytes(out, pos, b.subarray(firstNonZero(b)))
}

/** Number of bytes in the minimal big-endian encoding of a non-negative integer (0 for zero). */
export function uintByteLength(v: bigint | number): number {
  if (typeof v === 'number' || v <= 0x1fffffffffffffn) return byteLength(Number(v))
  let len = 0
  for (let t = v; t > 0n; t >>= 8n) len++
  return len
}

export function rlpUintLength(v: bigint | number): number {
  if (typeof v === 'number' ? v < 0x80 : v < 0x80n) return 1
  const len = uintByteLength(v)
  return rlpHeaderLength(len) + len
}

/** Write a canonical RLP integer without intermediate allocation; returns the new offset. */
export function writeRlpUint(out: Uint8Array, pos: number, v: bigint | number): number {
  if (typeof v === 'number' ? v === 0 : v === 0n) {
    out[pos] = 0x80
    return pos + 1
  }
  if (typeof v === 'number' ? v < 0x80 : v < 0x80n) {
    out[pos] = Number(v)
    return pos + 1
  }
  const len = uintByteLength(v)
  pos = writeRlpHeader(out, pos, len, false)
  if (typeof v === 'number' || v <= 0x1fffffffffffffn) {
    let n = Number(v)
    for (let i = pos + len - 1; i >= pos; i--) {
      out[i] = n % 256
      n = Math.floor(n / 256)
    }
  } else {
    let t = v
    for (let i = pos + len - 1; i >= pos; i--) {
      out[i] = Number(t & 0xffn)
      t >>= 8n
    }
  }
  return pos + len
}

export function encodeRlpBytes(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(rlpBytesLength(b))
  writeRlpBytes(out, 0, b)
  return out
}

export function encodeRlpUint(v: bigint | number): Uint8Array {
  const out = new Uint8Array(rlpUintLength(v))
  writeRlpUint(out, 0, v)
  return out
}

/** RLP list of already-encoded items. */
export function encodeRlpList(items: readonly Uint8Array[]): Uint8Array {
  let payload = 0
  for (const it of items) payload += it.length
  const out = new Uint8Array(rlpHeaderLength(payload) + payload)
  let pos = writeRlpHeader(out, 0, payload, true)
  for (const it of items) {
    out.set(it, pos)
    pos += it.length
  }
  return out
}

/** Cursor over the elements of a list payload. `next()` reuses one RlpItem: read it before the next call. */
export class RlpListCursor {
  readonly buf: Uint8Array
  pos: number
  readonly end: number
  private readonly item: RlpItem = newRlpItem()

  constructor(buf: Uint8Array, list: RlpItem) {
    if (!list.isList) throw new RlpError('expected-list', list.start)
    this.buf = buf
    this.pos = list.payloadStart
    this.end = list.end
  }

  hasNext(): boolean {
    return this.pos < this.end
  }

  /** Next element; throws 'too-few-elements' when the list is exhausted. */
  next(): RlpItem {
    const it = readRlpHeader(this.buf, this.pos, this.end, true, this.item)
    this.pos = it.end
    return it
  }

  /** Require that every element was read (geth struct decoding: 'too-many-elements'). */
  finish(): void {
    if (this.pos < this.end) throw new RlpError('too-many-elements', this.pos)
  }
}

/** Parse the list item at `pos` (must end by `limit`). */
export function readRlpList(buf: Uint8Array, pos: number, limit: number, out: RlpItem = newRlpItem()): RlpItem {
  readRlpHeader(buf, pos, limit, false, out)
  if (!out.isList) throw new RlpError('expected-list', pos)
  return out
}
