import type { Hex } from '../../config/types.ts'
import { encodeHeader } from '../engine/header.ts'
import type { Block, Receipt, TxLocation } from '../engine/types.ts'
import type { AccountProof, IndexedLog, RpcTransaction } from './backend.ts'
import { RpcError, RpcErrorCode } from './jsonrpc.ts'

// Output formatting: the JSON geth/op-geth serves (internal/ethapi RPCMarshalBlock, RPCTransaction,
// marshalReceipt, types.Log). Quantities are minimal hex, data is 0x-prefixed hex.

export const DEPOSIT_TX_TYPE = 0x7e

export function toHex(b: Uint8Array): Hex {
  return `0x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')}`
}

export function toQuantity(n: bigint | number): Hex {
  return `0x${n.toString(16)}`
}

function optQuantity(n: bigint | undefined): Hex | null {
  return n === undefined ? null : toQuantity(n)
}

function rlpLength(payload: number): number {
  if (payload < 56) return 1 + payload
  let lenBytes = 0
  for (let n = payload; n > 0; n = Math.floor(n / 256)) lenBytes++
  return 1 + lenBytes + payload
}

/** Size in bytes of the RLP-encoded block (header, transactions, uncles, withdrawals), like geth's block.Size(). */
export function blockSize(block: Block): number {
  let txs = 0
  for (const t of block.transactions) {
    const raw = t.raw
    // Legacy txs are embedded as RLP lists; typed txs as byte strings holding the EIP-2718 envelope.
    if (raw.length > 0 && (raw[0] as number) >= 0xc0) txs += raw.length
    else txs += raw.length === 1 && (raw[0] as number) < 0x80 ? 1 : rlpLength(raw.length)
  }
  let payload = encodeHeader(block.header).length + rlpLength(txs) + 1 // uncles: empty list
  if (block.header.withdrawalsRoot !== undefined) payload += 1 // withdrawals: empty list
  return rlpLength(payload)
}

/** Header fields plus hash (also the eth_subscribe newHeads payload). */
export function formatHeader(block: Block): Record<string, unknown> {
  const h = block.header
  const out: Record<string, unknown> = {
    number: toQuantity(h.number),
    hash: toHex(block.hash),
    parentHash: toHex(h.parentHash),
    nonce: toHex(h.nonce),
    mixHash: toHex(h.mixHash),
    sha3Uncles: toHex(h.ommersHash),
    logsBloom: toHex(h.logsBloom),
    stateRoot: toHex(h.stateRoot),
    miner: toHex(h.coinbase),
    difficulty: toQuantity(h.difficulty),
    extraData: toHex(h.extraData),
    gasLimit: toQuantity(h.gasLimit),
    gasUsed: toQuantity(h.gasUsed),
    timestamp: toQuantity(h.timestamp),
    transactionsRoot: toHex(h.transactionsRoot),
    receiptsRoot: toHex(h.receiptsRoot),
    baseFeePerGas: toQuantity(h.baseFeePerGas),
  }
  if (h.withdrawalsRoot !== undefined) out.withdrawalsRoot = toHex(h.withdrawalsRoot)
  if (h.blobGasUsed !== undefined) out.blobGasUsed = toQuantity(h.blobGasUsed)
  if (h.excessBlobGas !== undefined) out.excessBlobGas = toQuantity(h.excessBlobGas)
  if (h.parentBeaconBlockRoot !== undefined) out.parentBeaconBlockRoot = toHex(h.parentBeaconBlockRoot)
  if (h.requestsHash !== undefined) out.requestsHash = toHex(h.requestsHash)
  return out
}

/** A block; `txs` given = full transaction objects, else transaction hashes. */
export function formatBlock(block: Block, txs?: RpcTransaction[]): Record<string, unknown> {
  const out = formatHeader(block)
  out.size = toQuantity(blockSize(block))
  out.totalDifficulty = '0x0'
  out.uncles = []
  if (txs) {
    const loc = (index: number): TxLocation => ({ blockHash: block.hash, blockNumber: block.header.number, index })
    out.transactions = txs.map((tx, i) => formatTransaction(tx, loc(i), block.header.baseFeePerGas))
  } else {
    out.transactions = block.transactions.map((t) => toHex(t.hash))
  }
  if (block.header.withdrawalsRoot !== undefined) out.withdrawals = []
  return out
}

/** True when a location from the backend is a real block position (pool txs come with blockNumber -1). */
export function isMined(loc: TxLocation | undefined): loc is TxLocation {
  return loc !== undefined && loc.blockNumber >= 0n && loc.index >= 0 && loc.blockHash.length === 32
}

function formatAccessList(al: RpcTransaction['accessList']) {
  return (al ?? []).map((e) => ({ address: toHex(e.address), storageKeys: e.storageKeys.map(toHex) }))
}

/** A transaction as op-geth's RPCTransaction; `loc` absent (or not mined) = pending, block fields null. */
export function formatTransaction(tx: RpcTransaction, loc?: TxLocation, baseFee?: bigint): Record<string, unknown> {
  const mined = isMined(loc)
  const out: Record<string, unknown> = {
    blockHash: mined ? toHex(loc.blockHash) : null,
    blockNumber: mined ? toQuantity(loc.blockNumber) : null,
    from: toHex(tx.from),
    gas: toQuantity(tx.gas),
    gasPrice: toQuantity(tx.gasPrice ?? 0n),
    hash: toHex(tx.hash),
    input: toHex(tx.input),
    nonce: toQuantity(tx.nonce),
    to: tx.to ? toHex(tx.to) : null,
    transactionIndex: mined ? toQuantity(loc.index) : null,
    value: toQuantity(tx.value),
    type: toQuantity(tx.type),
    v: toQuantity(tx.v ?? 0n),
    r: toQuantity(tx.r ?? 0n),
    s: toQuantity(tx.s ?? 0n),
  }
  switch (tx.type) {
    case DEPOSIT_TX_TYPE:
      out.sourceHash = toHex(tx.sourceHash ?? new Uint8Array(32))
      out.mint = toQuantity(tx.mint ?? 0n)
      // op-geth only includes isSystemTx when true.
      if (tx.isSystemTx) out.isSystemTx = true
      if (tx.depositReceiptVersion !== undefined) out.depositReceiptVersion = toQuantity(tx.depositReceiptVersion)
      break
    case 0:
      if (tx.chainId !== undefined && tx.chainId !== 0n) out.chainId = toQuantity(tx.chainId)
      break
    default: {
      out.accessList = formatAccessList(tx.accessList)
      if (tx.chainId !== undefined) out.chainId = toQuantity(tx.chainId)
      out.yParity = toQuantity(tx.yParity ?? tx.v ?? 0n)
      if (tx.maxFeePerGas !== undefined) {
        out.maxFeePerGas = toQuantity(tx.maxFeePerGas)
        const tip = tx.maxPriorityFeePerGas ?? 0n
        out.maxPriorityFeePerGas = toQuantity(tip)
        if (tx.gasPrice === undefined) {
          // Effective price once mined (min(tip + baseFee, feeCap)), else the fee cap.
          const eff = mined && baseFee !== undefined ? baseFee + tip : tx.maxFeePerGas
          out.gasPrice = toQuantity(eff < tx.maxFeePerGas ? eff : tx.maxFeePerGas)
        }
      }
    }
  }
  return out
}

export function formatLog(l: IndexedLog): Record<string, unknown> {
  return {
    address: toHex(l.address),
    topics: l.topics.map(toHex),
    data: toHex(l.data),
    blockNumber: toQuantity(l.blockNumber),
    transactionHash: toHex(l.transactionHash),
    transactionIndex: toQuantity(l.transactionIndex),
    blockHash: toHex(l.blockHash),
    logIndex: toQuantity(l.logIndex),
    removed: l.removed,
  }
}

/** The logs of one block with their block-wide indexes. */
export function blockLogs(block: Block, receipts: Receipt[]): IndexedLog[] {
  const out: IndexedLog[] = []
  let logIndex = 0
  receipts.forEach((r, i) => {
    const txHash = block.transactions[i]?.hash ?? new Uint8Array(32)
    for (const l of r.logs) {
      out.push({
        address: l.address,
        topics: l.topics,
        data: l.data,
        blockNumber: block.header.number,
        blockHash: block.hash,
        transactionHash: txHash,
        transactionIndex: i,
        logIndex: logIndex++,
        removed: false,
      })
    }
  })
  return out
}

/** A receipt as op-geth's marshalReceipt; `firstLogIndex` = number of logs in earlier receipts of the block. */
export function formatReceipt(
  receipt: Receipt,
  tx: RpcTransaction,
  loc: TxLocation,
  firstLogIndex: number,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    blockHash: toHex(loc.blockHash),
    blockNumber: toQuantity(loc.blockNumber),
    transactionHash: toHex(tx.hash),
    transactionIndex: toQuantity(loc.index),
    from: toHex(tx.from),
    to: tx.to ? toHex(tx.to) : null,
    gasUsed: toQuantity(receipt.gasUsed),
    cumulativeGasUsed: toQuantity(receipt.cumulativeGasUsed),
    contractAddress: receipt.contractAddress ? toHex(receipt.contractAddress) : null,
    logs: receipt.logs.map((l, i) =>
      formatLog({
        ...l,
        blockNumber: loc.blockNumber,
        blockHash: loc.blockHash,
        transactionHash: tx.hash,
        transactionIndex: loc.index,
        logIndex: firstLogIndex + i,
        removed: false,
      }),
    ),
    logsBloom: toHex(receipt.logsBloom),
    type: toQuantity(receipt.type),
    effectiveGasPrice: toQuantity(receipt.effectiveGasPrice),
    status: toQuantity(receipt.status),
  }
  if (receipt.type !== DEPOSIT_TX_TYPE) {
    out.l1GasPrice = optQuantity(receipt.l1GasPrice)
    out.l1GasUsed = optQuantity(receipt.l1GasUsed)
    out.l1Fee = optQuantity(receipt.l1Fee)
    if (receipt.l1FeeScalar !== undefined) out.l1FeeScalar = receipt.l1FeeScalar
    if (receipt.l1BlobBaseFee !== undefined) out.l1BlobBaseFee = toQuantity(receipt.l1BlobBaseFee)
    if (receipt.l1BaseFeeScalar !== undefined) out.l1BaseFeeScalar = toQuantity(receipt.l1BaseFeeScalar)
    if (receipt.l1BlobBaseFeeScalar !== undefined) out.l1BlobBaseFeeScalar = toQuantity(receipt.l1BlobBaseFeeScalar)
  } else if (receipt.depositNonce !== undefined) {
    out.depositNonce = toQuantity(receipt.depositNonce)
    if (receipt.depositReceiptVersion !== undefined) {
      out.depositReceiptVersion = toQuantity(receipt.depositReceiptVersion)
    }
  }
  return out
}

/** All receipts of a block (eth_getBlockReceipts); receipts and txs are in block order. */
export function formatBlockReceipts(
  block: Block,
  receipts: Receipt[],
  txs: RpcTransaction[],
): Record<string, unknown>[] {
  let logIndex = 0
  return receipts.map((r, i) => {
    const tx = txs[i]
    if (!tx) throw new Error(`block ${block.header.number}: receipt ${i} has no transaction`)
    const out = formatReceipt(r, tx, { blockHash: block.hash, blockNumber: block.header.number, index: i }, logIndex)
    logIndex += r.logs.length
    return out
  })
}

export function formatProof(p: AccountProof, keys: readonly string[]): Record<string, unknown> {
  return {
    address: toHex(p.address),
    accountProof: p.accountProof.map(toHex),
    balance: toQuantity(p.balance),
    codeHash: toHex(p.codeHash),
    nonce: toQuantity(p.nonce),
    storageHash: toHex(p.storageHash),
    // geth echoes each key as the caller wrote it.
    storageProof: p.storageProof.map((s, i) => ({
      key: keys[i] ?? toHex(s.key),
      value: toQuantity(s.value),
      proof: s.proof.map(toHex),
    })),
  }
}

// Revert data decoding (geth abi.UnpackRevert): Error(string) and Panic(uint256).
const ERROR_SELECTOR = '08c379a0'
const PANIC_SELECTOR = '4e487b71'
const PANIC_REASONS: Record<string, string> = {
  '0': 'generic panic',
  '1': 'assert(false)',
  '17': 'arithmetic underflow or overflow',
  '18': 'division or modulo by zero',
  '33': 'enum overflow',
  '34': 'invalid encoded storage byte array accessed',
  '49': 'out-of-bounds array access; popping on an empty array',
  '50': 'out-of-bounds access of an array or bytesN',
  '65': 'out of memory',
  '81': 'uninitialized function',
}

function word(b: Uint8Array, at: number): bigint | undefined {
  if (at + 32 > b.length) return undefined
  return BigInt(toHex(b.subarray(at, at + 32)))
}

/** The revert reason carried by revert data, if it is a standard Error(string) or Panic(uint256). */
export function decodeRevertReason(ret: Uint8Array): string | undefined {
  if (ret.length < 4) return undefined
  const selector = Buffer.from(ret.subarray(0, 4)).toString('hex')
  const body = ret.subarray(4)
  if (selector === PANIC_SELECTOR) {
    const code = word(body, 0)
    if (code === undefined) return undefined
    return PANIC_REASONS[code.toString()] ?? `unknown panic code: ${toQuantity(code)}`
  }
  if (selector !== ERROR_SELECTOR) return undefined
  const offset = word(body, 0)
  if (offset === undefined || offset > BigInt(body.length)) return undefined
  const len = word(body, Number(offset))
  if (len === undefined) return undefined
  const start = Number(offset) + 32
  if (BigInt(start) + len > BigInt(body.length)) return undefined
  return Buffer.from(body.subarray(start, start + Number(len))).toString('utf8')
}

/** The code-3 error geth returns for a reverted eth_call / eth_estimateGas. */
export function revertError(ret: Uint8Array): RpcError {
  const reason = decodeRevertReason(ret)
  return new RpcError(
    RpcErrorCode.ExecutionReverted,
    reason === undefined ? 'execution reverted' : `execution reverted: ${reason}`,
    toHex(ret),
  )
}
