import type { Address } from '../../config/types.ts'
import { encodeBlob, MAX_BLOB_DATA_SIZE } from '../../derivation/protocol/blob.ts'
import { encodeFrames } from '../../derivation/protocol/frame.ts'
import type { DaWriter, TxCandidate, TxData } from './daWriter.ts'
import { BatcherError } from './errors.ts'

// EIP-4844 blob DA: each frame becomes one blob holding the data item `0x00 ++ frame` in the OP blob encoding
// (op-batcher DaTypeBlob); the tx itself has empty calldata.

/** Cancun's per-block (and so per-tx) blob limit. */
export const MAX_BLOBS_PER_TX = 6

export interface BlobWriterOptions {
  batchInbox: Address
  /** Blobs per tx, 1..6 (default 6). */
  maxBlobsPerTx?: number
}

export class BlobWriter implements DaWriter {
  readonly kind = 'blobs' as const
  readonly maxFramesPerTx: number
  /** A frame plus the data item's version byte must fit one blob. */
  readonly maxFrameSize = MAX_BLOB_DATA_SIZE - 1
  private readonly to: Address

  constructor(opts: BlobWriterOptions) {
    this.to = opts.batchInbox
    this.maxFramesPerTx = opts.maxBlobsPerTx ?? MAX_BLOBS_PER_TX
    if (this.maxFramesPerTx < 1 || this.maxFramesPerTx > MAX_BLOBS_PER_TX) {
      throw new BatcherError('BATCHER_BAD_CONFIG', `blobs per tx must be 1..${MAX_BLOBS_PER_TX}`)
    }
  }

  async prepare(data: TxData): Promise<TxCandidate> {
    if (data.frames.length > this.maxFramesPerTx) {
      throw new BatcherError('BATCHER_TOO_MANY_FRAMES', 'more frames than blobs per tx: size TxData for this writer', {
        id: data.id,
        frames: data.frames.length,
      })
    }
    const blobs = data.frames.map((f) => encodeBlob(encodeFrames([f])))
    return { to: this.to, data: new Uint8Array(0), blobs }
  }
}
