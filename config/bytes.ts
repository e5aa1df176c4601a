import { NodeError } from './errors.ts'
import type { Hex } from './types.ts'

// Byte helpers for the protocol codecs. Public types use Uint8Array; these avoid hex strings on the hot paths
// (integers are moved in 32-bit chunks, not through `toString(16)`). Hex conversion is for the edges and tests.

export class BytesError extends NodeError<'BYTES_INVALID_HEX' | 'BYTES_INT_RANGE' | 'BYTES_BAD_LENGTH'> {}

const HEX_CHARS = '0123456789abcdef'
const BYTE_TO_HEX: string[] = Array.from({ length: 256 }, (_, i) => HEX_CHARS[i >> 4]! + HEX_CHARS[i & 15]!)
const TWO_32 = 0x1_0000_0000n

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48 // 0-9
  if (c >= 97 && c <= 102) return c - 87 // a-f
  if (c >= 65 && c <= 70) return c - 55 // A-F
  return -1
}

/** Parses hex with or without `0x`; throws on odd length or a non-hex character. */
export function hexToBytes(hex: string): Uint8Array {
  const start = hex.startsWith('0x') || hex.startsWith('0X') ? 2 : 0
  const len = hex.length - start
  if (len % 2 !== 0) throw new BytesError('BYTES_INVALID_HEX', 'hex string has odd length', { length: hex.length })
  const out = new Uint8Array(len / 2)
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(hex.charCodeAt(start + 2 * i))
    const lo = nibble(hex.charCodeAt(start + 2 * i + 1))
    if (hi < 0 || lo < 0) throw new BytesError('BYTES_INVALID_HEX', 'invalid hex character', { index: start + 2 * i })
    out[i] = (hi << 4) | lo
  }
  return out
}

export function bytesToHex(b: Uint8Array): Hex {
  let s = '0x'
  for (let i = 0; i < b.length; i++) s += BYTE_TO_HEX[b[i]!]
  return s as Hex
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0
  for (const p of parts) len += p.length
  const out = new Uint8Array(len)
  let off = 0
  for (const p of parts) {
    out.set(p, off)
    off += p.length
  }
  return out
}

/** True if b[start:end] is all zero. */
export function isZeroRange(b: Uint8Array, start = 0, end = b.length): boolean {
  for (let i = start; i < end; i++) if (b[i] !== 0) return false
  return true
}

/** Reads b[start:end] as an unsigned big-endian integer (any length; empty is 0). */
export function bytesToBigInt(b: Uint8Array, start = 0, end = b.length): bigint {
  const len = end - start
  if (len <= 6) {
    let v = 0
    for (let i = start; i < end; i++) v = v * 256 + b[i]!
    return BigInt(v)
  }
  // leading partial chunk, then 32-bit chunks
  let i = start
  let head = 0
  const headLen = len % 4
  for (; i < start + headLen; i++) head = head * 256 + b[i]!
  let v = BigInt(head)
  for (; i < end; i += 4) {
    const chunk = ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0
    v = v * TWO_32 + BigInt(chunk)
  }
  return v
}

/** Reads a big-endian u32 at `off`. */
export function readU32BE(b: Uint8Array, off: number): number {
  return ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0
}

/** Reads a big-endian u64 at `off` as bigint. */
export function readU64BE(b: Uint8Array, off: number): bigint {
  return BigInt(readU32BE(b, off)) * TWO_32 + BigInt(readU32BE(b, off + 4))
}

export function writeU32BE(out: Uint8Array, off: number, v: number): void {
  out[off] = v >>> 24
  out[off + 1] = (v >>> 16) & 0xff
  out[off + 2] = (v >>> 8) & 0xff
  out[off + 3] = v & 0xff
}

/**
 * Writes `v` big-endian into out[off : off+len], zero-filling the left. Throws BYTES_INT_RANGE if `v` is negative or
 * does not fit in `len` bytes.
 */
export function writeUintBE(out: Uint8Array, off: number, len: number, v: bigint): void {
  if (v < 0n) throw new BytesError('BYTES_INT_RANGE', 'negative integer', { value: v.toString() })
  let end = off + len
  if (v <= 0xffff_ffffn) {
    let n = Number(v)
    while (end > off) {
      end--
      out[end] = n & 0xff
      n = Math.floor(n / 256)
    }
    if (n !== 0) throw new BytesError('BYTES_INT_RANGE', `integer does not fit in ${len} bytes`, { len })
    return
  }
  let rest = v
  while (end - off >= 4) {
    const chunk = Number(BigInt.asUintN(32, rest))
    writeU32BE(out, end - 4, chunk)
    end -= 4
    rest >>= 32n
  }
  while (end > off) {
    end--
    out[end] = Number(rest & 0xffn)
    rest >>= 8n
  }
  if (rest !== 0n) throw new BytesError('BYTES_INT_RANGE', `integer does not fit in ${len} bytes`, { len })
}

/** `v` as a fixed-width big-endian byte array (e.g. a 32-byte ABI word). */
export function uintToBytes(v: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len)
  writeUintBE(out, 0, len, v)
  return out
}

/** Minimal big-endian encoding (no leading zero bytes; 0 is empty), as RLP integers use. */
export function bigIntToMinimalBytes(v: bigint): Uint8Array {
  if (v < 0n) throw new BytesError('BYTES_INT_RANGE', 'negative integer', { value: v.toString() })
  if (v === 0n) return new Uint8Array(0)
  if (v <= 0xffff_ffffn) {
    const n = Number(v)
    const len = n > 0xffffff ? 4 : n > 0xffff ? 3 : n > 0xff ? 2 : 1
    const out = new Uint8Array(len)
    for (let i = len - 1, m = n; i >= 0; i--, m = Math.floor(m / 256)) out[i] = m & 0xff
    return out
  }
  // count 32-bit chunks, then bytes of the top chunk
  let chunks = 0
  let top = v
  while (top > 0xffff_ffffn) {
    top >>= 32n
    chunks++
  }
  const t = Number(top)
  const topLen = t > 0xffffff ? 4 : t > 0xffff ? 3 : t > 0xff ? 2 : 1
  const out = new Uint8Array(topLen + 4 * chunks)
  writeUintBE(out, 0, out.length, v)
  return out
}

/** Address from a 32-byte word/topic: the last 20 bytes (no padding check). */
export function wordToAddress(word: Uint8Array): Uint8Array {
  return word.slice(word.length - 20)
}

/** 20-byte address left-padded to a 32-byte word. */
export function addressToWord(addr: Uint8Array): Uint8Array {
  const out = new Uint8Array(32)
  out.set(addr, 32 - addr.length)
  return out
}
