import { BatchError, UnknownBatchTypeError } from './batchErrors.ts'
import { rlpBytesLength, writeRlpBytes } from './rlp.ts'
import { decodeSingularBatch, encodeSingularBatch, SINGULAR_BATCH_TYPE, type SingularBatch } from './singularBatch.ts'
import { decodeRawSpanBatch, encodeRawSpanBatch, type RawSpanBatch, SPAN_BATCH_TYPE } from './spanBatch.ts'

// Batch data (spec §4.3): `batch_version ++ content`, carried in the channel as an RLP byte string.
//   0 -> singular batch (RLP list), 1 -> span batch (prefix ++ payload); anything else is an unknown batch type.

export { SINGULAR_BATCH_TYPE, SPAN_BATCH_TYPE }

export type BatchData =
  | { type: typeof SINGULAR_BATCH_TYPE; batch: SingularBatch }
  | { type: typeof SPAN_BATCH_TYPE; batch: RawSpanBatch }

/**
 * Decode `version ++ content`. Throws BatchError('empty'), UnknownBatchTypeError, BatchError('singular-rlp')
 * or SpanBatchError. Like op-node, bytes after the decoded batch are ignored.
 */
export function decodeBatch(data: Uint8Array): BatchData {
  if (data.length === 0) throw new BatchError('empty', 'batch too short')
  const version = data[0]!
  const content = data.subarray(1)
  switch (version) {
    case SINGULAR_BATCH_TYPE:
      return { type: SINGULAR_BATCH_TYPE, batch: decodeSingularBatch(content) }
    case SPAN_BATCH_TYPE:
      return { type: SPAN_BATCH_TYPE, batch: decodeRawSpanBatch(content) }
    default:
      throw new UnknownBatchTypeError(version)
  }
}

/** `version ++ content`. */
export function encodeBatch(b: BatchData): Uint8Array {
  const content = b.type === SINGULAR_BATCH_TYPE ? encodeSingularBatch(b.batch) : encodeRawSpanBatch(b.batch)
  const out = new Uint8Array(content.length + 1)
  out[0] = b.type
  out.set(content, 1)
  return out
}

/** The batch as it appears in channel data: an RLP byte string wrapping `version ++ content`. */
export function encodeBatchForChannel(b: BatchData): Uint8Array {
  const typed = encodeBatch(b)
  const out = new Uint8Array(rlpBytesLength(typed))
  writeRlpBytes(out, 0, typed)
  return out
}

/** Uncompressed channel data for a list of batches: the concatenation of their RLP strings. */
export function encodeChannelData(batches: readonly BatchData[]): Uint8Array {
  const parts = batches.map(encodeBatch)
  let size = 0
  for (const p of parts) size += rlpBytesLength(p)
  const out = new Uint8Array(size)
  let pos = 0
  for (const p of parts) pos = writeRlpBytes(out, pos, p)
  return out
}
