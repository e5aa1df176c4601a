import { RLP } from '@ethereumjs/rlp'
import { encodeHeader } from '../engine/header.ts'
import type { Block, Receipt, TxLocation } from '../engine/types.ts'
import type { IndexedLog, RpcTransaction } from './backend.ts'

// geth/op-geth JSON shapes.

export const hex = (b: Uint8Array) => `0x${Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex')}`
export const qty = (n: bigint | number) => `0x${n.toString(16)}`

export function formatBlock(b: Block, txs: RpcTransaction[] | null): Record<string, unknown> {
  const h = b.header
  const size = encodeHeader(h).length + RLP.encode([b.transactions.map((t) => t.raw), []]).length
  const out: Record<string, unknown> = {
    number: qty(h.number),
    hash: hex(b.hash),
    parentHash: hex(h.parentHash),
    sha3Uncles: hex(h.ommersHash),
    miner: hex(h.coinbase),
    stateRoot: hex(h.stateRoot),
    transactionsRoot: hex(h.transactionsRoot),
    receiptsRoot: hex(h.receiptsRoot),
    logsBloom: hex(h.logsBloom),
    difficulty: qty(h.difficulty),
    totalDifficulty: '0x0',
    gasLimit: qty(h.gasLimit),
    gasUsed: qty(h.gasUsed),
    timestamp: qty(h.timestamp),
    extraData: hex(h.extraData),
    mixHash: hex(h.mixHash),
    nonce: hex(h.nonce),
    baseFeePerGas: qty(h.baseFeePerGas),
    size: qty(size),
    uncles: [],
    transactions: txs
      ? txs.map((t, i) => formatTx(t, { blockHash: b.hash, blockNumber: h.number, index: i }))
      : b.transactions.map((t) => hex(t.hash)),
  }
  if (h.withdrawalsRoot) {
    out.withdrawalsRoot = hex(h.withdrawalsRoot)
    out.withdrawals = []
  }
  if (h.blobGasUsed !== undefined) out.blobGasUsed = qty(h.blobGasUsed)
  if (h.excessBlobGas !== undefined) out.excessBlobGas = qty(h.excessBlobGas)
  if (h.parentBeaconBlockRoot) out.parentBeaconBlockRoot = hex(h.parentBeaconBlockRoot)
  if (h.requestsHash) out.requestsHash = hex(h.requestsHash)
  return out
}

export function formatTx(t: RpcTransaction, loc?: TxLocation): Record<string, unknown> {
  const mined = loc && loc.index >= 0
  const out: Record<string, unknown> = {
    type: qty(t.type),
    hash: hex(t.hash),
    from: hex(t.from),
    to: t.to ? hex(t.to) : null,
    nonce: qty(t.nonce),
    gas: qty(t.gas),
    value: qty(t.value),
    input: hex(t.input),
    blockHash: mined ? hex(loc.blockHash) : null,
    blockNumber: mined ? qty(loc.blockNumber) : null,
    transactionIndex: mined ? qty(loc.index) : null,
  }
  if (t.gasPrice !== undefined) out.gasPrice = qty(t.gasPrice)
  if (t.maxFeePerGas !== undefined) out.maxFeePerGas = qty(t.maxFeePerGas)
  if (t.maxPriorityFeePerGas !== undefined) out.maxPriorityFeePerGas = qty(t.maxPriorityFeePerGas)
  if (t.chainId !== undefined) out.chainId = qty(t.chainId)
  if (t.accessList)
    out.accessList = t.accessList.map((a) => ({ address: hex(a.address), storageKeys: a.storageKeys.map(hex) }))
  if (t.v !== undefined) out.v = qty(t.v)
  if (t.r !== undefined) out.r = qty(t.r)
  if (t.s !== undefined) out.s = qty(t.s)
  if (t.yParity !== undefined) out.yParity = qty(t.yParity)
  if (t.sourceHash) {
    out.sourceHash = hex(t.sourceHash)
    out.mint = qty(t.mint ?? 0n)
    out.isSystemTx = t.isSystemTx ?? false
    if (t.depositReceiptVersion !== undefined) out.depositReceiptVersion = qty(t.depositReceiptVersion)
  }
  return out
}

export function formatLog(l: IndexedLog): Record<string, unknown> {
  return {
    address: hex(l.address),
    topics: l.topics.map(hex),
    data: hex(l.data),
    blockNumber: qty(l.blockNumber),
    blockHash: hex(l.blockHash),
    transactionHash: hex(l.transactionHash),
    transactionIndex: qty(l.transactionIndex),
    logIndex: qty(l.logIndex),
    removed: l.removed,
  }
}

/** A receipt as op-geth serves it; `firstLogIndex` is the block-wide index of its first log. */
export function formatReceipt(
  r: Receipt,
  t: RpcTransaction,
  loc: TxLocation,
  firstLogIndex: number,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: qty(r.type),
    status: qty(r.status),
    cumulativeGasUsed: qty(r.cumulativeGasUsed),
    gasUsed: qty(r.gasUsed),
    effectiveGasPrice: qty(r.effectiveGasPrice),
    logsBloom: hex(r.logsBloom),
    logs: r.logs.map((l, i) =>
      formatLog({
        ...l,
        blockNumber: loc.blockNumber,
        blockHash: loc.blockHash,
        transactionHash: t.hash,
        transactionIndex: loc.index,
        logIndex: firstLogIndex + i,
        removed: false,
      }),
    ),
    transactionHash: hex(t.hash),
    transactionIndex: qty(loc.index),
    blockHash: hex(loc.blockHash),
    blockNumber: qty(loc.blockNumber),
    from: hex(t.from),
    to: t.to ? hex(t.to) : null,
    contractAddress: r.contractAddress ? hex(r.contractAddress) : null,
  }
  if (r.depositNonce !== undefined) out.depositNonce = qty(r.depositNonce)
  if (r.depositReceiptVersion !== undefined) out.depositReceiptVersion = qty(r.depositReceiptVersion)
  if (r.l1Fee !== undefined) out.l1Fee = qty(r.l1Fee)
  if (r.l1GasUsed !== undefined) out.l1GasUsed = qty(r.l1GasUsed)
  if (r.l1GasPrice !== undefined) out.l1GasPrice = qty(r.l1GasPrice)
  if (r.l1BlobBaseFee !== undefined) out.l1BlobBaseFee = qty(r.l1BlobBaseFee)
  if (r.l1BaseFeeScalar !== undefined) out.l1BaseFeeScalar = qty(r.l1BaseFeeScalar)
  if (r.l1BlobBaseFeeScalar !== undefined) out.l1BlobBaseFeeScalar = qty(r.l1BlobBaseFeeScalar)
  return out
}
