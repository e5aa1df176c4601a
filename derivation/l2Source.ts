import type { Hash, L2BlockRef } from '../config/types.ts'
import type { SystemConfig } from './protocol/systemConfig.ts'

// The view of the L2 chain the batch queue needs (op-node SafeBlockFetcher): block refs by number, and the
// non-deposit transactions of a block, to check span batches that overlap the safe chain (spec §4.8 step 13).

export interface L2ChainSource {
  /** The L2 block ref at `n`; rejects when the block is unknown or cannot be fetched. */
  l2BlockRefByNumber(n: number): Promise<L2BlockRef>
  /** The block's EIP-2718 transactions, in block order, without its leading deposit (0x7E) transactions. */
  nonDepositTransactionsByNumber(n: number): Promise<Uint8Array[]>
  /**
   * The SystemConfig the block was built with, recovered from the block (op-node SystemConfigByL2Hash). Optional:
   * without it the attributes queue tracks the configs of the blocks it produced since the last reset.
   */
  systemConfigByL2Hash?(hash: Hash): Promise<SystemConfig>
}
