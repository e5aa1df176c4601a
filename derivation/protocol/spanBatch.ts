import { RlpError, SpanBatchError } from './batchErrors.ts'
import {
  bytesToBigInt,
  encodeRlpUint,
  newRlpItem,
  peekRlpHeader,
  type RlpItem,
  RlpListCursor,
  readRlpList,
  rlpBytes,
  rlpFixedBytes,
  rlpHeaderLength,
  rlpUintBytes,
  rlpUintBytesLength,
  rlpUintLength,
  writeRlpHeader,
  writeRlpUint,
  writeRlpUintBytes,
} from './rlp.ts'
import type { SingularBatch } from './singularBatch.ts'
import { ByteCursor, uvarintLength, writeUvarint } from './varint.ts'

// Span batch (v1, Delta; spec §4.7, specs/protocol/delta/span-batches.md):
//   batch   = 0x01 ++ prefix ++ payload
//   prefix  = uvarint(rel_timestamp) ++ uvarint(l1_origin_num) ++ parent_check(20) ++ l1_origin_check(20)
//   payload = uvarint(block_count) ++ origin_bits ++ block_tx_counts ++ txs
//   txs     = contract_creation_bits ++ y_parity_bits ++ tx_sigs ++ tx_tos ++ tx_datas ++ tx_nonces ++ tx_gases
//             ++ protected_bits
// A bitlist of N bits is ceil(N/8) bytes holding a big-endian integer; element i is bit i of that integer.
//
// `decodeRawSpanBatch` mirrors op-node's RawSpanBatch.decode: tx_datas entries are only checked to be an optional
// type byte (<= 0x7F) followed by an RLP list; their fields are validated when deriving full transactions
// (`deriveSpanBatch`, op-node's ToSpanBatch). Decoded byte fields are views into the input, and re-encoding a
// decoded batch reproduces the input bytes (given minimal uvarints).

export const SPAN_BATCH_TYPE = 1
export const MAX_SPAN_BATCH_ELEMENT_COUNT = 10_000_000

const LEGACY_TX_TYPE = 0
const ACCESS_LIST_TX_TYPE = 1
const DYNAMIC_FEE_TX_TYPE = 2
const SET_CODE_TX_TYPE = 4
const U64_MASK = 0xffffffffffffffffn

export interface SpanBatchTxs {
  /** Sum of block_tx_counts. */
  totalTxCount: number
  /** Bitlist of totalTxCount bits. */
  contractCreationBits: Uint8Array
  /** Bitlist of totalTxCount bits. */
  yParityBits: Uint8Array
  /** totalTxCount × (r(32) ++ s(32)). */
  txSigs: Uint8Array
  /** 20 bytes per non-creation transaction. */
  txTos: Uint8Array
  /** Raw tx_datas entries (type byte included for typed transactions). */
  txDatas: Uint8Array[]
  /** Type per transaction: the leading byte if <= 0x7F, else 0 (legacy). */
  txTypes: Uint8Array
  txNonces: bigint[]
  txGases: bigint[]
  /** Number of transactions with type 0 (protected_bits length). */
  legacyTxCount: number
  /** Bitlist of legacyTxCount bits. */
  protectedBits: Uint8Array
}

export interface RawSpanBatch {
  relTimestamp: bigint
  l1OriginNum: bigint
  /** First 20 bytes of the first block's parent hash. */
  parentCheck: Uint8Array
  /** First 20 bytes of the last block's L1 origin hash. */
  l1OriginCheck: Uint8Array
  blockCount: number
  /** Bitlist of blockCount bits: bit i set when block i changed its L1 origin. */
  originBits: Uint8Array
  blockTxCounts: number[]
  txs: SpanBatchTxs
}

// ---------------------------------------------------------------------------------------------------------------
// Bitlists

export function bitlistByteLength(bitLength: number): number {
  return Math.ceil(bitLength / 8)
}

/** Bit i of a span-batch bitlist (counted from the least significant bit of the last byte). */
export function getBit(bits: Uint8Array, i: number): number {
  const idx = bits.length - 1 - (i >>> 3)
  if (idx < 0) return 0
  return (bits[idx]! >>> (i & 7)) & 1
}

/** Set bit i (the bitlist must be long enough). */
export function setBit(bits: Uint8Array, i: number): void {
  const idx = bits.length - 1 - (i >>> 3)
  if (idx < 0) throw new RangeError(`bit ${i} outside a ${bits.length}-byte bitlist`)
  bits[idx] = bits[idx]! | (1 << (i & 7))
}

export function popcount(bits: Uint8Array): number {
  let n = 0
  for (let i = 0; i < bits.length; i++) {
    let b = bits[i]!
    while (b !== 0) {
      b &= b - 1
      n++
    }
  }
  return n
}

/** Build a bitlist of `bitLength` bits from 0/1 flags. */
export function bitlistFromFlags(flags: ArrayLike<number | boolean>, bitLength = flags.length): Uint8Array {
  const out = new Uint8Array(bitlistByteLength(bitLength))
  for (let i = 0; i < flags.length; i++) if (flags[i]) setBit(out, i)
  return out
}

function readBitlist(c: ByteCursor, bitLength: number, what: string): Uint8Array {
  const bits = c.bytes(bitlistByteLength(bitLength), what)
  const rem = bitLength & 7
  if (rem !== 0 && bits[0]! >>> rem !== 0) {
    throw new SpanBatchError('bitlist-overflow', `${what}: bits set above ${bitLength}`)
  }
  return bits
}

function checkBitlist(bits: Uint8Array, bitLength: number, what: string): void {
  if (bits.length !== bitlistByteLength(bitLength)) {
    throw new RangeError(`${what}: ${bits.length} bytes for ${bitLength} bits`)
  }
  const rem = bitLength & 7
  if (rem !== 0 && bits[0]! >>> rem !== 0) throw new RangeError(`${what}: bits set above ${bitLength}`)
}

// ---------------------------------------------------------------------------------------------------------------
// Raw decode / encode

/** Decode `prefix ++ payload` (the span batch content after the 0x01 version byte). Trailing bytes are ignored. */
export function decodeRawSpanBatch(content: Uint8Array): RawSpanBatch {
  const c = new ByteCursor(content)
  const relTimestamp = c.uvarint('rel_timestamp')
  const l1OriginNum = c.uvarint('l1_origin_num')
  const parentCheck = c.bytes(20, 'parent_check')
  const l1OriginCheck = c.bytes(20, 'l1_origin_check')

  const blockCount = c.uvarintNumber('block_count')
  if (blockCount > MAX_SPAN_BATCH_ELEMENT_COUNT) throw new SpanBatchError('too-big', `block_count ${blockCount}`)
  if (blockCount === 0) throw new SpanBatchError('empty')
  const originBits = readBitlist(c, blockCount, 'origin_bits')
  const blockTxCounts = new Array<number>(blockCount)
  let total = 0
  for (let i = 0; i < blockCount; i++) {
    const n = c.uvarintNumber('block_tx_count')
    if (n > MAX_SPAN_BATCH_ELEMENT_COUNT) throw new SpanBatchError('too-big', `block ${i} tx count ${n}`)
    blockTxCounts[i] = n
    total += n
  }
  if (total > MAX_SPAN_BATCH_ELEMENT_COUNT) throw new SpanBatchError('too-big', `total tx count ${total}`)
  const txs = decodeSpanBatchTxs(c, total)
  return { relTimestamp, l1OriginNum, parentCheck, l1OriginCheck, blockCount, originBits, blockTxCounts, txs }
}

function decodeSpanBatchTxs(c: ByteCursor, total: number): SpanBatchTxs {
  const contractCreationBits = readBitlist(c, total, 'contract_creation_bits')
  const yParityBits = readBitlist(c, total, 'y_parity_bits')
  const txSigs = c.bytes(64 * total, 'tx_sigs')
  const creations = popcount(contractCreationBits)
  const txTos = c.bytes(20 * (total - creations), 'tx_tos')

  const buf = c.buf
  const end = c.end
  const txDatas = new Array<Uint8Array>(total)
  const txTypes = new Uint8Array(total)
  const item = newRlpItem()
  let legacyTxCount = 0
  for (let i = 0; i < total; i++) {
    const start = c.pos
    if (start >= end) throw new SpanBatchError('truncated', `tx_datas[${i}]: missing`)
    let type = LEGACY_TX_TYPE
    let p = start
    if (buf[p]! <= 0x7f) {
      type = buf[p]!
      p++
    }
    try {
      peekRlpHeader(buf, p, end, item)
    } catch (e) {
      if (e instanceof RlpError) {
        throw new SpanBatchError(e.reason === 'truncated' ? 'truncated' : 'tx-data-rlp', `tx_datas[${i}]`, e)
      }
      throw e
    }
    // op-node reads each entry through an RLP stream limited to MAX_SPAN_BATCH_ELEMENT_COUNT bytes.
    if (item.end - p > MAX_SPAN_BATCH_ELEMENT_COUNT) throw new SpanBatchError('too-big', `tx_datas[${i}] size`)
    if (!item.isList) throw new SpanBatchError('tx-data-not-list', `tx_datas[${i}]`)
    if (item.end > end) throw new SpanBatchError('truncated', `tx_datas[${i}]`)
    txDatas[i] = buf.subarray(start, item.end)
    txTypes[i] = type
    if (type === LEGACY_TX_TYPE) legacyTxCount++
    c.pos = item.end
  }
  const txNonces = new Array<bigint>(total)
  for (let i = 0; i < total; i++) txNonces[i] = c.uvarint('tx_nonces')
  const txGases = new Array<bigint>(total)
  for (let i = 0; i < total; i++) txGases[i] = c.uvarint('tx_gases')
  const protectedBits = readBitlist(c, legacyTxCount, 'protected_bits')
  return {
    totalTxCount: total,
    contractCreationBits,
    yParityBits,
    txSigs,
    txTos,
    txDatas,
    txTypes,
    txNonces,
    txGases,
    legacyTxCount,
    protectedBits,
  }
}

/** Encoded size of `prefix ++ payload`. */
export function rawSpanBatchSize(b: RawSpanBatch): number {
  const t = b.txs
  let size = uvarintLength(b.relTimestamp) + uvarintLength(b.l1OriginNum) + 40
  size += uvarintLength(b.blockCount) + b.originBits.length
  for (const n of b.blockTxCounts) size += uvarintLength(n)
  size += t.contractCreationBits.length + t.yParityBits.length + t.txSigs.length + t.txTos.length
  for (const d of t.txDatas) size += d.length
  for (const n of t.txNonces) size += uvarintLength(n)
  for (const g of t.txGases) size += uvarintLength(g)
  return size + t.protectedBits.length
}

/** Encode `prefix ++ payload` (no version byte). Throws RangeError on an inconsistent batch. */
export function encodeRawSpanBatch(b: RawSpanBatch): Uint8Array {
  const t = b.txs
  if (b.parentCheck.length !== 20 || b.l1OriginCheck.length !== 20) throw new RangeError('checks must be 20 bytes')
  if (b.blockCount < 1 || b.blockTxCounts.length !== b.blockCount) throw new RangeError('block_count mismatch')
  let total = 0
  for (const n of b.blockTxCounts) total += n
  if (total !== t.totalTxCount || t.txDatas.length !== total) throw new RangeError('tx count mismatch')
  if (t.txNonces.length !== total || t.txGases.length !== total || t.txSigs.length !== 64 * total) {
    throw new RangeError('tx field length mismatch')
  }
  checkBitlist(b.originBits, b.blockCount, 'origin_bits')
  checkBitlist(t.contractCreationBits, total, 'contract_creation_bits')
  checkBitlist(t.yParityBits, total, 'y_parity_bits')
  checkBitlist(t.protectedBits, t.legacyTxCount, 'protected_bits')
  if (t.txTos.length !== 20 * (total - popcount(t.contractCreationBits))) throw new RangeError('tx_tos length')

  const out = new Uint8Array(rawSpanBatchSize(b))
  let pos = writeUvarint(out, 0, b.relTimestamp)
  pos = writeUvarint(out, pos, b.l1OriginNum)
  out.set(b.parentCheck, pos)
  out.set(b.l1OriginCheck, pos + 20)
  pos += 40
  pos = writeUvarint(out, pos, b.blockCount)
  out.set(b.originBits, pos)
  pos += b.originBits.length
  for (const n of b.blockTxCounts) pos = writeUvarint(out, pos, n)
  for (const part of [t.contractCreationBits, t.yParityBits, t.txSigs, t.txTos]) {
    out.set(part, pos)
    pos += part.length
  }
  for (const d of t.txDatas) {
    out.set(d, pos)
    pos += d.length
  }
  for (const n of t.txNonces) pos = writeUvarint(out, pos, n)
  for (const g of t.txGases) pos = writeUvarint(out, pos, g)
  out.set(t.protectedBits, pos)
  return out
}

// ---------------------------------------------------------------------------------------------------------------
// Derivation: per-block elements with full signed transactions

export interface SpanBatchElement {
  /** L1 origin number of this block (u64). */
  epochNum: bigint
  /** L2 timestamp (u64). */
  timestamp: bigint
  /** Full EIP-2718 transactions. */
  transactions: Uint8Array[]
}

export interface SpanBatch {
  parentCheck: Uint8Array
  l1OriginCheck: Uint8Array
  elements: SpanBatchElement[]
}

export interface SpanBatchDeriveOptions {
  /** rollup genesis.l2_time. */
  genesisTimestamp: bigint | number
  blockTime: bigint | number
  l2ChainId: bigint | number
  /** Accept type-4 (SetCode) transactions: Isthmus active. Without it they are 'tx-type-unsupported'. */
  isthmus?: boolean
}

/** L1 origin number per block: filled backwards from l1_origin_num; origin_bits[0] is not used (u64 wrap). */
export function spanBatchBlockOrigins(b: RawSpanBatch): bigint[] {
  const origins = new Array<bigint>(b.blockCount)
  let num = b.l1OriginNum
  for (let i = b.blockCount - 1; i >= 0; i--) {
    origins[i] = num
    if (i > 0 && getBit(b.originBits, i) === 1) num = (num - 1n) & U64_MASK
  }
  return origins
}

/** start_epoch_num = l1_origin_num − popcount(origin_bits) + origin_bits[0] (= origin of block 0). */
export function spanBatchStartEpochNum(b: RawSpanBatch): bigint {
  const bits = popcount(b.originBits) - getBit(b.originBits, 0)
  return (b.l1OriginNum - BigInt(bits)) & U64_MASK
}

/** Timestamp of block i: genesis + rel_timestamp + i·block_time (u64 arithmetic, like op-node). */
export function spanBatchBlockTimestamp(
  b: RawSpanBatch,
  i: number,
  genesisTimestamp: bigint | number,
  blockTime: bigint | number,
): bigint {
  return (BigInt(genesisTimestamp) + b.relTimestamp + BigInt(blockTime) * BigInt(i)) & U64_MASK
}

/**
 * op-node's RawSpanBatch.ToSpanBatch: per-block timestamps and origins, and the full signed transactions rebuilt
 * with the L2 chain id (v recovered from y_parity and protected_bits). Throws SpanBatchError for transactions
 * that cannot be rebuilt (unsupported type, malformed tx_data fields, SetCode creation).
 */
export function deriveSpanBatch(b: RawSpanBatch, opts: SpanBatchDeriveOptions): SpanBatch {
  if (b.blockCount === 0) throw new SpanBatchError('empty')
  const origins = spanBatchBlockOrigins(b)
  const txs = fullTransactions(b.txs, BigInt(opts.l2ChainId), opts.isthmus === true)
  const elements = new Array<SpanBatchElement>(b.blockCount)
  const genesis = BigInt(opts.genesisTimestamp)
  const blockTime = BigInt(opts.blockTime)
  let txIdx = 0
  for (let i = 0; i < b.blockCount; i++) {
    const n = b.blockTxCounts[i]!
    elements[i] = {
      epochNum: origins[i]!,
      timestamp: (genesis + b.relTimestamp + blockTime * BigInt(i)) & U64_MASK,
      transactions: txs.slice(txIdx, txIdx + n),
    }
    txIdx += n
  }
  return { parentCheck: b.parentCheck, l1OriginCheck: b.l1OriginCheck, elements }
}

interface TxFieldSlices {
  // Offsets [start, end) of the raw RLP items inside the tx_data entry.
  valueS: number
  valueE: number
  priceS: number // gasPrice, or maxPriorityFeePerGas for types 2/4
  priceE: number
  feeCapS: number // maxFeePerGas (types 2/4)
  feeCapE: number
  dataS: number
  dataE: number
  accessS: number
  accessE: number
  authS: number
  authE: number
}

function newSlices(): TxFieldSlices {
  return {
    valueS: 0,
    valueE: 0,
    priceS: 0,
    priceE: 0,
    feeCapS: 0,
    feeCapE: 0,
    dataS: 0,
    dataE: 0,
    accessS: 0,
    accessE: 0,
    authS: 0,
    authE: 0,
  }
}

function txDataError(i: number, e: unknown): SpanBatchError {
  if (e instanceof SpanBatchError) return e
  if (e instanceof RlpError) return new SpanBatchError('tx-data-rlp', `tx ${i}: ${e.message}`, e)
  throw e
}

/**
 * Validate a tx_data entry the way op-node's rlp.DecodeBytes into spanBatch*TxData does (exact field count,
 * canonical integers, byte strings, access-list / authorization-list shapes) and record the raw field slices.
 */
function parseTxData(d: Uint8Array, type: number, s: TxFieldSlices, item: RlpItem): void {
  const listStart = type === LEGACY_TX_TYPE ? 0 : 1
  readRlpList(d, listStart, d.length, item)
  const c = new RlpListCursor(d, item)
  const bigMax = type === SET_CODE_TX_TYPE ? 32 : Number.POSITIVE_INFINITY
  let it = c.next()
  rlpUintBytes(d, it, bigMax)
  s.valueS = it.start
  s.valueE = it.end
  it = c.next()
  rlpUintBytes(d, it, bigMax)
  s.priceS = it.start
  s.priceE = it.end
  if (type === DYNAMIC_FEE_TX_TYPE || type === SET_CODE_TX_TYPE) {
    it = c.next()
    rlpUintBytes(d, it, bigMax)
    s.feeCapS = it.start
    s.feeCapE = it.end
  }
  it = c.next()
  rlpBytes(d, it)
  s.dataS = it.start
  s.dataE = it.end
  if (type !== LEGACY_TX_TYPE) {
    it = c.next()
    s.accessS = it.start
    s.accessE = it.end
    validateAccessList(d, it)
  }
  if (type === SET_CODE_TX_TYPE) {
    it = c.next()
    s.authS = it.start
    s.authE = it.end
    validateAuthList(d, it)
  }
  c.finish()
}

function validateAccessList(d: Uint8Array, list: RlpItem): void {
  const outer = new RlpListCursor(d, list)
  while (outer.hasNext()) {
    const tuple = outer.next()
    const tc = new RlpListCursor(d, tuple)
    rlpFixedBytes(d, tc.next(), 20)
    const keys = new RlpListCursor(d, tc.next())
    tc.finish()
    while (keys.hasNext()) rlpFixedBytes(d, keys.next(), 32)
  }
}

function validateAuthList(d: Uint8Array, list: RlpItem): void {
  const outer = new RlpListCursor(d, list)
  while (outer.hasNext()) {
    const ac = new RlpListCursor(d, outer.next())
    rlpUintBytes(d, ac.next(), 32) // chainId
    rlpFixedBytes(d, ac.next(), 20) // address
    rlpUintBytes(d, ac.next(), 8) // nonce
    rlpUintBytes(d, ac.next(), 1) // yParity (uint8)
    rlpUintBytes(d, ac.next(), 32) // r
    rlpUintBytes(d, ac.next(), 32) // s
    ac.finish()
  }
}

/** Rebuild every full signed transaction of the span batch. */
function fullTransactions(t: SpanBatchTxs, chainId: bigint, isthmus: boolean): Uint8Array[] {
  const total = t.totalTxCount
  // op-node's recoverV runs over all transactions before any is rebuilt.
  for (let i = 0; i < total; i++) {
    const type = t.txTypes[i]!
    const ok =
      type === LEGACY_TX_TYPE ||
      type === ACCESS_LIST_TX_TYPE ||
      type === DYNAMIC_FEE_TX_TYPE ||
      (type === SET_CODE_TX_TYPE && isthmus)
    if (!ok) throw new SpanBatchError('tx-type-unsupported', `tx ${i}: type ${type}`)
  }
  const chainIdEnc = encodeRlpUint(chainId)
  const vProtected = [encodeRlpUint(chainId * 2n + 35n), encodeRlpUint(chainId * 2n + 36n)]
  const out = new Array<Uint8Array>(total)
  const s = newSlices()
  const item = newRlpItem()
  let toIdx = 0
  let legacyIdx = 0
  for (let i = 0; i < total; i++) {
    const type = t.txTypes[i]!
    const d = t.txDatas[i]!
    if (type === LEGACY_TX_TYPE && d[0]! <= 0x7f) {
      // An explicit 0x00 type byte: counted as legacy by the raw decoder, but not a decodable tx_data.
      throw new SpanBatchError('tx-type-unsupported', `tx ${i}: typed envelope with type 0`)
    }
    try {
      parseTxData(d, type, s, item)
    } catch (e) {
      throw txDataError(i, e)
    }
    const nonce = t.txNonces[i]!
    const gas = t.txGases[i]!
    const creation = getBit(t.contractCreationBits, i) === 1
    let to: Uint8Array | undefined
    if (!creation) {
      to = t.txTos.subarray(20 * toIdx, 20 * toIdx + 20)
      toIdx++
    } else if (type === SET_CODE_TX_TYPE) {
      throw new SpanBatchError('set-code-creation', `tx ${i}`)
    }
    const y = getBit(t.yParityBits, i)
    const r = t.txSigs.subarray(64 * i, 64 * i + 32)
    const sig = t.txSigs.subarray(64 * i + 32, 64 * i + 64)

    // v: legacy protected = chainId*2+35+y, legacy unprotected = 27+y, typed = y.
    let vEnc: Uint8Array | undefined
    let vByte = 0
    if (type === LEGACY_TX_TYPE) {
      if (getBit(t.protectedBits, legacyIdx) === 1) vEnc = vProtected[y]!
      else vByte = 27 + y
      legacyIdx++
    } else {
      vByte = y === 1 ? 0x01 : 0x80
    }
    const vLen = vEnc ? vEnc.length : 1

    let payload =
      rlpUintLength(nonce) +
      (s.priceE - s.priceS) +
      rlpUintLength(gas) +
      (to ? 21 : 1) +
      (s.valueE - s.valueS) +
      (s.dataE - s.dataS) +
      vLen +
      rlpUintBytesLength(r) +
      rlpUintBytesLength(sig)
    if (type !== LEGACY_TX_TYPE) payload += chainIdEnc.length + (s.accessE - s.accessS)
    if (type === DYNAMIC_FEE_TX_TYPE || type === SET_CODE_TX_TYPE) payload += s.feeCapE - s.feeCapS
    if (type === SET_CODE_TX_TYPE) payload += s.authE - s.authS

    const typed = type !== LEGACY_TX_TYPE
    const tx = new Uint8Array((typed ? 1 : 0) + rlpHeaderLength(payload) + payload)
    let pos = 0
    if (typed) tx[pos++] = type
    pos = writeRlpHeader(tx, pos, payload, true)
    if (typed) {
      tx.set(chainIdEnc, pos)
      pos += chainIdEnc.length
    }
    pos = writeRlpUint(tx, pos, nonce)
    tx.set(d.subarray(s.priceS, s.priceE), pos) // gasPrice or maxPriorityFeePerGas
    pos += s.priceE - s.priceS
    if (type === DYNAMIC_FEE_TX_TYPE || type === SET_CODE_TX_TYPE) {
      tx.set(d.subarray(s.feeCapS, s.feeCapE), pos)
      pos += s.feeCapE - s.feeCapS
    }
    pos = writeRlpUint(tx, pos, gas)
    if (to) {
      tx[pos++] = 0x94
      tx.set(to, pos)
      pos += 20
    } else {
      tx[pos++] = 0x80
    }
    tx.set(d.subarray(s.valueS, s.valueE), pos)
    pos += s.valueE - s.valueS
    tx.set(d.subarray(s.dataS, s.dataE), pos)
    pos += s.dataE - s.dataS
    if (typed) {
      tx.set(d.subarray(s.accessS, s.accessE), pos)
      pos += s.accessE - s.accessS
    }
    if (type === SET_CODE_TX_TYPE) {
      tx.set(d.subarray(s.authS, s.authE), pos)
      pos += s.authE - s.authS
    }
    if (vEnc) {
      tx.set(vEnc, pos)
      pos += vEnc.length
    } else {
      tx[pos++] = vByte
    }
    pos = writeRlpUintBytes(tx, pos, r)
    writeRlpUintBytes(tx, pos, sig)
    out[i] = tx
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------------
// Building span batches from singular batches (op-batcher)

export interface SpanBatchBuilderOptions {
  genesisTimestamp: bigint | number
  l2ChainId: bigint | number
}

/** The span-batch fields of one full signed transaction. */
export interface SpanBatchTxFields {
  type: number
  nonce: bigint
  gas: bigint
  to: Uint8Array | undefined
  yParity: number
  protected: boolean
  r: Uint8Array
  s: Uint8Array
  txData: Uint8Array
}

function invalidTx(detail: string, cause?: unknown): SpanBatchError {
  return new SpanBatchError('invalid-tx', detail, cause)
}

/** Left-pad a big-endian integer (<= 32 bytes) to 32 bytes. */
function pad32(b: Uint8Array, what: string): Uint8Array {
  if (b.length > 32) throw new SpanBatchError('invalid-signature', `${what} wider than 32 bytes`)
  const out = new Uint8Array(32)
  out.set(b, 32 - b.length)
  return out
}

/** Split a full signed EIP-2718 transaction into span-batch fields (op-node spanBatchTxs.AddTxs). */
export function parseFullTxForSpanBatch(tx: Uint8Array, chainId: bigint): SpanBatchTxFields {
  if (tx.length === 0) throw invalidTx('empty transaction')
  const type = tx[0]! > 0x7f ? LEGACY_TX_TYPE : tx[0]!
  if (
    type !== LEGACY_TX_TYPE &&
    type !== ACCESS_LIST_TX_TYPE &&
    type !== DYNAMIC_FEE_TX_TYPE &&
    type !== SET_CODE_TX_TYPE
  ) {
    throw new SpanBatchError('tx-type-unsupported', `type ${type}`)
  }
  try {
    const listStart = type === LEGACY_TX_TYPE ? 0 : 1
    const list = readRlpList(tx, listStart, tx.length)
    if (list.end !== tx.length) throw invalidTx('trailing bytes after transaction')
    const c = new RlpListCursor(tx, list)
    const big = type === SET_CODE_TX_TYPE ? 32 : Number.POSITIVE_INFINITY
    const slice = (it: RlpItem) => tx.subarray(it.start, it.end)
    let txChainId: bigint | undefined
    if (type !== LEGACY_TX_TYPE) txChainId = bytesToBigInt(rlpUintBytes(tx, c.next(), big))
    const nonce = bytesToBigInt(rlpUintBytes(tx, c.next(), 8))
    let it = c.next()
    rlpUintBytes(tx, it, big)
    const price = slice(it)
    let feeCap: Uint8Array | undefined
    if (type === DYNAMIC_FEE_TX_TYPE || type === SET_CODE_TX_TYPE) {
      it = c.next()
      rlpUintBytes(tx, it, big)
      feeCap = slice(it)
    }
    const gas = bytesToBigInt(rlpUintBytes(tx, c.next(), 8))
    const toBytes = rlpBytes(tx, c.next())
    if (toBytes.length !== 0 && toBytes.length !== 20) throw invalidTx(`to has ${toBytes.length} bytes`)
    if (type === SET_CODE_TX_TYPE && toBytes.length === 0) throw new SpanBatchError('set-code-creation')
    it = c.next()
    rlpUintBytes(tx, it, big)
    const value = slice(it)
    it = c.next()
    rlpBytes(tx, it)
    const data = slice(it)
    let access: Uint8Array | undefined
    let auth: Uint8Array | undefined
    if (type !== LEGACY_TX_TYPE) {
      it = c.next()
      validateAccessList(tx, it)
      access = slice(it)
    }
    if (type === SET_CODE_TX_TYPE) {
      it = c.next()
      validateAuthList(tx, it)
      auth = slice(it)
    }
    const v = bytesToBigInt(rlpUintBytes(tx, c.next(), Number.POSITIVE_INFINITY))
    const r = pad32(rlpUintBytes(tx, c.next(), Number.POSITIVE_INFINITY), 'r')
    const s = pad32(rlpUintBytes(tx, c.next(), Number.POSITIVE_INFINITY), 's')
    c.finish()

    let yParity: number
    let isProtected = true
    if (type === LEGACY_TX_TYPE) {
      if (v === 27n || v === 28n) {
        isProtected = false
        yParity = Number(v - 27n)
      } else if (v >= 35n) {
        yParity = Number((v - 35n) & 1n)
        txChainId = (v - 35n) / 2n
      } else {
        throw new SpanBatchError('invalid-signature', `legacy v ${v}`)
      }
    } else {
      if (v > 1n) throw new SpanBatchError('invalid-signature', `typed v ${v}`)
      yParity = Number(v)
    }
    if (isProtected && txChainId !== chainId) {
      throw new SpanBatchError('chain-id-mismatch', `tx chain id ${txChainId}, expected ${chainId}`)
    }

    // tx_data: [type ++] rlp([value, gasPrice|tip, (feeCap), data, (accessList), (authList)])
    const fields = [value, price]
    if (feeCap) fields.push(feeCap)
    fields.push(data)
    if (access) fields.push(access)
    if (auth) fields.push(auth)
    let payload = 0
    for (const f of fields) payload += f.length
    const typed = type !== LEGACY_TX_TYPE
    const txData = new Uint8Array((typed ? 1 : 0) + rlpHeaderLength(payload) + payload)
    let pos = 0
    if (typed) txData[pos++] = type
    pos = writeRlpHeader(txData, pos, payload, true)
    for (const f of fields) {
      txData.set(f, pos)
      pos += f.length
    }
    return {
      type,
      nonce,
      gas,
      to: toBytes.length === 20 ? toBytes : undefined,
      yParity,
      protected: isProtected,
      r,
      s,
      txData,
    }
  } catch (e) {
    if (e instanceof RlpError) throw invalidTx(e.message, e)
    throw e
  }
}

/**
 * Accumulates singular batches into one span batch, the way op-batcher's SpanBatch.AppendSingularBatch does.
 * The first block's origin bit is set when its sequence number is 0 (first block of its epoch); later bits are
 * set when the epoch number increases.
 */
export class SpanBatchBuilder {
  private readonly genesisTimestamp: bigint
  private readonly chainId: bigint
  private firstTimestamp = 0n
  private lastTimestamp = 0n
  private lastEpoch = 0n
  private parentCheck = new Uint8Array(20)
  private l1OriginCheck = new Uint8Array(20)
  private readonly originFlags: number[] = []
  private readonly blockTxCounts: number[] = []
  private readonly creationFlags: number[] = []
  private readonly yParityFlags: number[] = []
  private readonly protectedFlags: number[] = []
  private readonly sigs: Uint8Array[] = []
  private readonly tos: Uint8Array[] = []
  private readonly txDatas: Uint8Array[] = []
  private readonly txTypes: number[] = []
  private readonly nonces: bigint[] = []
  private readonly gases: bigint[] = []

  constructor(opts: SpanBatchBuilderOptions) {
    this.genesisTimestamp = BigInt(opts.genesisTimestamp)
    this.chainId = BigInt(opts.l2ChainId)
  }

  get blockCount(): number {
    return this.blockTxCounts.length
  }

  get txCount(): number {
    return this.txDatas.length
  }

  /**
   * Append the next L2 block. `seqNum` is its sequence number within its epoch (only used for the first block).
   * Transactions are parsed before anything is recorded, so a failure leaves the builder unchanged.
   */
  append(batch: SingularBatch, seqNum: bigint | number): void {
    if (this.blockCount > 0 && batch.timestamp < this.lastTimestamp) {
      throw new SpanBatchError('unordered', `timestamp ${batch.timestamp} after ${this.lastTimestamp}`)
    }
    const parsed = batch.transactions.map((tx) => parseFullTxForSpanBatch(tx, this.chainId))
    if (this.blockCount === 0) {
      this.firstTimestamp = batch.timestamp
      this.parentCheck = batch.parentHash.slice(0, 20)
      this.originFlags.push(BigInt(seqNum) === 0n ? 1 : 0)
    } else {
      this.originFlags.push(this.lastEpoch < batch.epochNum ? 1 : 0)
    }
    this.lastTimestamp = batch.timestamp
    this.lastEpoch = batch.epochNum
    this.l1OriginCheck = batch.epochHash.slice(0, 20)
    this.blockTxCounts.push(parsed.length)
    for (const p of parsed) {
      this.creationFlags.push(p.to ? 0 : 1)
      if (p.to) this.tos.push(p.to)
      this.yParityFlags.push(p.yParity)
      if (p.type === LEGACY_TX_TYPE) this.protectedFlags.push(p.protected ? 1 : 0)
      const sig = new Uint8Array(64)
      sig.set(p.r, 0)
      sig.set(p.s, 32)
      this.sigs.push(sig)
      this.txDatas.push(p.txData)
      this.txTypes.push(p.type)
      this.nonces.push(p.nonce)
      this.gases.push(p.gas)
    }
  }

  toRawSpanBatch(): RawSpanBatch {
    if (this.blockCount === 0) throw new SpanBatchError('empty', 'no blocks appended')
    const total = this.txDatas.length
    const txSigs = new Uint8Array(64 * total)
    for (let i = 0; i < total; i++) txSigs.set(this.sigs[i]!, 64 * i)
    const txTos = new Uint8Array(20 * this.tos.length)
    for (let i = 0; i < this.tos.length; i++) txTos.set(this.tos[i]!, 20 * i)
    return {
      relTimestamp: (this.firstTimestamp - this.genesisTimestamp) & U64_MASK,
      l1OriginNum: this.lastEpoch,
      parentCheck: this.parentCheck,
      l1OriginCheck: this.l1OriginCheck,
      blockCount: this.blockCount,
      originBits: bitlistFromFlags(this.originFlags),
      blockTxCounts: [...this.blockTxCounts],
      txs: {
        totalTxCount: total,
        contractCreationBits: bitlistFromFlags(this.creationFlags),
        yParityBits: bitlistFromFlags(this.yParityFlags),
        txSigs,
        txTos,
        txDatas: [...this.txDatas],
        txTypes: Uint8Array.from(this.txTypes),
        txNonces: [...this.nonces],
        txGases: [...this.gases],
        legacyTxCount: this.protectedFlags.length,
        protectedBits: bitlistFromFlags(this.protectedFlags),
      },
    }
  }
}

/** Build a raw span batch from consecutive singular batches; `firstSeqNum` is the first block's sequence number. */
export function spanBatchFromSingularBatches(
  batches: readonly SingularBatch[],
  firstSeqNum: bigint | number,
  opts: SpanBatchBuilderOptions,
): RawSpanBatch {
  const b = new SpanBatchBuilder(opts)
  for (const batch of batches) b.append(batch, firstSeqNum)
  return b.toRawSpanBatch()
}
