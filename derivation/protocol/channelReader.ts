import { type BatchData, decodeBatch } from './batch.ts'
import { ChannelReadError, RlpError } from './batchErrors.ts'
import {
  type CompressionAlgo,
  type DecompressOptions,
  decompressChannel,
  maxRlpBytesPerChannel,
} from './channelCompression.ts'
import { newRlpItem, peekRlpHeader } from './rlp.ts'

// Channel reader, codec part (spec §4.3). Decompressed channel data is a sequence of RLP byte strings, each one
// batch (`batch_version ++ content`). op-node reads them through an RLP stream limited to
// MAX_RLP_BYTES_PER_CHANNEL bytes (counting headers) and decodes each batch inside that read, so:
//   - a batch whose string ends past the limit is not read;
//   - a malformed RLP header, a list, a truncated string or a batch that fails to decode stops the channel;
//   - batches read before the failure stay valid.

export interface ChannelBatchStrings {
  /** Each entry is one batch: `version ++ content` (a view into the input). */
  batches: Uint8Array[]
  /** Bytes consumed by the strings returned. */
  consumed: number
  /** Why reading stopped early; undefined when the data ended cleanly after the last string. */
  error?: ChannelReadError
}

/**
 * Split decompressed channel data into its RLP byte strings. `maxBytes` is MAX_RLP_BYTES_PER_CHANNEL (defaults to
 * no limit); strings ending past it are not returned.
 */
export function splitChannelBatches(
  data: Uint8Array,
  maxBytes: number = Number.POSITIVE_INFINITY,
): ChannelBatchStrings {
  const batches: Uint8Array[] = []
  const item = newRlpItem()
  const end = data.length
  let pos = 0
  while (pos < end) {
    if (pos >= maxBytes) {
      return { batches, consumed: pos, error: new ChannelReadError('limit', pos, 'no bytes left under the limit') }
    }
    try {
      peekRlpHeader(data, pos, end, item)
    } catch (e) {
      if (!(e instanceof RlpError)) throw e
      const reason = e.reason === 'truncated' ? (end >= maxBytes ? 'limit' : 'truncated') : 'rlp'
      return { batches, consumed: pos, error: new ChannelReadError(reason, pos, e.message, e) }
    }
    if (item.payloadStart > maxBytes || item.end > maxBytes) {
      return { batches, consumed: pos, error: new ChannelReadError('limit', pos, `string ends at ${item.end}`) }
    }
    if (item.isList) {
      return { batches, consumed: pos, error: new ChannelReadError('expected-string', pos) }
    }
    if (item.end > end) {
      return { batches, consumed: pos, error: new ChannelReadError('truncated', pos, `string ends at ${item.end}`) }
    }
    if (item.payloadStart !== item.start && item.end - item.payloadStart === 1 && data[item.payloadStart]! < 0x80) {
      const e = new RlpError('non-canonical-size', pos, 'single byte < 0x80 wrapped as string')
      return { batches, consumed: pos, error: new ChannelReadError('rlp', pos, e.message, e) }
    }
    batches.push(data.subarray(item.payloadStart, item.end))
    pos = item.end
  }
  return { batches, consumed: pos }
}

export interface ChannelBatches {
  batches: BatchData[]
  /** Why reading stopped early (the batches before it are valid). */
  error?: ChannelReadError
}

/**
 * Split and decode the batches of decompressed channel data, stopping at the first RLP or batch decode error
 * (op-node stops reading the channel there). Span batches are returned raw; derive them with deriveSpanBatch.
 */
export function readChannelBatches(data: Uint8Array, maxBytes: number = Number.POSITIVE_INFINITY): ChannelBatches {
  const split = splitChannelBatches(data, maxBytes)
  const batches: BatchData[] = []
  let offset = 0
  for (const raw of split.batches) {
    // Offset of this string in `data` (raw is a view into it).
    offset = raw.byteOffset - data.byteOffset
    try {
      batches.push(decodeBatch(raw))
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e)
      return { batches, error: new ChannelReadError('batch', offset, msg, e) }
    }
  }
  return split.error ? { batches, error: split.error } : { batches }
}

export interface DecodedChannel extends ChannelBatches {
  algo: CompressionAlgo
  /** Size of the decompressed data that was read. */
  decompressedLength: number
  /** Set when the compressed stream was corrupt (batches before the corruption are still returned). */
  decompressError?: string
}

/**
 * Decompress a complete channel and read its batches: the channel reader stage's codec work. Throws
 * ChannelCompressionError when the channel cannot be decompressed at all.
 */
export function decodeChannel(channelData: Uint8Array, opts: DecompressOptions): DecodedChannel {
  const maxBytes = opts.maxBytes ?? maxRlpBytesPerChannel(opts.isFjord)
  const d = decompressChannel(channelData, { isFjord: opts.isFjord, maxBytes })
  const read = readChannelBatches(d.data, maxBytes)
  const out: DecodedChannel = { algo: d.algo, decompressedLength: d.data.length, batches: read.batches }
  if (read.error) out.error = read.error
  if (d.error !== undefined) out.decompressError = d.error
  return out
}
