import { keccak_256 } from '@noble/hashes/sha3.js'
import { bigIntToMinimalBytes, bytesToBigInt } from '../../config/bytes.ts'
import { DepositTxError } from './errors.ts'

// The deposit transaction type 0x7E (opstack-spec §1.1):
//   0x7E ++ rlp([sourceHash, from, to, mint, value, gas, isSystemTx, data])
// The RLP is written and read directly (a flat list of 8 byte strings), with geth's strictness on decode.

export const DEPOSIT_TX_TYPE = 0x7e

export interface DepositTx {
  /** 32 bytes. */
  sourceHash: Uint8Array
  /** 20 bytes. */
  from: Uint8Array
  /** 20 bytes; undefined means contract creation (encoded as the empty string). */
  to?: Uint8Array | undefined
  /** u256; 0 means "no mint". */
  mint: bigint
  /** u256 */
  value: bigint
  /** u64 */
  gas: bigint
  /** Must be false from Regolith. */
  isSystemTx: boolean
  data: Uint8Array
}

const U64_MAX = 0xffff_ffff_ffff_ffffn
const U256_MAX = (1n << 256n) - 1n

function invalid(field: string, reason: string, meta: Record<string, unknown> = {}): DepositTxError {
  return new DepositTxError('DEPOSIT_TX_INVALID_FIELD', `deposit tx ${field}: ${reason}`, { field, ...meta })
}

function checkedInt(field: string, v: bigint, max: bigint): Uint8Array {
  if (v < 0n || v > max) throw invalid(field, 'out of range', { value: v.toString() })
  return bigIntToMinimalBytes(v)
}

/** Length of the RLP encoding of a byte string. */
function rlpStringLen(b: Uint8Array): number {
  const n = b.length
  if (n === 1 && b[0]! < 0x80) return 1
  if (n < 56) return 1 + n
  return 1 + lenOfLen(n) + n
}

function lenOfLen(n: number): number {
  return n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4
}

/** Writes an RLP header (string offset 0x80, list offset 0xc0) for a payload of `n` bytes; returns the new offset. */
function writeHeader(out: Uint8Array, off: number, n: number, offset: 0x80 | 0xc0): number {
  if (n < 56) {
    out[off] = offset + n
    return off + 1
  }
  const ll = lenOfLen(n)
  out[off] = offset + 55 + ll
  for (let i = ll; i >= 1; i--) {
    out[off + i] = n & 0xff
    n = Math.floor(n / 256)
  }
  return off + 1 + ll
}

function writeString(out: Uint8Array, off: number, b: Uint8Array): number {
  if (b.length === 1 && b[0]! < 0x80) {
    out[off] = b[0]!
    return off + 1
  }
  off = writeHeader(out, off, b.length, 0x80)
  out.set(b, off)
  return off + b.length
}

/** Validates the fields and returns the 8 RLP byte strings. */
function fieldsOf(tx: DepositTx): Uint8Array[] {
  if (tx.sourceHash.length !== 32) throw invalid('sourceHash', 'must be 32 bytes', { length: tx.sourceHash.length })
  if (tx.from.length !== 20) throw invalid('from', 'must be 20 bytes', { length: tx.from.length })
  if (tx.to !== undefined && tx.to.length !== 20) throw invalid('to', 'must be 20 bytes', { length: tx.to.length })
  return [
    tx.sourceHash,
    tx.from,
    tx.to ?? EMPTY,
    checkedInt('mint', tx.mint, U256_MAX),
    checkedInt('value', tx.value, U256_MAX),
    checkedInt('gas', tx.gas, U64_MAX),
    tx.isSystemTx ? TRUE : EMPTY,
    tx.data,
  ]
}

const EMPTY = new Uint8Array(0)
const TRUE = new Uint8Array([1])

/** EIP-2718 encoding: 0x7E ++ rlp([...]). Throws DEPOSIT_TX_INVALID_FIELD on out-of-range fields. */
export function encodeDepositTx(tx: DepositTx): Uint8Array {
  const fields = fieldsOf(tx)
  let payload = 0
  for (const f of fields) payload += rlpStringLen(f)
  const headerLen = payload < 56 ? 1 : 1 + lenOfLen(payload)
  const out = new Uint8Array(1 + headerLen + payload)
  out[0] = DEPOSIT_TX_TYPE
  let off = writeHeader(out, 1, payload, 0xc0)
  for (const f of fields) off = writeString(out, off, f)
  return out
}

/** keccak256 of the EIP-2718 encoding. */
export function depositTxHash(tx: DepositTx): Uint8Array {
  return keccak_256(encodeDepositTx(tx))
}

/** keccak256 of already-encoded deposit tx bytes (no validation). */
export function hashEncodedDepositTx(raw: Uint8Array): Uint8Array {
  return keccak_256(raw)
}

function badRlp(reason: string, offset: number): DepositTxError {
  return new DepositTxError('DEPOSIT_TX_BAD_RLP', `deposit tx RLP: ${reason}`, { offset })
}

interface Item {
  /** payload start */
  start: number
  /** payload end (exclusive) */
  end: number
  isList: boolean
}

/** Reads one RLP item header at `off` (within `limit`), enforcing canonical form. */
function readItem(b: Uint8Array, off: number, limit: number): Item {
  if (off >= limit) throw badRlp('unexpected end of input', off)
  const p = b[off]!
  if (p < 0x80) return { start: off, end: off + 1, isList: false }
  const isList = p >= 0xc0
  const base = isList ? 0xc0 : 0x80
  let start: number
  let len: number
  if (p - base < 56) {
    len = p - base
    start = off + 1
    if (!isList && len === 1) {
      if (start >= limit) throw badRlp('unexpected end of input', start)
      if (b[start]! < 0x80) throw badRlp('single byte below 0x80 must not have a string prefix', off)
    }
  } else {
    const ll = p - base - 55
    if (off + 1 + ll > limit) throw badRlp('truncated length', off)
    if (b[off + 1] === 0) throw badRlp('length has leading zero bytes', off)
    len = 0
    for (let i = 1; i <= ll; i++) len = len * 256 + b[off + i]!
    if (len < 56) throw badRlp('long form used for a length below 56', off)
    start = off + 1 + ll
  }
  const end = start + len
  if (end > limit) throw badRlp('item exceeds its enclosing data', off)
  return { start, end, isList }
}

const FIELD_NAMES = ['sourceHash', 'from', 'to', 'mint', 'value', 'gas', 'isSystemTx', 'data'] as const

function decodeInt(b: Uint8Array, item: Item, field: string, maxBytes: number): bigint {
  const len = item.end - item.start
  if (len === 0) return 0n
  if (b[item.start] === 0) {
    throw new DepositTxError('DEPOSIT_TX_NON_CANONICAL_INT', `deposit tx ${field}: leading zero bytes`, { field })
  }
  if (len > maxBytes) {
    throw new DepositTxError('DEPOSIT_TX_INT_OVERFLOW', `deposit tx ${field}: more than ${maxBytes} bytes`, {
      field,
      length: len,
    })
  }
  return bytesToBigInt(b, item.start, item.end)
}

/**
 * Decodes 0x7E ++ rlp([...]) strictly: exactly 8 byte-string fields, sourceHash 32 bytes, from 20 bytes, to empty or
 * 20 bytes, canonical integers (mint/value ≤ 256 bits, gas ≤ 64 bits), isSystemTx 0x80 or 0x01, no trailing bytes.
 * Returned byte fields are copies.
 */
export function decodeDepositTx(raw: Uint8Array): DepositTx {
  if (raw.length === 0 || raw[0] !== DEPOSIT_TX_TYPE) {
    throw new DepositTxError('DEPOSIT_TX_WRONG_TYPE', 'not a deposit tx (type byte is not 0x7e)', {
      type: raw.length === 0 ? undefined : raw[0],
    })
  }
  const list = readItem(raw, 1, raw.length)
  if (!list.isList) throw new DepositTxError('DEPOSIT_TX_NOT_LIST', 'deposit tx payload is not an RLP list')
  if (list.end !== raw.length) throw badRlp('trailing bytes after the list', list.end)
  const items: Item[] = []
  let off = list.start
  while (off < list.end) {
    const it = readItem(raw, off, list.end)
    if (items.length < 8 && it.isList) {
      const field = FIELD_NAMES[items.length]
      throw new DepositTxError('DEPOSIT_TX_FIELD_NOT_STRING', `deposit tx ${field}: list where a string is expected`, {
        field,
      })
    }
    items.push(it)
    off = it.end
  }
  if (items.length !== 8) {
    throw new DepositTxError('DEPOSIT_TX_FIELD_COUNT', `deposit tx has ${items.length} fields, expected 8`, {
      count: items.length,
    })
  }
  const [iSource, iFrom, iTo, iMint, iValue, iGas, iSys, iData] = items as [
    Item,
    Item,
    Item,
    Item,
    Item,
    Item,
    Item,
    Item,
  ]
  const size = (it: Item) => it.end - it.start
  if (size(iSource) !== 32) {
    throw new DepositTxError('DEPOSIT_TX_BAD_SOURCE_HASH', 'deposit tx sourceHash must be 32 bytes', {
      length: size(iSource),
    })
  }
  if (size(iFrom) !== 20) {
    throw new DepositTxError('DEPOSIT_TX_BAD_FROM', 'deposit tx from must be 20 bytes', { length: size(iFrom) })
  }
  if (size(iTo) !== 0 && size(iTo) !== 20) {
    throw new DepositTxError('DEPOSIT_TX_BAD_TO', 'deposit tx to must be empty or 20 bytes', { length: size(iTo) })
  }
  const mint = decodeInt(raw, iMint, 'mint', 32)
  const value = decodeInt(raw, iValue, 'value', 32)
  const gas = decodeInt(raw, iGas, 'gas', 8)
  let isSystemTx: boolean
  if (size(iSys) === 0) isSystemTx = false
  else if (size(iSys) === 1 && raw[iSys.start] === 1) isSystemTx = true
  else throw new DepositTxError('DEPOSIT_TX_BAD_BOOL', 'deposit tx isSystemTx must be 0x80 or 0x01')
  return {
    sourceHash: raw.slice(iSource.start, iSource.end),
    from: raw.slice(iFrom.start, iFrom.end),
    to: size(iTo) === 0 ? undefined : raw.slice(iTo.start, iTo.end),
    mint,
    value,
    gas,
    isSystemTx,
    data: raw.slice(iData.start, iData.end),
  }
}
