import { NodeError } from '../../config/errors.ts'

// Typed decode errors of the batch-submission codecs (frames, channels, batches). Every class carries a `reason` literal so callers and
// tests can branch on what went wrong without parsing messages. None of these capture anything but the
// position/values needed to explain the failure.

export type RlpErrorReason =
  | 'truncated' // the input ends inside the item (geth io.ErrUnexpectedEOF)
  | 'value-too-large' // a top-level item is larger than the remaining input limit (geth ErrValueTooLarge)
  | 'element-too-large' // an element is larger than its containing list (geth ErrElemTooLarge)
  | 'non-canonical-size' // non-minimal size prefix or single byte < 0x80 wrapped as string (geth ErrCanonSize)
  | 'non-canonical-int' // integer with leading zero bytes (geth ErrCanonInt)
  | 'uint-overflow' // integer wider than its type
  | 'expected-string'
  | 'expected-list'
  | 'wrong-length' // fixed-size byte array of the wrong length
  | 'too-few-elements'
  | 'too-many-elements'
  | 'trailing-data' // bytes after a value that must be the whole input

export class RlpError extends NodeError<'RLP_INVALID'> {
  readonly reason: RlpErrorReason
  readonly offset: number

  constructor(reason: RlpErrorReason, offset: number, detail = '') {
    super('RLP_INVALID', `invalid RLP (${reason}) at offset ${offset}${detail ? `: ${detail}` : ''}`, {
      reason,
      offset,
    })
    this.reason = reason
    this.offset = offset
  }
}

export type FrameErrorReason =
  | 'empty-data' // the data item has no bytes at all
  | 'unknown-version' // the derivation version byte is not 0x00
  | 'no-frames' // only the version byte
  | 'truncated' // a frame header or its data runs past the end of the item
  | 'frame-too-large' // frame_data_length > MAX_FRAME_LEN
  | 'invalid-is-last' // is_last byte not 0 or 1

export class FrameError extends NodeError<'FRAME_INVALID'> {
  readonly reason: FrameErrorReason
  /** Index of the frame that failed to parse (0-based), -1 when not frame specific. */
  readonly frameIndex: number

  constructor(reason: FrameErrorReason, frameIndex: number, detail = '') {
    super('FRAME_INVALID', `invalid frame data (${reason})${detail ? `: ${detail}` : ''}`, { reason, frameIndex })
    this.reason = reason
    this.frameIndex = frameIndex
  }
}

export type ChannelCompressionErrorReason =
  | 'empty' // no channel data
  | 'unknown-algorithm' // first byte is neither zlib nor the brotli version byte
  | 'brotli-before-fjord' // 0x01 channel before Fjord is active
  | 'zlib-header' // zlib header fails CM/CINFO/FCHECK (Go zlib.ErrHeader)
  | 'zlib-dictionary' // zlib FDICT set (Go zlib.ErrDictionary)

export class ChannelCompressionError extends NodeError<'CHANNEL_COMPRESSION_INVALID'> {
  readonly reason: ChannelCompressionErrorReason

  constructor(reason: ChannelCompressionErrorReason, detail = '') {
    super('CHANNEL_COMPRESSION_INVALID', `invalid channel compression (${reason})${detail ? `: ${detail}` : ''}`, {
      reason,
    })
    this.reason = reason
  }
}

export type ChannelReadErrorReason =
  | 'rlp' // malformed RLP between batches (cause is an RlpError)
  | 'expected-string' // a top-level item is a list
  | 'limit' // the next batch does not fit in MAX_RLP_BYTES_PER_CHANNEL
  | 'truncated' // the decompressed stream ends inside a batch
  | 'batch' // the batch payload failed to decode (cause holds the batch error)

export class ChannelReadError extends NodeError<'CHANNEL_READ_FAILED'> {
  readonly reason: ChannelReadErrorReason
  /** Byte offset in the decompressed channel where reading stopped. */
  readonly offset: number

  constructor(reason: ChannelReadErrorReason, offset: number, detail = '', cause?: unknown) {
    super(
      'CHANNEL_READ_FAILED',
      `channel read stopped (${reason}) at offset ${offset}${detail ? `: ${detail}` : ''}`,
      { reason, offset },
      cause === undefined ? undefined : { cause },
    )
    this.reason = reason
    this.offset = offset
  }
}

export type BatchErrorReason = 'empty' | 'unknown-batch-type' | 'singular-rlp'

export class BatchError extends NodeError<'BATCH_INVALID' | 'BATCH_UNKNOWN_TYPE'> {
  readonly reason: BatchErrorReason

  constructor(reason: BatchErrorReason, detail = '', cause?: unknown) {
    super(
      reason === 'unknown-batch-type' ? 'BATCH_UNKNOWN_TYPE' : 'BATCH_INVALID',
      `invalid batch (${reason})${detail ? `: ${detail}` : ''}`,
      { reason },
      cause === undefined ? undefined : { cause },
    )
    this.reason = reason
  }
}

/** A batch whose version byte is neither 0 (singular) nor 1 (span). */
export class UnknownBatchTypeError extends BatchError {
  readonly batchType: number

  constructor(batchType: number) {
    super('unknown-batch-type', `unrecognized batch type ${batchType}`)
    this.batchType = batchType
  }
}

export type SpanBatchErrorReason =
  | 'truncated' // input ends inside a field
  | 'varint-overflow' // uvarint longer than 64 bits
  | 'empty' // block_count == 0
  | 'too-big' // a count exceeds MAX_SPAN_BATCH_ELEMENT_COUNT (op-node ErrTooBigSpanBatchSize)
  | 'bitlist-overflow' // a bitlist has bits set at or above its length
  | 'tx-data-not-list' // tx_datas entry is not an RLP list
  | 'tx-data-rlp' // tx_datas entry is malformed RLP
  | 'tx-type-unsupported' // tx type not derivable (or type 4 without Isthmus)
  | 'set-code-creation' // a type-4 transaction marked as contract creation
  | 'invalid-tx' // a full transaction handed to the encoder is malformed
  | 'invalid-signature' // v value not representable in a span batch
  | 'chain-id-mismatch' // protected tx for another chain (encoder)
  | 'unordered' // singular batches appended out of timestamp order (encoder)

export class SpanBatchError extends NodeError<'SPAN_BATCH_INVALID'> {
  readonly reason: SpanBatchErrorReason

  constructor(reason: SpanBatchErrorReason, detail = '', cause?: unknown) {
    super(
      'SPAN_BATCH_INVALID',
      `invalid span batch (${reason})${detail ? `: ${detail}` : ''}`,
      { reason },
      cause === undefined ? undefined : { cause },
    )
    this.reason = reason
  }
}
