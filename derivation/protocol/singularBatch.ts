import { BatchError, RlpError } from './batchErrors.ts'
import {
  RlpListCursor,
  readRlpList,
  rlpBytes,
  rlpBytesLength,
  rlpFixedBytes,
  rlpHeaderLength,
  rlpUint64,
  rlpUintLength,
  writeRlpBytes,
  writeRlpHeader,
  writeRlpUint,
} from './rlp.ts'

// Singular batch (v0, spec §4.6):
//   batch = 0x00 ++ rlp([parent_hash, epoch_number, epoch_hash, timestamp, transaction_list])
// This module handles the RLP content after the version byte; batch.ts adds/strips the version byte.

export const SINGULAR_BATCH_TYPE = 0

export interface SingularBatch {
  /** 32-byte parent L2 block hash. */
  parentHash: Uint8Array
  /** L1 origin number (u64). */
  epochNum: bigint
  /** 32-byte L1 origin hash. */
  epochHash: Uint8Array
  /** L2 block timestamp (u64). */
  timestamp: bigint
  /** EIP-2718 encoded transactions (legacy = its RLP). */
  transactions: Uint8Array[]
}

/**
 * Decode the content of a singular batch (the bytes after the version byte). Like op-node's rlp.Decode, it
 * reads one RLP list and ignores any bytes after it. Field values are views into `content`.
 * Throws BatchError('singular-rlp') with the RlpError as cause.
 */
export function decodeSingularBatch(content: Uint8Array): SingularBatch {
  try {
    const list = readRlpList(content, 0, content.length)
    const c = new RlpListCursor(content, list)
    const parentHash = rlpFixedBytes(content, c.next(), 32)
    const epochNum = rlpUint64(content, c.next())
    const epochHash = rlpFixedBytes(content, c.next(), 32)
    const timestamp = rlpUint64(content, c.next())
    const txsItem = c.next()
    if (!txsItem.isList) throw new RlpError('expected-list', txsItem.start, 'transaction_list')
    const txc = new RlpListCursor(content, txsItem)
    c.finish()
    const transactions: Uint8Array[] = []
    while (txc.hasNext()) transactions.push(rlpBytes(content, txc.next()))
    return { parentHash, epochNum, epochHash, timestamp, transactions }
  } catch (e) {
    if (e instanceof RlpError) throw new BatchError('singular-rlp', e.message, e)
    throw e
  }
}

/** Encode a singular batch's RLP list (without the version byte). */
export function encodeSingularBatch(b: SingularBatch): Uint8Array {
  if (b.parentHash.length !== 32 || b.epochHash.length !== 32) throw new RangeError('hashes must be 32 bytes')
  let txPayload = 0
  for (const tx of b.transactions) txPayload += rlpBytesLength(tx)
  const payload =
    33 + rlpUintLength(b.epochNum) + 33 + rlpUintLength(b.timestamp) + rlpHeaderLength(txPayload) + txPayload
  const out = new Uint8Array(rlpHeaderLength(payload) + payload)
  let pos = writeRlpHeader(out, 0, payload, true)
  pos = writeRlpBytes(out, pos, b.parentHash)
  pos = writeRlpUint(out, pos, b.epochNum)
  pos = writeRlpBytes(out, pos, b.epochHash)
  pos = writeRlpUint(out, pos, b.timestamp)
  pos = writeRlpHeader(out, pos, txPayload, true)
  for (const tx of b.transactions) pos = writeRlpBytes(out, pos, tx)
  return out
}
