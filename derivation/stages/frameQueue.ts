import type { Logger } from '../../config/logger.ts'
import type { L1BlockRef } from '../../config/types.ts'
import { EOF, type Eof, NOT_ENOUGH_DATA, type NotEnoughData } from '../pipelineErrors.ts'
import { FrameError } from '../protocol/batchErrors.ts'
import { type Frame, parseFrames } from '../protocol/frame.ts'
import { blockId } from '../sources/batcherTx.ts'

// Frame queue (spec §4.2, op-node frame_queue.go, pre-Holocene): parse each data item into frames and hand them
// out one by one. A data item that fails to parse is dropped whole — none of its frames are used — with a debug log
// giving the reason; it never fails the pipeline.

/** The previous stage: L1 retrieval. */
export interface FrameQueueProvider {
  origin(): L1BlockRef | null
  nextData(): Promise<Uint8Array | Eof | NotEnoughData>
}

export class FrameQueue {
  private frames: Frame[] = []
  private readonly logger: Logger

  constructor(
    private readonly prev: FrameQueueProvider,
    mods: { logger: Logger },
  ) {
    this.logger = mods.logger.child({ stage: 'frameQueue' })
  }

  origin(): L1BlockRef | null {
    return this.prev.origin()
  }

  async nextFrame(): Promise<Frame | Eof | NotEnoughData> {
    if (this.frames.length === 0) {
      const data = await this.prev.nextData()
      if (data === EOF || data === NOT_ENOUGH_DATA) return data
      this.load(data)
      if (this.frames.length === 0) return NOT_ENOUGH_DATA
    }
    return this.frames.shift()!
  }

  /** Frames buffered (for metrics). */
  get length(): number {
    return this.frames.length
  }

  reset(): void {
    this.frames = []
  }

  private load(data: Uint8Array): void {
    try {
      const frames = parseFrames(data)
      for (const f of frames) this.frames.push(f)
    } catch (e) {
      if (!(e instanceof FrameError)) throw e
      const o = this.prev.origin()
      this.logger.debug(
        { l1Origin: o ? blockId(o) : null, reason: e.reason, frameIndex: e.frameIndex, err: e.message },
        'Dropping malformed batcher data item',
      )
    }
  }
}
