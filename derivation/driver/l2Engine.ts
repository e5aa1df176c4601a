import type { ExecutionPayloadEnvelope } from '../../config/executionPayload.ts'
import type { BlockID, Hash, L2BlockRef } from '../../config/types.ts'
import type { PayloadAttributes } from '../attributes/attributesBuilder.ts'
import type { L2ChainSource } from '../l2Source.ts'
import type { SystemConfig } from '../protocol/systemConfig.ts'

// What the derivation driver needs from the L2 execution engine (op-node's EngineController + L2Source), declared
// here by the consumer (architecture §2.3) and implemented over the embedded engine in node/derivation. Errors: an
// engine failure is thrown as-is and treated by the driver as temporary; an invalid block is a result, not an error.

export interface L2Heads {
  unsafe: L2BlockRef
  safe: L2BlockRef
  finalized: L2BlockRef
}

/** The fields of an existing L2 block that consolidation compares with derived attributes (op-node AttributesMatchBlock). */
export interface L2BlockForMatch {
  ref: L2BlockRef
  prevRandao: Uint8Array
  feeRecipient: Uint8Array
  gasLimit: bigint
  /** Raw EIP-2718 transactions in block order, deposits included. */
  transactions: readonly Uint8Array[]
  /** True when the header carries a withdrawals root (Canyon: the block has an empty withdrawals list). */
  hasWithdrawals: boolean
  parentBeaconBlockRoot: Uint8Array | undefined
  /** Holocene: the EIP-1559 params in extraData; undefined before Holocene. */
  eip1559Params?: Uint8Array | undefined
}

export type InsertResult = { kind: 'valid'; ref: L2BlockRef } | { kind: 'invalid'; reason: string }

export type UnsafeInsertResult = 'valid' | 'invalid' | 'syncing'

export interface L2Engine extends L2ChainSource {
  heads(): L2Heads
  l2BlockRefByHash(hash: Hash): Promise<L2BlockRef>
  /** The canonical block at `n` for consolidation; null when there is none. */
  blockForMatch(n: number): Promise<L2BlockForMatch | null>
  /**
   * Builds a block from `attrs` on the current safe head and makes it the new unsafe and safe head; any unsafe
   * blocks after the safe head leave the canonical chain. Attributes that do not execute give `invalid`.
   */
  insertSafe(attrs: PayloadAttributes): Promise<InsertResult>
  /** Marks an existing canonical block (the safe head's child) as safe, without re-executing it. */
  promoteSafe(ref: L2BlockRef): Promise<void>
  /** Imports a gossiped payload on top of the unsafe head and makes it the unsafe head if it is valid. */
  insertUnsafe(envelope: ExecutionPayloadEnvelope): Promise<UnsafeInsertResult>
  /** Sets all three heads (engine reset): the unsafe head may move back. */
  forkchoice(heads: { unsafe: Hash; safe: Hash; finalized: Hash }): Promise<void>
  /**
   * Moves only the safe and finalized heads, keeping whatever the unsafe head is when it runs (finality; a
   * sequencer may have built blocks since the driver read the heads).
   */
  updateSafety(heads: { safe: Hash; finalized: Hash }): Promise<void>
  /** The SystemConfig the block was built with: batcher and fee scalars from its L1-info deposit, gas limit from its header. */
  systemConfigByL2Hash(hash: Hash): Promise<SystemConfig>
}

/** Told the safe head after each L1 block is fully derived (op-node SafeHeadListener, behind optimism_safeHeadAtL1Block). */
export interface SafeHeadListener {
  safeHeadUpdated(l1: BlockID, safe: BlockID): Promise<void>
  /** The safe head was reset to `safe`: records for later L2 blocks are no longer true. */
  safeHeadReset(safe: BlockID): Promise<void>
}
