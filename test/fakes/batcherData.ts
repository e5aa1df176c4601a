import { type BatchData, encodeChannelData, SINGULAR_BATCH_TYPE } from '../../derivation/protocol/batch.ts'
import { type CompressionAlgo, compressChannel } from '../../derivation/protocol/channelCompression.ts'
import { channelToFrames, encodeFrames, type Frame } from '../../derivation/protocol/frame.ts'
import type { SingularBatch } from '../../derivation/protocol/singularBatch.ts'

// Batcher-side helpers for derivation tests: batches -> compressed channel -> frames -> data items.

export function singular(batches: readonly SingularBatch[]): BatchData[] {
  return batches.map((batch) => ({ type: SINGULAR_BATCH_TYPE, batch }))
}

/** Compressed channel data for `batches`. */
export function buildChannel(batches: readonly BatchData[], algo: CompressionAlgo = 'zlib'): Uint8Array {
  return compressChannel(encodeChannelData(batches), algo)
}

/** The channel split into frames of at most `maxFrameSize` encoded bytes. */
export function buildFrames(
  id: Uint8Array,
  batches: readonly BatchData[],
  maxFrameSize: number,
  algo: CompressionAlgo = 'zlib',
): Frame[] {
  return channelToFrames(id, buildChannel(batches, algo), maxFrameSize)
}

/** One data item (`0x00 ++ frame`) per frame, as a batcher posting one frame per tx does. */
export function dataItems(frames: readonly Frame[]): Uint8Array[] {
  return frames.map((f) => encodeFrames([f]))
}
