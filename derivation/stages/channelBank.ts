import { concatBytes } from '../../config/bytes.ts'
import type { Logger } from '../../config/logger.ts'
import type { L1BlockRef } from '../../config/types.ts'
import {
  CHANNEL_FRAME_OVERHEAD,
  channelTimeout,
  type DerivationConfig,
  isCanyon,
  isHolocene,
  maxChannelBankSize,
} from '../params.ts'
import { EOF, type Eof, NOT_ENOUGH_DATA, type NotEnoughData, PipelineError } from '../pipelineErrors.ts'
import { channelIdHex, type Frame } from '../protocol/frame.ts'
import { blockId } from '../sources/batcherTx.ts'

// Channel bank, pre-Holocene (spec §4.4, op-node channel_bank.go + channel.go). Frames are buffered per channel in
// a FIFO of channel ids; a channel is read once it is closed and frames 0..end are all present. All fork rules key
// on the current L1 origin time (the block the frames were included in).

/** Size counted for one frame: data length + 200 (op-node frameSize). */
export function channelFrameSize(f: Frame): number {
  return f.data.length + CHANNEL_FRAME_OVERHEAD
}

/** Why `Channel.addFrame` rejected a frame. */
export type FrameRejection = 'closing-frame-on-closed-channel' | 'duplicate-frame' | 'frame-after-end'

/** One channel being assembled (op-node channel.go). */
export class Channel {
  readonly id: Uint8Array
  readonly idHex: string
  /** L1 block where the first frame was seen. */
  readonly openBlock: L1BlockRef
  highestL1InclusionBlock: L1BlockRef
  readonly inputs = new Map<number, Frame>()
  closed = false
  endFrameNumber = 0
  highestFrameNumber = 0
  /** Σ(len(data) + 200) as op-node counts it, including its truncation quirk. */
  size = 0

  constructor(id: Uint8Array, openBlock: L1BlockRef) {
    this.id = id
    this.idHex = channelIdHex(id)
    this.openBlock = openBlock
    this.highestL1InclusionBlock = openBlock
  }

  /** Add a frame included in `l1Block`; returns why it was rejected, or null when added. */
  addFrame(f: Frame, l1Block: L1BlockRef): FrameRejection | null {
    // The checks and their order follow op-node; they are consensus rules.
    if (f.isLast && this.closed) return 'closing-frame-on-closed-channel'
    if (this.inputs.has(f.frameNumber)) return 'duplicate-frame'
    if (this.closed && f.frameNumber >= this.endFrameNumber) return 'frame-after-end'
    if (f.isLast) {
      this.endFrameNumber = f.frameNumber
      this.closed = true
      if (this.endFrameNumber < this.highestFrameNumber) {
        // Drop the buffered frames past the end. Quirk replicated from op-node/kona: the size of EVERY visited
        // frame is subtracted, kept ones included, so the size restarts from 0 before the closing frame is added.
        for (const [n, buffered] of this.inputs) {
          if (n >= this.endFrameNumber) this.inputs.delete(n)
          this.size -= channelFrameSize(buffered)
        }
        this.highestFrameNumber = this.endFrameNumber
      }
    }
    if (f.frameNumber > this.highestFrameNumber) this.highestFrameNumber = f.frameNumber
    if (this.highestL1InclusionBlock.number < l1Block.number) this.highestL1InclusionBlock = l1Block
    this.inputs.set(f.frameNumber, f)
    this.size += channelFrameSize(f)
    return null
  }

  /** Closed, and frames 0..endFrameNumber all present. */
  isReady(): boolean {
    if (!this.closed || this.inputs.size !== this.endFrameNumber + 1) return false
    for (let i = 0; i <= this.endFrameNumber; i++) if (!this.inputs.has(i)) return false
    return true
  }

  /** The channel data: frame data 0..end concatenated. Only valid when ready. */
  data(): Uint8Array {
    const parts: Uint8Array[] = []
    for (let i = 0; i <= this.endFrameNumber; i++) parts.push(this.inputs.get(i)!.data)
    return concatBytes(...parts)
  }
}

/** The previous stage: the frame queue. */
export interface ChannelBankProvider {
  origin(): L1BlockRef | null
  nextFrame(): Promise<Frame | Eof | NotEnoughData>
}

export class ChannelBank {
  private readonly channels = new Map<string, Channel>()
  /** Channel ids in the order their first frame was seen. */
  private queue: string[] = []
  private readonly logger: Logger

  constructor(
    private readonly cfg: DerivationConfig,
    private readonly prev: ChannelBankProvider,
    mods: { logger: Logger },
  ) {
    this.logger = mods.logger.child({ stage: 'channelBank' })
  }

  origin(): L1BlockRef | null {
    return this.prev.origin()
  }

  /** Read a ready channel if there is one, else ingest one frame from the previous stage. */
  async nextData(): Promise<Uint8Array | Eof | NotEnoughData> {
    const read = this.read()
    if (read !== EOF) return read
    const frame = await this.prev.nextFrame()
    if (frame === EOF || frame === NOT_ENOUGH_DATA) return frame
    this.ingestFrame(frame)
    return NOT_ENOUGH_DATA
  }

  ingestFrame(f: Frame): void {
    const origin = this.requireOrigin()
    const idHex = channelIdHex(f.channelId)
    let ch = this.channels.get(idHex)
    if (ch === undefined) {
      ch = new Channel(f.channelId.slice(), origin)
      this.channels.set(idHex, ch)
      this.queue.push(idHex)
      this.logger.debug({ channelId: idHex, l1Origin: blockId(origin) }, 'Created new channel')
    }
    if (this.timedOut(ch, origin)) {
      this.logger.debug({ channelId: idHex, frameNumber: f.frameNumber }, 'Channel timed out, frame ignored')
      return
    }
    const rejected = ch.addFrame(f, origin)
    if (rejected !== null) {
      this.logger.debug({ channelId: idHex, frameNumber: f.frameNumber, reason: rejected }, 'Frame rejected')
      return
    }
    this.logger.trace({ channelId: idHex, frameNumber: f.frameNumber, isLast: f.isLast }, 'Ingested frame')
    this.prune(origin)
  }

  /**
   * One read attempt: a timed-out head channel is removed (NOT_ENOUGH_DATA, call again); pre-Canyon the head is
   * returned if ready; from Canyon the first ready, not timed-out channel in FIFO order. EOF when none is ready.
   */
  read(): Uint8Array | Eof | NotEnoughData {
    if (this.queue.length === 0) return EOF
    const origin = this.requireOrigin()
    const headId = this.queue[0]!
    const head = this.channels.get(headId)!
    if (this.timedOut(head, origin)) {
      this.logger.debug({ channelId: headId, frames: head.inputs.size }, 'Channel timed out')
      this.remove(0)
      return NOT_ENOUGH_DATA
    }
    if (!isCanyon(this.cfg, origin.timestamp)) {
      if (!head.isReady()) return EOF
      this.remove(0)
      return head.data()
    }
    for (let i = 0; i < this.queue.length; i++) {
      const ch = this.channels.get(this.queue[i]!)!
      if (this.timedOut(ch, origin) || !ch.isReady()) continue
      this.remove(i)
      return ch.data()
    }
    return EOF
  }

  /** Σ channel sizes (for tests and metrics). */
  totalSize(): number {
    let total = 0
    for (const ch of this.channels.values()) total += ch.size
    return total
  }

  /** Channel ids in queue order (hex). */
  channelIds(): readonly string[] {
    return this.queue
  }

  channel(idHex: string): Channel | undefined {
    return this.channels.get(idHex)
  }

  reset(): void {
    this.channels.clear()
    this.queue = []
  }

  private timedOut(ch: Channel, origin: L1BlockRef): boolean {
    return ch.openBlock.number + channelTimeout(this.cfg, origin.timestamp) < origin.number
  }

  private remove(index: number): void {
    const [id] = this.queue.splice(index, 1)
    this.channels.delete(id!)
  }

  /** Drop channels from the head of the queue while the bank is over MAX_CHANNEL_BANK_SIZE. */
  private prune(origin: L1BlockRef): void {
    let total = this.totalSize()
    const max = maxChannelBankSize(this.cfg, origin.timestamp)
    while (total > max && this.queue.length > 0) {
      const id = this.queue.shift()!
      const ch = this.channels.get(id)!
      this.channels.delete(id)
      total -= ch.size
      this.logger.debug({ channelId: id, size: ch.size }, 'Pruned channel, bank over size limit')
    }
  }

  private requireOrigin(): L1BlockRef {
    const origin = this.prev.origin()
    if (origin === null) throw PipelineError.crit('DERIVE_NO_ORIGIN', 'channel bank used before its origin is set')
    if (isHolocene(this.cfg, origin.timestamp)) {
      // Holocene replaces this stage (single staging channel, in-order frames); not implemented yet.
      throw PipelineError.crit('DERIVE_HOLOCENE_UNSUPPORTED', 'pre-Holocene channel bank reached a Holocene origin', {
        l1Origin: blockId(origin),
      })
    }
    return origin
  }
}
