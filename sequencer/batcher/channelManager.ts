import { type Logger, silentLogger } from '../../config/logger.ts'
import type { BlockID, Hash } from '../../config/types.ts'
import type { Frame } from '../../derivation/protocol/frame.ts'
import { ChannelBuilder, type ChannelConfig } from './channelBuilder.ts'
import type { TxData } from './daWriter.ts'
import { BatcherError } from './errors.ts'
import type { L2BlockForBatch } from './l2BlockSource.ts'

// The batcher's bookkeeping (op-batcher channel_manager.go): a queue of unsafe L2 blocks checked for parent-hash
// continuity, the channels built from them, and which frames are queued, in flight or confirmed on L1. Outcomes
// come back by TxData id: a failed tx puts its frames back at the front; a channel whose frames landed further
// apart than the channel timeout is dropped by derivation, so its blocks (and every later channel's) are queued
// again for new channels.

export interface ChannelManagerConfig extends ChannelConfig {
  /** Frames per TxData; the smallest `maxFramesPerTx` of the writers in play. */
  maxFramesPerTx: number
}

interface ChannelState {
  builder: ChannelBuilder
  /** Frames not handed out yet, in frame order. */
  queued: Frame[]
  /** Set once the channel is closed and framed. */
  totalFrames: number
  inFlight: Map<string, Frame[]>
  confirmedFrames: number
  minInclusion: number
  maxInclusion: number
}

export type TxOutcome = 'confirmed' | 'channel-done' | 'channel-timed-out' | 'unknown-tx'

export class ChannelManager {
  private readonly cfg: ChannelManagerConfig
  private readonly log: Logger
  private blocks: L2BlockForBatch[] = []
  private channels: ChannelState[] = []
  private txChannel = new Map<string, ChannelState>()
  private tip: Hash | undefined

  constructor(cfg: ChannelManagerConfig, logger: Logger = silentLogger()) {
    if (cfg.maxFramesPerTx < 1) throw new BatcherError('BATCHER_BAD_CONFIG', 'maxFramesPerTx must be at least 1')
    this.cfg = cfg
    this.log = logger.child({ module: 'channel-manager' })
  }

  /** L2 blocks waiting for a channel. */
  get queuedBlocks(): number {
    return this.blocks.length
  }

  /** Channels not yet fully confirmed (open, framed or in flight). */
  get openChannels(): number {
    return this.channels.length
  }

  /** Hash of the newest block this manager knows (the next block must build on it). */
  get tipHash(): Hash | undefined {
    return this.tip
  }

  /** Forget everything and continue from `safeHead` (start-up, or after an L2 reorg). */
  clear(safeHead?: BlockID): void {
    this.blocks = []
    this.channels = []
    this.txChannel.clear()
    this.tip = safeHead?.hash
    this.log.info({ safe: safeHead }, 'Channel manager cleared')
  }

  /** Queue the next unsafe block. Throws BatcherError BATCHER_L2_REORG when it does not build on the last one. */
  addL2Block(block: L2BlockForBatch): void {
    if (this.tip !== undefined && block.parentHash !== this.tip) {
      throw new BatcherError(
        'BATCHER_L2_REORG',
        'L2 block does not build on the last queued block: clear from the safe head',
        {
          l2: { number: block.number, hash: block.hash },
          parentHash: block.parentHash,
          tip: this.tip,
        },
      )
    }
    this.blocks.push(block)
    this.tip = block.hash
  }

  /**
   * Close the channel being filled and put every queued block into closed channels, so all frames can go out
   * without waiting for channels to fill up (shutdown, or a test that wants everything on L1).
   */
  closeChannels(): void {
    const cur = this.current()
    if (cur && cur.totalFrames === 0) this.closeAndFrame(cur)
    while (this.blocks.length > 0) this.closeAndFrame(this.openChannel())
  }

  private closeAndFrame(ch: ChannelState): void {
    this.fill(ch)
    ch.builder.close()
    this.frame(ch)
  }

  /**
   * The next frames to send, or undefined when nothing is ready. `l1Head` closes channels whose duration or
   * safety timeout it reaches.
   */
  txData(l1Head: number): TxData | undefined {
    const ready = this.channels.find((c) => c.queued.length > 0)
    if (ready) return this.handOut(ready)
    let cur = this.current()
    if (!cur || cur.totalFrames > 0) {
      if (this.blocks.length === 0) return undefined
      cur = this.openChannel()
    }
    this.fill(cur)
    cur.builder.checkTimeout(l1Head)
    if (!cur.builder.isFull) return undefined
    this.frame(cur)
    return cur.queued.length > 0 ? this.handOut(cur) : undefined
  }

  /** The tx carrying `id` was not included (send failed, dropped, or its block reorged out): send the frames again. */
  txFailed(id: string): void {
    const ch = this.txChannel.get(id)
    const frames = ch?.inFlight.get(id)
    if (!ch || !frames) {
      this.log.debug({ id }, 'Failed tx of an unknown or dropped channel')
      return
    }
    this.txChannel.delete(id)
    ch.inFlight.delete(id)
    ch.queued = [...frames, ...ch.queued].sort((a, b) => a.frameNumber - b.frameNumber)
    this.log.warn({ channel: ch.builder.idHex, id }, 'Batcher tx failed, frames re-queued')
  }

  /** The tx carrying `id` is on L1 in block `l1Block`. */
  txConfirmed(id: string, l1Block: number): TxOutcome {
    const ch = this.txChannel.get(id)
    const frames = ch?.inFlight.get(id)
    if (!ch || !frames) return 'unknown-tx'
    this.txChannel.delete(id)
    ch.inFlight.delete(id)
    ch.confirmedFrames += frames.length
    if (ch.minInclusion === 0) ch.builder.framePublished(l1Block)
    ch.minInclusion = ch.minInclusion === 0 ? l1Block : Math.min(ch.minInclusion, l1Block)
    ch.maxInclusion = Math.max(ch.maxInclusion, l1Block)
    if (ch.maxInclusion - ch.minInclusion >= this.cfg.channelTimeout) {
      this.invalidate(ch)
      return 'channel-timed-out'
    }
    if (ch.confirmedFrames === ch.totalFrames) {
      this.channels = this.channels.filter((c) => c !== ch)
      this.log.info(
        { channel: ch.builder.idHex, l1: l1Block, blocks: ch.builder.blockCount, frames: ch.totalFrames },
        'Channel fully confirmed',
      )
      return 'channel-done'
    }
    return 'confirmed'
  }

  private current(): ChannelState | undefined {
    return this.channels[this.channels.length - 1]
  }

  private openChannel(): ChannelState {
    const ch: ChannelState = {
      builder: new ChannelBuilder(this.cfg),
      queued: [],
      totalFrames: 0,
      inFlight: new Map(),
      confirmedFrames: 0,
      minInclusion: 0,
      maxInclusion: 0,
    }
    this.channels.push(ch)
    this.log.debug({ channel: ch.builder.idHex }, 'Channel opened')
    return ch
  }

  private fill(ch: ChannelState): void {
    while (this.blocks.length > 0 && !ch.builder.isFull) {
      if (!ch.builder.addBlock(this.blocks[0]!)) break
      this.blocks.shift()
    }
  }

  private frame(ch: ChannelState): void {
    ch.queued = ch.builder.outputFrames()
    ch.totalFrames = ch.queued.length
    if (ch.totalFrames === 0) this.channels = this.channels.filter((c) => c !== ch)
    this.log.info(
      {
        channel: ch.builder.idHex,
        reason: ch.builder.reason,
        blocks: ch.builder.blockCount,
        txs: ch.builder.txCount,
        frames: ch.totalFrames,
        bytes: ch.builder.compressedSize(),
      },
      'Channel closed',
    )
  }

  private handOut(ch: ChannelState): TxData {
    const frames = ch.queued.splice(0, this.cfg.maxFramesPerTx)
    const id = `${ch.builder.idHex}:${frames.map((f) => f.frameNumber).join('+')}`
    ch.inFlight.set(id, frames)
    this.txChannel.set(id, ch)
    return { id, frames }
  }

  /** Drop `ch` and every later channel; their blocks go back to the front of the queue, in order. */
  private invalidate(ch: ChannelState): void {
    const at = this.channels.indexOf(ch)
    const dropped = this.channels.slice(at)
    this.channels = this.channels.slice(0, at)
    const requeue: L2BlockForBatch[] = []
    for (const c of dropped) {
      requeue.push(...c.builder.l2Blocks)
      for (const id of c.inFlight.keys()) this.txChannel.delete(id)
    }
    this.blocks = [...requeue, ...this.blocks]
    this.log.warn(
      { channel: ch.builder.idHex, blocks: requeue.length, channels: dropped.length },
      'Channel timed out on L1, its blocks are re-sent in a new channel',
    )
  }
}
