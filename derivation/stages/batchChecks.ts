import { bytesToHex } from '../../config/bytes.ts'
import type { RollupConfig } from '../../config/rollupConfig.ts'
import type { Hex, L1BlockRef, L2BlockRef } from '../../config/types.ts'
import type { L2ChainSource } from '../l2Source.ts'
import { type DerivationConfig, derivationConfigFromRollup, forkActive, isDelta, isFjord } from '../params.ts'
import { DEPOSIT_TX_TYPE } from '../protocol/depositTx.ts'
import type { SingularBatch } from '../protocol/singularBatch.ts'
import type { SpanBatch } from '../protocol/spanBatch.ts'

// Batch validity (spec §4.8, op-node batches.go, pre-Holocene). Each check runs in the spec's exact order and
// returns the first decision it reaches: 'future' (keep for later), 'undecided' (keep, need more L1 data or an L2
// fetch failed), 'drop' (with the reason, logged at debug by the batch queue) or 'accept'.
//
// Fork rules (spec §0): max_sequencer_drift is 1800 from Fjord, keyed on the L1 origin time of the batch or block
// checked; span batches need Delta active at the span's start origin time.

export interface BatchQueueConfig extends DerivationConfig {
  /** seq_window_size, in L1 blocks. */
  seqWindowSize: number
  /** max_sequencer_drift before Fjord, seconds. */
  maxSequencerDrift: number
  /** genesis.l2_time. */
  genesisL2Time: number
  l2ChainId: bigint | number
  isthmusTime?: number | undefined
}

export function batchQueueConfigFromRollup(cfg: RollupConfig): BatchQueueConfig {
  return {
    ...derivationConfigFromRollup(cfg),
    seqWindowSize: cfg.seq_window_size,
    maxSequencerDrift: cfg.max_sequencer_drift,
    genesisL2Time: cfg.genesis.l2_time,
    l2ChainId: cfg.l2_chain_id,
    isthmusTime: cfg.isthmus_time,
  }
}

/** max_sequencer_drift from Fjord (spec §0). */
export const MAX_SEQUENCER_DRIFT_FJORD = 1800

/** MSD at the L1 origin time `l1OriginTime`: the config value before Fjord, 1800 from Fjord. */
export function maxSequencerDrift(c: BatchQueueConfig, l1OriginTime: number): number {
  return isFjord(c, l1OriginTime) ? MAX_SEQUENCER_DRIFT_FJORD : c.maxSequencerDrift
}

export const isIsthmus = (c: BatchQueueConfig, t: number) => forkActive(c.isthmusTime, t)

export type BatchValidity = 'drop' | 'accept' | 'undecided' | 'future'

export type BatchCheck =
  | { validity: 'drop'; reason: string }
  | { validity: 'accept' | 'future' | 'undecided'; reason?: string }

const ACCEPT: BatchCheck = { validity: 'accept' }
const drop = (reason: string): BatchCheck => ({ validity: 'drop', reason })
const undecided = (reason: string): BatchCheck => ({ validity: 'undecided', reason })
const future = (reason: string): BatchCheck => ({ validity: 'future', reason })

function sameHash(a: Uint8Array, b: Hex): boolean {
  return bytesToHex(a) === b.toLowerCase()
}

/** A 20-byte check (parent_check / l1_origin_check) against the first 20 bytes of a hash. */
export function hashPrefixMatches(check: Uint8Array, hash: Hex): boolean {
  return check.length === 20 && bytesToHex(check) === hash.slice(0, 42).toLowerCase()
}

/** Transaction rules (spec §4.8 step 10, op-node 2024-10): an empty tx or a deposit (0x7E) tx drops the batch. */
function checkTransactions(txs: readonly Uint8Array[], where: string): BatchCheck | null {
  for (let i = 0; i < txs.length; i++) {
    const tx = txs[i]!
    if (tx.length === 0) return drop(`${where}transaction ${i} is empty`)
    if (tx[0] === DEPOSIT_TX_TYPE) return drop(`${where}transaction ${i} is a deposit transaction`)
  }
  return null
}

/**
 * Singular batch validity (spec §4.8, steps 1-11). `l1Blocks[0]` is the safe head's epoch, `l1Blocks[1]` the next
 * epoch if known; `inclusion` is the L1 block the batch was read in.
 */
export function checkSingularBatch(
  cfg: BatchQueueConfig,
  l1Blocks: readonly L1BlockRef[],
  safe: L2BlockRef,
  batch: SingularBatch,
  inclusion: L1BlockRef,
): BatchCheck {
  const epoch = l1Blocks[0]
  if (epoch === undefined) return undecided('no L1 origin buffered')
  const nextEpoch = l1Blocks[1]
  const nextTimestamp = BigInt(safe.timestamp + cfg.blockTime)
  const ts = batch.timestamp
  // 1-2. Timestamp.
  if (ts > nextTimestamp) return future('batch timestamp is after the next L2 timestamp')
  if (ts < nextTimestamp) return drop('batch timestamp is older than the next L2 timestamp')
  // 3. Parent.
  if (!sameHash(batch.parentHash, safe.hash)) return drop('batch parent hash does not match the safe head')
  // 4. Sequencing window.
  if (batch.epochNum + BigInt(cfg.seqWindowSize) < BigInt(inclusion.number)) {
    return drop('batch was included too late, sequence window expired')
  }
  // 5-6. Epoch.
  const epochNum = BigInt(epoch.number)
  let origin: L1BlockRef
  if (batch.epochNum < epochNum) return drop('batch epoch is older than the safe head epoch')
  if (batch.epochNum === epochNum) origin = epoch
  else if (batch.epochNum === epochNum + 1n) {
    if (nextEpoch === undefined) return undecided('batch is for the next epoch, which is not known yet')
    origin = nextEpoch
  } else return drop('batch epoch is too far ahead of the safe head epoch')
  // 7. Epoch hash.
  if (!sameHash(batch.epochHash, origin.hash)) return drop('batch epoch hash does not match the L1 origin')
  // 8. L2 time >= L1 origin time.
  if (ts < BigInt(origin.timestamp)) return drop('batch timestamp is before its L1 origin time')
  // 9. Max sequencer drift, at the origin's time.
  if (ts > BigInt(origin.timestamp + maxSequencerDrift(cfg, origin.timestamp))) {
    if (batch.transactions.length > 0) return drop('batch exceeded the sequencer time drift with transactions')
    if (origin.number === epoch.number) {
      if (nextEpoch === undefined) {
        return undecided('empty batch past the drift, next epoch unknown: cannot tell if it should have advanced')
      }
      if (ts >= BigInt(nextEpoch.timestamp)) {
        return drop('empty batch past the drift did not advance the epoch although the next origin is due')
      }
    }
  }
  // 10. Transactions.
  return checkTransactions(batch.transactions, '') ?? ACCEPT
}

/** The result of the span-batch prefix checks: the decision, and on accept the parent of the span's first block. */
export type SpanPrefixCheck = { check: BatchCheck; parent?: L2BlockRef }

/** op-node checkSpanBatchPrefix (spec §4.8 span steps 1-10). */
export async function checkSpanBatchPrefix(
  cfg: BatchQueueConfig,
  l1Blocks: readonly L1BlockRef[],
  safe: L2BlockRef,
  batch: SpanBatch,
  inclusion: L1BlockRef,
  l2: L2ChainSource,
): Promise<SpanPrefixCheck> {
  const epoch = l1Blocks[0]
  if (epoch === undefined) return { check: undecided('no L1 origin buffered') }
  const first = batch.elements[0]
  const last = batch.elements[batch.elements.length - 1]
  if (first === undefined || last === undefined) return { check: drop('empty span batch') }
  const nextTimestamp = BigInt(safe.timestamp + cfg.blockTime)
  const startEpoch = first.epochNum
  // 1. Origin of the first block.
  let origin = epoch
  if (startEpoch === BigInt(epoch.number) + 1n) {
    const next = l1Blocks[1]
    if (next === undefined) return { check: undecided('span batch starts in the next epoch, which is not known yet') }
    origin = next
  }
  // 2. Delta, by the start origin's time.
  if (!isDelta(cfg, origin.timestamp)) return { check: drop('span batch L1 origin is before Delta') }
  // 3-4. Timestamps.
  if (first.timestamp > nextTimestamp) return { check: future('span batch starts after the next L2 timestamp') }
  if (last.timestamp < nextTimestamp) return { check: drop('span batch ends before the next L2 timestamp') }
  // 5. The parent of the first block.
  let parent = safe
  if (first.timestamp < nextTimestamp) {
    const safeTs = BigInt(safe.timestamp)
    if (first.timestamp > safeTs) return { check: drop('span batch has a misaligned timestamp: block time too short') }
    const behind = safeTs - first.timestamp
    if (behind % BigInt(cfg.blockTime) !== 0n) {
      return { check: drop('span batch has a misaligned timestamp: not overlapped exactly') }
    }
    const parentNum = safe.number - Number(behind / BigInt(cfg.blockTime)) - 1
    try {
      parent = await l2.l2BlockRefByNumber(parentNum)
    } catch (e) {
      return { check: undecided(`failed to fetch L2 block ${parentNum}: ${(e as Error).message}`) }
    }
  }
  // 6. Parent check.
  if (!hashPrefixMatches(batch.parentCheck, parent.hash)) {
    return { check: drop('span batch parent_check does not match the parent block hash') }
  }
  // 7. Sequencing window.
  if (startEpoch + BigInt(cfg.seqWindowSize) < BigInt(inclusion.number)) {
    return { check: drop('span batch was included too late, sequence window expired') }
  }
  // 8. The start epoch advances at most one from the parent's.
  if (startEpoch > BigInt(parent.l1origin.number) + 1n) {
    return { check: drop('span batch start epoch is too far ahead of the parent epoch') }
  }
  // 9. l1_origin_check against the end epoch, among the buffered L1 blocks.
  const endEpoch = last.epochNum
  const endOrigin = l1Blocks.find((b) => BigInt(b.number) === endEpoch)
  if (endOrigin === undefined) return { check: undecided('span batch end epoch is not among the buffered L1 blocks') }
  if (!hashPrefixMatches(batch.l1OriginCheck, endOrigin.hash)) {
    return { check: drop('span batch l1_origin_check does not match the end epoch hash') }
  }
  // 10. The start epoch is not older than the parent's.
  if (startEpoch < BigInt(parent.l1origin.number)) {
    return { check: drop('span batch start epoch is older than the parent epoch') }
  }
  return { check: ACCEPT, parent }
}

const ZERO_ORIGIN: L1BlockRef = {
  hash: `0x${'00'.repeat(32)}`,
  number: 0,
  parentHash: `0x${'00'.repeat(32)}`,
  timestamp: 0,
}

/**
 * Span batch validity (spec §4.8 span steps 1-13): the prefix checks, then per-block origin, drift and
 * transaction rules for the blocks after the safe head, then the overlap with the safe chain.
 */
export async function checkSpanBatch(
  cfg: BatchQueueConfig,
  l1Blocks: readonly L1BlockRef[],
  safe: L2BlockRef,
  batch: SpanBatch,
  inclusion: L1BlockRef,
  l2: L2ChainSource,
): Promise<BatchCheck> {
  const prefix = await checkSpanBatchPrefix(cfg, l1Blocks, safe, batch, inclusion, l2)
  if (prefix.check.validity !== 'accept') return prefix.check
  const parent = prefix.parent!
  const els = batch.elements
  const safeTs = BigInt(safe.timestamp)
  let originIdx = 0
  let originAdvanced = els[0]!.epochNum === BigInt(parent.l1origin.number) + 1n
  // 11-12. Blocks after the safe head.
  for (let i = 0; i < els.length; i++) {
    const el = els[i]!
    if (el.timestamp <= safeTs) continue
    if (el.epochNum < BigInt(safe.l1origin.number)) {
      return drop(`span batch block ${i} has an L1 origin older than the safe head's`)
    }
    // As op-node: the origin is searched from the last one found; when absent, a zero origin (time 0) is used.
    let origin = ZERO_ORIGIN
    for (let j = originIdx; j < l1Blocks.length; j++) {
      if (BigInt(l1Blocks[j]!.number) === el.epochNum) {
        origin = l1Blocks[j]!
        originIdx = j
        break
      }
    }
    if (i > 0) originAdvanced = el.epochNum > els[i - 1]!.epochNum
    if (el.timestamp < BigInt(origin.timestamp)) return drop(`span batch block ${i} is before its L1 origin time`)
    if (el.timestamp > BigInt(origin.timestamp + maxSequencerDrift(cfg, origin.timestamp))) {
      if (el.transactions.length > 0) {
        return drop(`span batch block ${i} exceeded the sequencer time drift with transactions`)
      }
      if (!originAdvanced) {
        const next = l1Blocks[originIdx + 1]
        if (next === undefined) {
          return undecided(`span batch block ${i} is empty past the drift and the next L1 origin is unknown`)
        }
        if (el.timestamp >= BigInt(next.timestamp)) {
          return drop(`span batch block ${i} is empty past the drift and did not advance the due epoch`)
        }
      }
    }
    const bad = checkTransactions(el.transactions, `span batch block ${i}: `)
    if (bad) return bad
  }
  // 13. Overlap with the safe chain.
  const nextTimestamp = BigInt(safe.timestamp + cfg.blockTime)
  if (els[0]!.timestamp < nextTimestamp) {
    for (let i = 0; i < safe.number - parent.number; i++) {
      const num = parent.number + i + 1
      const el = els[i]
      if (el === undefined) return drop(`span batch does not cover overlapped safe block ${num}`)
      let txs: Uint8Array[]
      let ref: L2BlockRef
      try {
        txs = await l2.nonDepositTransactionsByNumber(num)
        ref = await l2.l2BlockRefByNumber(num)
      } catch (e) {
        return undecided(`failed to fetch overlapped L2 block ${num}: ${(e as Error).message}`)
      }
      if (txs.length !== el.transactions.length) {
        return drop(`overlapped block ${num}: transaction count does not match`)
      }
      for (let j = 0; j < txs.length; j++) {
        if (!bytesEqual(txs[j]!, el.transactions[j]!)) {
          return drop(`overlapped block ${num}: transaction ${j} does not match`)
        }
      }
      if (BigInt(ref.l1origin.number) !== el.epochNum) {
        return drop(`overlapped block ${num}: L1 origin number does not match`)
      }
    }
  }
  return ACCEPT
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
