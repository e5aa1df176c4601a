import { randomBytes } from 'node:crypto'
import { encodeBatchForChannel, SPAN_BATCH_TYPE } from '../../derivation/protocol/batch.ts'
import {
  type CompressionAlgo,
  compressBrotli,
  compressChannel,
  compressZlib,
} from '../../derivation/protocol/channelCompression.ts'
import { channelIdHex, channelToFrames, FRAME_OVERHEAD, type Frame } from '../../derivation/protocol/frame.ts'
import type { SingularBatch } from '../../derivation/protocol/singularBatch.ts'
import { SpanBatchBuilder } from '../../derivation/protocol/spanBatch.ts'
import { blockSequenceNumber, blockToSingularBatch, type L2BlockForBatch } from './l2BlockSource.ts'

// One channel being filled (op-batcher channel_builder.go, span-batch mode): L2 blocks accumulate into one span
// batch; the channel is compressed (Fjord brotli by default) and closes when its compressed size reaches the
// target, when it has been open `maxChannelDuration` L1 blocks, or when it gets within `subSafetyMargin` of the
// sequencing window or the channel timeout. A closed channel is split into frames of at most `maxFrameSize`.

export interface ChannelConfig {
  /** Largest encoded frame (header included); the smallest writer in play. */
  maxFrameSize: number
  /** The channel is full when its compressed size reaches this many frames' worth of data. */
  targetNumFrames: number
  /** Close after this many L1 blocks since the first block's L1 origin; 0 = never. */
  maxChannelDuration: number
  /** rollup.json channel_timeout (L1 blocks). */
  channelTimeout: number
  /** rollup.json seq_window_size (L1 blocks). */
  seqWindowSize: number
  /** L1 blocks kept in reserve before the sequencing window or channel timeout runs out (op-batcher default 10). */
  subSafetyMargin: number
  compression: CompressionAlgo
  genesisTimestamp: number
  l2ChainId: bigint
}

export type ChannelFullReason = 'size' | 'duration' | 'seq-window' | 'channel-timeout' | 'forced'

/** Re-compress when the uncompressed data has grown this much since the last exact measurement. */
const RECOMPRESS_GROWTH = 1.25
const FAST_BROTLI_QUALITY = 5

export class ChannelBuilder {
  readonly id: Uint8Array
  readonly idHex: string
  private readonly cfg: ChannelConfig
  private readonly blocks: L2BlockForBatch[] = []
  private readonly batches: SingularBatch[] = []
  private spanBuilder: SpanBatchBuilder
  private firstSeqNum = 0n
  private rawSize = 0
  private compressed: Uint8Array | undefined
  private compressedRaw = -1
  private measured: number | undefined
  private compressedAtRaw = 0
  private ratio = 0.6
  private timeout = 0
  private fullReason: ChannelFullReason | undefined

  constructor(cfg: ChannelConfig, id: Uint8Array = randomBytes(16)) {
    this.cfg = cfg
    this.id = id
    this.idHex = channelIdHex(id)
    this.spanBuilder = this.newSpanBuilder()
  }

  /** Compressed bytes the channel may hold: `targetNumFrames` frames of data. */
  get targetSize(): number {
    return this.cfg.targetNumFrames * (this.cfg.maxFrameSize - FRAME_OVERHEAD)
  }

  get isFull(): boolean {
    return this.fullReason !== undefined
  }

  get reason(): ChannelFullReason | undefined {
    return this.fullReason
  }

  get blockCount(): number {
    return this.blocks.length
  }

  get txCount(): number {
    return this.spanBuilder.txCount
  }

  /** The L2 blocks in this channel, oldest first. */
  get l2Blocks(): readonly L2BlockForBatch[] {
    return this.blocks
  }

  /** The L1 block at which the channel closes for time reasons (0 = none yet). */
  get timeoutBlock(): number {
    return this.timeout
  }

  /** Exact compressed size of what the channel holds now. */
  compressedSize(): number {
    return this.compress().length
  }

  /**
   * Add the next L2 block. Returns false (the block was not taken, the channel is now full) when the block would
   * push the compressed size past the target; a first block is always taken, even when it alone is too big.
   */
  addBlock(block: L2BlockForBatch): boolean {
    if (this.fullReason) return false
    const batch = blockToSingularBatch(block)
    if (this.blocks.length === 0) this.firstSeqNum = blockSequenceNumber(block)
    this.spanBuilder.append(batch, this.firstSeqNum)
    this.blocks.push(block)
    this.batches.push(batch)
    this.compressed = undefined
    this.rawSize = this.uncompressed().length
    this.updateTimeouts(block)
    if (this.estimatedSize() < this.targetSize) return true
    if (this.measuredSize() < this.targetSize) return true
    if (this.blocks.length === 1) {
      this.fullReason = 'size'
      return true
    }
    // Too big with this block: take it back out (rebuilding the span batch) and close.
    this.blocks.pop()
    this.batches.pop()
    this.spanBuilder = this.newSpanBuilder()
    for (const b of this.batches) this.spanBuilder.append(b, this.firstSeqNum)
    this.compressed = undefined
    this.rawSize = this.uncompressed().length
    this.fullReason = 'size'
    return false
  }

  /** Close the channel when L1 has reached its duration or safety timeout (op-batcher CheckTimeout). */
  checkTimeout(l1Head: number): void {
    if (this.fullReason || this.timeout === 0 || l1Head < this.timeout) return
    this.fullReason = this.timeoutReason
  }

  /** The first frame of this channel landed in L1 block `l1Block`: the channel timeout starts to run. */
  framePublished(l1Block: number): void {
    this.setTimeout(l1Block + this.cfg.channelTimeout - this.cfg.subSafetyMargin, 'channel-timeout')
  }

  /** Close the channel now (no more blocks coming, or shutting down). */
  close(): void {
    if (!this.fullReason) this.fullReason = 'forced'
  }

  /** The channel's frames; only once it is full or closed, and only if it holds a block. */
  outputFrames(): Frame[] {
    if (!this.fullReason) throw new RangeError('channel is still open')
    if (this.blocks.length === 0) return []
    return channelToFrames(this.id, this.compress(), this.cfg.maxFrameSize)
  }

  private timeoutReason: ChannelFullReason = 'duration'

  private setTimeout(block: number, reason: ChannelFullReason): void {
    if (this.timeout === 0 || block < this.timeout) {
      this.timeout = block
      this.timeoutReason = reason
    }
  }

  private updateTimeouts(block: L2BlockForBatch): void {
    if (this.blocks.length === 1 && this.cfg.maxChannelDuration > 0) {
      this.setTimeout(block.l1origin.number + this.cfg.maxChannelDuration, 'duration')
    }
    // A batch must land within the sequencing window of its L1 origin.
    this.setTimeout(block.l1origin.number + this.cfg.seqWindowSize - this.cfg.subSafetyMargin, 'seq-window')
  }

  private estimatedSize(): number {
    if (this.measured !== undefined && this.compressedAtRaw === this.rawSize) return this.measured
    // Measure exactly only when the estimate says we are close, or the data grew a lot since the last measure.
    const estimate = Math.ceil(this.rawSize * this.ratio)
    if (estimate >= this.targetSize * 0.9 || this.rawSize >= this.compressedAtRaw * RECOMPRESS_GROWTH) {
      return this.measuredSize()
    }
    return estimate
  }

  private uncompressed(): Uint8Array {
    return encodeBatchForChannel({ type: SPAN_BATCH_TYPE, batch: this.spanBuilder.toRawSpanBatch() })
  }

  /**
   * Compressed size at a fast setting (brotli quality 5, ~50x faster than 10), used while filling: the final
   * quality-10 output is never larger, so a channel measured under the target stays under it.
   */
  private measuredSize(): number {
    if (this.measured === undefined || this.compressedAtRaw !== this.rawSize) {
      if (this.blocks.length === 0) return 0
      const raw = this.uncompressed()
      const fast = this.cfg.compression === 'brotli' ? compressBrotli(raw, FAST_BROTLI_QUALITY) : compressZlib(raw)
      this.measured = fast.length
      this.compressed = undefined
      this.compressedAtRaw = raw.length
      this.rawSize = raw.length
      this.ratio = fast.length / Math.max(1, raw.length)
    }
    return this.measured
  }

  /** The channel data as it goes out (op-batcher's settings: brotli 10 or zlib 9). */
  private compress(): Uint8Array {
    if (!this.compressed || this.compressedRaw !== this.rawSize) {
      if (this.blocks.length === 0) return new Uint8Array(0)
      const raw = this.uncompressed()
      this.compressed = compressChannel(raw, this.cfg.compression)
      this.compressedRaw = raw.length
    }
    return this.compressed
  }

  private newSpanBuilder(): SpanBatchBuilder {
    return new SpanBatchBuilder({ genesisTimestamp: this.cfg.genesisTimestamp, l2ChainId: this.cfg.l2ChainId })
  }
}
