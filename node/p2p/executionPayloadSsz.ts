import type { ExecutionPayload } from '../../config/executionPayload.ts'
import { GossipDecodeError } from './errors.ts'

// SSZ ExecutionPayload as op-node gossips it (op-service/eth/ssz.go): little-endian integers, a fixed part with
// 4-byte offsets to the dynamic fields (extraData, transactions, withdrawals), then the dynamic data in that order.
// The layout grows by fork: v2 (Canyon) adds withdrawals, v3 (Ecotone) blob gas fields, v4 (Isthmus) withdrawalsRoot.

/** Gossip payload version: 1 pre-Canyon, 2 Canyon/Delta, 3 Ecotone+, 4 Isthmus. */
export type PayloadVersion = 1 | 2 | 3 | 4

/** An EIP-4895 withdrawal as SSZ carries it (44 bytes). OP blocks never have any, but the list is decoded. */
export interface Withdrawal {
  index: bigint
  validatorIndex: bigint
  address: Uint8Array
  amount: bigint
}

const MAX_EXTRA_DATA = 32
const MAX_TRANSACTIONS = 1 << 20
const MAX_TX_BYTES = 1 << 30
const MAX_WITHDRAWALS = 16
const WITHDRAWAL_SIZE = 44
// parentHash feeRecipient stateRoot receiptsRoot logsBloom prevRandao number gasLimit gasUsed timestamp
// extraDataOffset baseFee blockHash transactionsOffset
const V1_FIXED = 32 + 20 + 32 + 32 + 256 + 32 + 8 + 8 + 8 + 8 + 4 + 32 + 32 + 4

export function payloadFixedSize(version: PayloadVersion): number {
  switch (version) {
    case 1:
      return V1_FIXED
    case 2:
      return V1_FIXED + 4
    case 3:
      return V1_FIXED + 4 + 16
    case 4:
      return V1_FIXED + 4 + 16 + 32
  }
}

function fail(message: string, meta: Record<string, unknown> = {}): never {
  throw new GossipDecodeError('P2P_SSZ_INVALID', `invalid SSZ execution payload: ${message}`, meta)
}

function checkLength(name: string, b: Uint8Array, len: number): Uint8Array {
  if (b.length !== len) fail(`${name} must be ${len} bytes, got ${b.length}`)
  return b
}

function asWithdrawal(w: unknown, i: number): Withdrawal {
  const o = w as Partial<Withdrawal> | null
  if (
    !o ||
    typeof o.index !== 'bigint' ||
    typeof o.validatorIndex !== 'bigint' ||
    typeof o.amount !== 'bigint' ||
    !(o.address instanceof Uint8Array) ||
    o.address.length !== 20
  ) {
    fail(`withdrawal ${i} is not {index, validatorIndex, address(20), amount}`)
  }
  return o as Withdrawal
}

/** Encodes the payload for the given version; fields the version requires must be present. */
export function encodeExecutionPayload(p: ExecutionPayload, version: PayloadVersion): Uint8Array {
  const fixed = payloadFixedSize(version)
  if (p.extraData.length > MAX_EXTRA_DATA) fail(`extraData longer than ${MAX_EXTRA_DATA} bytes`)
  const withdrawals = version >= 2 ? (p.withdrawals ?? fail('withdrawals required from v2 (Canyon)')) : []
  if (withdrawals.length > MAX_WITHDRAWALS) fail(`more than ${MAX_WITHDRAWALS} withdrawals`)
  const txBytes = p.transactions.reduce((n, t) => n + 4 + t.length, 0)
  const size = fixed + p.extraData.length + txBytes + withdrawals.length * WITHDRAWAL_SIZE
  const out = new Uint8Array(size)
  const view = new DataView(out.buffer)
  let o = 0
  const bytes = (name: string, b: Uint8Array, len: number) => {
    out.set(checkLength(name, b, len), o)
    o += len
  }
  const u64 = (v: bigint) => {
    view.setBigUint64(o, v, true)
    o += 8
  }
  const u32 = (v: number) => {
    view.setUint32(o, v, true)
    o += 4
  }
  bytes('parentHash', p.parentHash, 32)
  bytes('feeRecipient', p.feeRecipient, 20)
  bytes('stateRoot', p.stateRoot, 32)
  bytes('receiptsRoot', p.receiptsRoot, 32)
  bytes('logsBloom', p.logsBloom, 256)
  bytes('prevRandao', p.prevRandao, 32)
  u64(p.blockNumber)
  u64(p.gasLimit)
  u64(p.gasUsed)
  u64(p.timestamp)
  const extraOffset = fixed
  const txOffset = extraOffset + p.extraData.length
  const wOffset = txOffset + txBytes
  u32(extraOffset)
  // baseFeePerGas: uint256 little-endian
  let fee = p.baseFeePerGas
  for (let i = 0; i < 32; i++) {
    out[o + i] = Number(fee & 0xffn)
    fee >>= 8n
  }
  o += 32
  bytes('blockHash', p.blockHash, 32)
  u32(txOffset)
  if (version >= 2) u32(wOffset)
  if (version >= 3) {
    u64(p.blobGasUsed ?? fail('blobGasUsed required from v3 (Ecotone)'))
    u64(p.excessBlobGas ?? fail('excessBlobGas required from v3 (Ecotone)'))
  }
  if (version >= 4) bytes('withdrawalsRoot', p.withdrawalsRoot ?? fail('withdrawalsRoot required in v4'), 32)
  out.set(p.extraData, o)
  o += p.extraData.length
  // transactions: a u32 offset per tx (relative to the list start), then the tx bytes
  let rel = p.transactions.length * 4
  for (const tx of p.transactions) {
    u32(rel)
    rel += tx.length
  }
  for (const tx of p.transactions) {
    out.set(tx, o)
    o += tx.length
  }
  withdrawals.forEach((raw, i) => {
    const w = asWithdrawal(raw, i)
    u64(w.index)
    u64(w.validatorIndex)
    bytes('withdrawal address', w.address, 20)
    u64(w.amount)
  })
  return out
}

function decodeTransactions(b: Uint8Array): Uint8Array[] {
  if (b.length === 0) return []
  if (b.length < 4) fail('transactions list shorter than one offset')
  const view = new DataView(b.buffer, b.byteOffset, b.length)
  const first = view.getUint32(0, true)
  if (first % 4 !== 0 || first === 0 || first > b.length) fail('bad first transaction offset', { offset: first })
  const count = first / 4
  if (count > MAX_TRANSACTIONS) fail(`more than ${MAX_TRANSACTIONS} transactions`)
  const txs: Uint8Array[] = new Array(count)
  for (let i = 0; i < count; i++) {
    const start = view.getUint32(i * 4, true)
    const end = i + 1 < count ? view.getUint32((i + 1) * 4, true) : b.length
    if (start < first || end < start || end > b.length) fail('transaction offsets out of order', { tx: i })
    if (end - start > MAX_TX_BYTES) fail('transaction too large', { tx: i })
    txs[i] = b.slice(start, end)
  }
  return txs
}

function decodeWithdrawals(b: Uint8Array): Withdrawal[] {
  if (b.length % WITHDRAWAL_SIZE !== 0) fail('withdrawals section is not a multiple of 44 bytes')
  const count = b.length / WITHDRAWAL_SIZE
  if (count > MAX_WITHDRAWALS) fail(`more than ${MAX_WITHDRAWALS} withdrawals`)
  const view = new DataView(b.buffer, b.byteOffset, b.length)
  const out: Withdrawal[] = []
  for (let i = 0; i < count; i++) {
    const o = i * WITHDRAWAL_SIZE
    out.push({
      index: view.getBigUint64(o, true),
      validatorIndex: view.getBigUint64(o + 8, true),
      address: b.slice(o + 16, o + 36),
      amount: view.getBigUint64(o + 36, true),
    })
  }
  return out
}

/** Decodes an SSZ payload of the given version; throws GossipDecodeError on any malformed offset or length. */
export function decodeExecutionPayload(b: Uint8Array, version: PayloadVersion): ExecutionPayload {
  const fixed = payloadFixedSize(version)
  if (b.length < fixed) fail(`shorter than the ${fixed}-byte fixed part`, { length: b.length })
  const view = new DataView(b.buffer, b.byteOffset, b.length)
  let o = 0
  const take = (n: number) => {
    const s = b.slice(o, o + n)
    o += n
    return s
  }
  const u64 = () => {
    const v = view.getBigUint64(o, true)
    o += 8
    return v
  }
  const u32 = () => {
    const v = view.getUint32(o, true)
    o += 4
    return v
  }
  const parentHash = take(32)
  const feeRecipient = take(20)
  const stateRoot = take(32)
  const receiptsRoot = take(32)
  const logsBloom = take(256)
  const prevRandao = take(32)
  const blockNumber = u64()
  const gasLimit = u64()
  const gasUsed = u64()
  const timestamp = u64()
  const extraOffset = u32()
  let baseFeePerGas = 0n
  for (let i = 31; i >= 0; i--) baseFeePerGas = (baseFeePerGas << 8n) | BigInt(b[o + i] as number)
  o += 32
  const blockHash = take(32)
  const txOffset = u32()
  const wOffset = version >= 2 ? u32() : b.length
  const blobGasUsed = version >= 3 ? u64() : undefined
  const excessBlobGas = version >= 3 ? u64() : undefined
  const withdrawalsRoot = version >= 4 ? take(32) : undefined
  if (extraOffset !== fixed) fail('extraData offset does not follow the fixed part', { offset: extraOffset })
  if (txOffset < extraOffset || txOffset > b.length) fail('bad transactions offset', { offset: txOffset })
  if (txOffset - extraOffset > MAX_EXTRA_DATA) fail(`extraData longer than ${MAX_EXTRA_DATA} bytes`)
  if (wOffset < txOffset || wOffset > b.length) fail('bad withdrawals offset', { offset: wOffset })
  const payload: ExecutionPayload = {
    parentHash,
    feeRecipient,
    stateRoot,
    receiptsRoot,
    logsBloom,
    prevRandao,
    blockNumber,
    gasLimit,
    gasUsed,
    timestamp,
    extraData: b.slice(extraOffset, txOffset),
    baseFeePerGas,
    blockHash,
    transactions: decodeTransactions(b.subarray(txOffset, wOffset)),
  }
  if (version >= 2) payload.withdrawals = decodeWithdrawals(b.subarray(wOffset))
  if (blobGasUsed !== undefined) payload.blobGasUsed = blobGasUsed
  if (excessBlobGas !== undefined) payload.excessBlobGas = excessBlobGas
  if (withdrawalsRoot) payload.withdrawalsRoot = withdrawalsRoot
  return payload
}
