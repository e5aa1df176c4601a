import type { Logger } from '../../config/logger.ts'
import type { L1BlockRef } from '../../config/types.ts'
import { type DerivationConfig, isDelta, isFjord, maxRlpBytesAt } from '../params.ts'
import { EOF, type Eof, NOT_ENOUGH_DATA, type NotEnoughData } from '../pipelineErrors.ts'
import { type BatchData, SPAN_BATCH_TYPE } from '../protocol/batch.ts'
import { ChannelCompressionError } from '../protocol/batchErrors.ts'
import { decodeChannel } from '../protocol/channelReader.ts'
import { blockId } from '../sources/batcherTx.ts'

// Channel reader (spec §4.3, op-node channel_in_reader.go): decompress each channel from the channel bank and hand
// out its batches in order. By the L1 inclusion (origin) time: MAX_RLP_BYTES_PER_CHANNEL is ×10 and brotli is
// accepted from Fjord; span batches are accepted from Delta. A channel that cannot be decompressed is dropped, and
// reading stops at the first undecodable batch (earlier batches stay valid), each with a debug log.

/** The previous stage: the channel bank. */
export interface ChannelInReaderProvider {
  origin(): L1BlockRef | null
  nextData(): Promise<Uint8Array | Eof | NotEnoughData>
}

export class ChannelInReader {
  /** Batches of the current channel still to hand out; null when no channel is open. */
  private pending: BatchData[] | null = null
  private readonly logger: Logger

  constructor(
    private readonly cfg: DerivationConfig,
    private readonly prev: ChannelInReaderProvider,
    mods: { logger: Logger },
  ) {
    this.logger = mods.logger.child({ stage: 'channelInReader' })
  }

  origin(): L1BlockRef | null {
    return this.prev.origin()
  }

  async nextBatch(): Promise<BatchData | Eof | NotEnoughData> {
    if (this.pending === null) {
      const data = await this.prev.nextData()
      if (data === EOF || data === NOT_ENOUGH_DATA) return data
      this.pending = this.openChannel(data)
    }
    const batch = this.pending.shift()
    if (batch === undefined) {
      this.pending = null
      return NOT_ENOUGH_DATA
    }
    const origin = this.prev.origin()!
    if (batch.type === SPAN_BATCH_TYPE && !isDelta(this.cfg, origin.timestamp)) {
      // Checked by inclusion time for early dropping; the batch queue checks the span's own L1 origin again.
      this.logger.debug({ l1Origin: blockId(origin) }, 'Span batch before Delta, dropping the rest of the channel')
      this.pending = null
      return NOT_ENOUGH_DATA
    }
    return batch
  }

  /** Drop the current channel (op-node NextChannel). */
  nextChannel(): void {
    this.pending = null
  }

  reset(): void {
    this.pending = null
  }

  private openChannel(data: Uint8Array): BatchData[] {
    const origin = this.prev.origin()!
    const t = origin.timestamp
    try {
      const decoded = decodeChannel(data, { isFjord: isFjord(this.cfg, t), maxBytes: maxRlpBytesAt(this.cfg, t) })
      if (decoded.error || decoded.decompressError !== undefined) {
        this.logger.debug(
          {
            l1Origin: blockId(origin),
            batches: decoded.batches.length,
            err: decoded.error?.message ?? decoded.decompressError,
          },
          'Channel read stopped early, rest of the channel dropped',
        )
      }
      return decoded.batches
    } catch (e) {
      if (!(e instanceof ChannelCompressionError)) throw e
      this.logger.debug({ l1Origin: blockId(origin), reason: e.reason, err: e.message }, 'Dropping bad channel')
      return []
    }
  }
}
