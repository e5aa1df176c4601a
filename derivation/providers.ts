import type { Address, Hash, L1BlockRef } from '../config/types.ts'
import type { DepositReceiptLike } from './protocol/depositLog.ts'

// The data sources the derivation pipeline consumes, declared here by the consumer (architecture §2.3) and
// implemented at the edges (RPC/beacon/DA clients in `node`, in-memory fakes in tests). Contract for every method:
// anything thrown is already a PipelineError with the right kind — a block that is not (or no longer) there is a
// `reset`, a transient transport failure is `temporary` — never a raw fetch/viem/ethereumjs error.

/** The fields of an L1 transaction the L1 retrieval stage reads. */
export interface L1Transaction {
  /** EIP-2718 type: 0 legacy, 1 access list, 2 dynamic fee, 3 blob, 4 set code, ... */
  type: number
  /** `null` for contract creation. */
  to: Address | null
  /** Sender, already recovered by the provider with the L1 chain's signer. */
  from: Address
  /** Calldata. */
  data: Uint8Array
  /** Type-3 only; empty for every other type. */
  blobVersionedHashes: readonly Hash[]
}

/** An L1 receipt: status and logs, in the shape the deposit codec reads. */
export type L1Receipt = DepositReceiptLike

export interface L1Source {
  l1BlockRefByNumber(number: number): Promise<L1BlockRef>
  l1BlockRefByHash(hash: Hash): Promise<L1BlockRef>
  receiptsByHash(blockHash: Hash): Promise<readonly L1Receipt[]>
  /** The block's ref and its transactions in block order. */
  blockInfoAndTxsByHash(blockHash: Hash): Promise<{ info: L1BlockRef; txs: readonly L1Transaction[] }>
}

/** A blob versioned hash and the blob's index in the block's sidecars (counted over all txs of the block). */
export interface IndexedBlobHash {
  index: number
  hash: Hash
}

export interface BlobSource {
  /**
   * The blobs for `hashes`, in the same order, each 131072 bytes. The implementation checks each blob against its
   * versioned hash (KZG commitment); a blob that is gone (past retention) is a `reset` error.
   */
  getBlobs(l1Ref: L1BlockRef, hashes: readonly IndexedBlobHash[]): Promise<Uint8Array[]>
}

/**
 * Alt-DA input fetcher (spec §8). `commitment` is the data item after its 0x01 version byte. Returns the input the
 * batcher would otherwise have posted (`0x00 ++ frames`), or `null` when the commitment is to be skipped (undecodable,
 * wrong commitment type, expired challenge). Data not yet available is a `temporary` error.
 */
export interface DASource {
  getInput(commitment: Uint8Array, l1Ref: L1BlockRef): Promise<Uint8Array | null>
}

/**
 * The PipelineError code an L1Source uses for a block that does not exist (yet). L1 traversal reads a block past
 * the head as EOF (op-node ethereum.NotFound); everywhere else it is a reset.
 */
export const L1_BLOCK_NOT_FOUND = 'L1_BLOCK_NOT_FOUND'
