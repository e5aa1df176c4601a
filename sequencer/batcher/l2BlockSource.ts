import { bytesToHex, hexToBytes } from '../../config/bytes.ts'
import type { BlockID, Hash } from '../../config/types.ts'
import { DEPOSIT_TX_TYPE, decodeDepositTx } from '../../derivation/protocol/depositTx.ts'
import { decodeL1Info } from '../../derivation/protocol/l1Info.ts'
import type { SingularBatch } from '../../derivation/protocol/singularBatch.ts'
import { BatcherError } from './errors.ts'

// What the batcher reads from the L2 chain (declared here, implemented by node/): blocks by number with their raw
// transactions (deposits included, the L1-info deposit first), and the safe and unsafe heads.

export interface L2BlockForBatch {
  number: number
  hash: Hash
  parentHash: Hash
  timestamp: number
  l1origin: BlockID
  /** EIP-2718 encoded transactions in block order, deposits (0x7E) included. */
  transactions: readonly Uint8Array[]
}

export interface L2Heads {
  safe: BlockID
  unsafe: BlockID
}

export interface L2BlockSource {
  /** The canonical block at `n`, or undefined when there is none (yet). */
  blockByNumber(n: number): Promise<L2BlockForBatch | undefined>
  heads(): Promise<L2Heads>
}

/** The block as a singular batch: deposits are derived from L1 again, so they are left out (op-node BlockToSingularBatch). */
export function blockToSingularBatch(block: L2BlockForBatch): SingularBatch {
  return {
    parentHash: hexToBytes(block.parentHash),
    epochNum: BigInt(block.l1origin.number),
    epochHash: hexToBytes(block.l1origin.hash),
    timestamp: BigInt(block.timestamp),
    transactions: block.transactions.filter((tx) => tx[0] !== DEPOSIT_TX_TYPE) as Uint8Array[],
  }
}

/** The block's sequence number within its epoch, read from its L1-info deposit (the first transaction). */
export function blockSequenceNumber(block: L2BlockForBatch): bigint {
  return l1InfoOf(block).sequenceNumber
}

/**
 * An L2BlockForBatch from a block's header fields and raw transactions; the L1 origin is read from its L1-info
 * deposit (engine blocks do not carry it in the header).
 */
export function l2BlockForBatch(b: Omit<L2BlockForBatch, 'l1origin'>): L2BlockForBatch {
  const info = l1InfoOf(b)
  return { ...b, l1origin: { number: Number(info.number), hash: bytesToHex(info.blockHash) } }
}

function l1InfoOf(block: Omit<L2BlockForBatch, 'l1origin'>) {
  const first = block.transactions[0]
  if (!first || first[0] !== DEPOSIT_TX_TYPE) {
    throw new BatcherError('BATCHER_NO_L1_INFO', 'L2 block does not start with the L1-info deposit', {
      l2: { number: block.number, hash: block.hash },
    })
  }
  return decodeL1Info(decodeDepositTx(first).data)
}
