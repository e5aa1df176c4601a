import { hexToBytes } from '../../config/bytes.ts'
import type { Logger } from '../../config/logger.ts'
import type { L1BlockRef, L2BlockRef } from '../../config/types.ts'
import type { L2ChainSource } from '../l2Source.ts'
import { EOF, type Eof, NOT_ENOUGH_DATA, type NotEnoughData, PipelineError } from '../pipelineErrors.ts'
import { type BatchData, SINGULAR_BATCH_TYPE, SPAN_BATCH_TYPE } from '../protocol/batch.ts'
import { SpanBatchError } from '../protocol/batchErrors.ts'
import type { SingularBatch } from '../protocol/singularBatch.ts'
import { deriveSpanBatch, type SpanBatch } from '../protocol/spanBatch.ts'
import { blockId } from '../sources/batcherTx.ts'
import { type BatchCheck, type BatchQueueConfig, checkSingularBatch, checkSpanBatch, isIsthmus } from './batchChecks.ts'

export {
  type BatchCheck,
  type BatchQueueConfig,
  type BatchValidity,
  batchQueueConfigFromRollup,
  checkSingularBatch,
  checkSpanBatch,
  checkSpanBatchPrefix,
  hashPrefixMatches,
  MAX_SEQUENCER_DRIFT_FJORD,
  maxSequencerDrift,
} from './batchChecks.ts'

// Batch queue (spec §4.8-4.9, op-node batch_queue.go, pre-Holocene). Batches read from the channel reader are
// buffered with their L1 inclusion block and checked in inclusion order against the safe head; the first accepted
// batch is returned (a span batch is expanded into singular batches, blocks at or before the safe head skipped).
// When the sequencing window of the current epoch closes without a batch, empty batches are generated.
//
// `l1Blocks` holds the L1 origins seen since the safe head's epoch: l1Blocks[0] is the current epoch (the safe
// head's origin, or the one after it once empty batches have advanced it), l1Blocks[1] the next epoch.

/** The previous stage: the channel reader. */
export interface BatchQueueProvider {
  origin(): L1BlockRef | null
  nextBatch(): Promise<BatchData | Eof | NotEnoughData>
}

/** A buffered batch and the L1 block it was read in. */
export interface BatchWithInclusion {
  inclusion: L1BlockRef
  batch: { type: typeof SINGULAR_BATCH_TYPE; batch: SingularBatch } | { type: typeof SPAN_BATCH_TYPE; batch: SpanBatch }
}

export class BatchQueue {
  private originRef: L1BlockRef | null = null
  private l1Blocks: L1BlockRef[] = []
  private batches: BatchWithInclusion[] = []
  /** Remaining singular batches of the accepted span batch. */
  private nextSpan: SingularBatch[] = []
  private readonly logger: Logger

  constructor(
    private readonly cfg: BatchQueueConfig,
    private readonly prev: BatchQueueProvider,
    private readonly l2: L2ChainSource,
    mods: { logger: Logger },
  ) {
    this.logger = mods.logger.child({ stage: 'batchQueue' })
  }

  origin(): L1BlockRef | null {
    return this.prev.origin()
  }

  /** The buffered L1 origins (for tests and diagnostics). */
  bufferedL1Blocks(): readonly L1BlockRef[] {
    return this.l1Blocks
  }

  /** The buffered candidate batches, in inclusion order. */
  bufferedBatches(): readonly BatchWithInclusion[] {
    return this.batches
  }

  /** op-node Reset: start over from `base`, the safe head's L1 origin. */
  reset(base: L1BlockRef): void {
    this.originRef = base
    this.l1Blocks = [base]
    this.batches = []
    this.nextSpan = []
  }

  async nextBatch(safe: L2BlockRef): Promise<SingularBatch | Eof | NotEnoughData> {
    // The rest of an accepted span batch, while the safe head follows it.
    if (this.nextSpan.length > 0) {
      if (this.nextSpan[0]!.timestamp === BigInt(safe.timestamp + this.cfg.blockTime)) return this.popNextSpan(safe)
      this.logger.warn(
        { safe: { number: safe.number, hash: safe.hash } },
        'Safe head does not match the next span block, dropping it',
      )
      this.nextSpan = []
    }

    // Pre-Holocene the epoch advances only once the safe head has moved past it.
    const first = this.l1Blocks[0]
    if (first !== undefined && safe.l1origin.number > first.number) {
      const idx = this.l1Blocks.findIndex((b) => b.number === safe.l1origin.number)
      if (idx >= 0) this.l1Blocks = this.l1Blocks.slice(idx)
    }

    const prevOrigin = this.prev.origin()
    if (prevOrigin === null) return EOF
    const originBehind = prevOrigin.number < safe.l1origin.number
    if (this.originRef === null || this.originRef.hash !== prevOrigin.hash) {
      this.originRef = prevOrigin
      if (!originBehind) this.l1Blocks.push(prevOrigin)
      else this.l1Blocks = []
      this.logger.debug({ origin: blockId(prevOrigin), originBehind }, 'Advancing batch queue origin')
    }

    let outOfData = false
    const data = await this.prev.nextBatch()
    if (data === EOF) outOfData = true
    else if (data !== NOT_ENOUGH_DATA && !originBehind) await this.addBatch(data, safe)

    if (originBehind) return outOfData ? EOF : NOT_ENOUGH_DATA

    const next = await this.deriveNextBatch(outOfData, safe)
    if (next === EOF) return outOfData ? EOF : NOT_ENOUGH_DATA
    if (next.type === SINGULAR_BATCH_TYPE) return next.batch
    this.nextSpan = this.spanToSingular(next.batch, safe)
    if (this.nextSpan.length === 0)
      throw PipelineError.crit('batch-queue-empty-span', 'accepted span batch has no new blocks')
    return this.popNextSpan(safe)
  }

  private popNextSpan(safe: L2BlockRef): SingularBatch {
    const b = this.nextSpan.shift()!
    b.parentHash = hexToBytes(safe.hash)
    return b
  }

  /** op-node SpanBatch.GetSingularBatches: blocks after the safe head, epoch hashes from the buffered L1 blocks. */
  private spanToSingular(span: SpanBatch, safe: L2BlockRef): SingularBatch[] {
    const out: SingularBatch[] = []
    let originIdx = 0
    for (const el of span.elements) {
      if (el.timestamp <= BigInt(safe.timestamp)) continue
      let found: L1BlockRef | undefined
      for (let i = originIdx; i < this.l1Blocks.length; i++) {
        if (BigInt(this.l1Blocks[i]!.number) === el.epochNum) {
          originIdx = i
          found = this.l1Blocks[i]
          break
        }
      }
      if (found === undefined) {
        throw PipelineError.crit('batch-queue-span-origin', `no L1 origin for span block epoch ${el.epochNum}`)
      }
      out.push({
        parentHash: new Uint8Array(32),
        epochNum: el.epochNum,
        epochHash: hexToBytes(found.hash),
        timestamp: el.timestamp,
        transactions: el.transactions,
      })
    }
    return out
  }

  private async check(b: BatchWithInclusion, safe: L2BlockRef): Promise<BatchCheck> {
    if (b.batch.type === SINGULAR_BATCH_TYPE) {
      return checkSingularBatch(this.cfg, this.l1Blocks, safe, b.batch.batch, b.inclusion)
    }
    return checkSpanBatch(this.cfg, this.l1Blocks, safe, b.batch.batch, b.inclusion, this.l2)
  }

  private logDrop(b: BatchWithInclusion, reason: string): void {
    this.logger.debug({ batchType: b.batch.type, inclusion: blockId(b.inclusion), reason }, 'Dropping batch')
  }

  private async addBatch(data: BatchData, safe: L2BlockRef): Promise<void> {
    const inclusion = this.originRef!
    let entry: BatchWithInclusion
    if (data.type === SINGULAR_BATCH_TYPE) entry = { inclusion, batch: data }
    else {
      try {
        const span = deriveSpanBatch(data.batch, {
          genesisTimestamp: this.cfg.genesisL2Time,
          blockTime: this.cfg.blockTime,
          l2ChainId: this.cfg.l2ChainId,
          isthmus: isIsthmus(this.cfg, inclusion.timestamp),
        })
        entry = { inclusion, batch: { type: SPAN_BATCH_TYPE, batch: span } }
      } catch (e) {
        if (!(e instanceof SpanBatchError)) throw e
        this.logger.debug({ inclusion: blockId(inclusion), err: e.message }, 'Dropping underivable span batch')
        return
      }
    }
    const c = await this.check(entry, safe)
    if (c.validity === 'drop') {
      this.logDrop(entry, c.reason)
      return
    }
    this.batches.push(entry)
  }

  private async deriveNextBatch(outOfData: boolean, safe: L2BlockRef): Promise<BatchWithInclusion['batch'] | Eof> {
    const epoch = this.l1Blocks[0]
    if (epoch === undefined) throw PipelineError.crit('batch-queue-no-origin', 'cannot derive next batch, no origin')
    // The epoch may be one ahead of the safe head's once empty batches have advanced it.
    if (
      !(safe.l1origin.number === epoch.number && safe.l1origin.hash === epoch.hash) &&
      safe.l1origin.number !== epoch.number - 1
    ) {
      throw PipelineError.reset('batch-queue-epoch-mismatch', 'buffered L1 epoch does not match the safe head origin', {
        epoch: blockId(epoch),
        safeOrigin: safe.l1origin,
      })
    }

    // The first accepted batch in inclusion order wins; future and undecided batches are kept.
    const remaining: BatchWithInclusion[] = []
    const candidates = this.batches
    let accepted: BatchWithInclusion | undefined
    for (let i = 0; i < candidates.length; i++) {
      const b = candidates[i]!
      const c = await this.check(b, safe)
      if (c.validity === 'future') remaining.push(b)
      else if (c.validity === 'drop') this.logDrop(b, c.reason)
      else if (c.validity === 'accept') {
        accepted = b
        remaining.push(...candidates.slice(i + 1))
        break
      } else {
        remaining.push(...candidates.slice(i))
        this.batches = remaining
        return EOF
      }
    }
    this.batches = remaining
    if (accepted) return accepted.batch

    // Empty batches once the sequencing window of the epoch has closed (spec §4.9).
    const origin = this.originRef!
    const expiry = epoch.number + this.cfg.seqWindowSize
    const force = (expiry === origin.number && outOfData) || expiry < origin.number
    if (!force) return EOF
    const nextEpoch = this.l1Blocks[1]
    if (nextEpoch === undefined) return EOF
    const firstOfEpoch = epoch.number === safe.l1origin.number + 1
    const nextTimestamp = safe.timestamp + this.cfg.blockTime
    if (nextTimestamp < nextEpoch.timestamp || firstOfEpoch) {
      this.logger.debug({ epoch: blockId(epoch), timestamp: nextTimestamp }, 'Generating empty batch')
      return {
        type: SINGULAR_BATCH_TYPE,
        batch: {
          parentHash: hexToBytes(safe.hash),
          epochNum: BigInt(epoch.number),
          epochHash: hexToBytes(epoch.hash),
          timestamp: BigInt(nextTimestamp),
          transactions: [],
        },
      }
    }
    // Every empty block of this epoch is out: advance the epoch, the next call emits the first of the new one.
    this.l1Blocks = this.l1Blocks.slice(1)
    return EOF
  }
}
