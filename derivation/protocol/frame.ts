import { FrameError } from './batchErrors.ts'

// Frames (spec §4.2):
//   frame = channel_id(16) ++ frame_number(u16 BE) ++ frame_data_length(u32 BE) ++ frame_data ++ is_last(u8)
// A batcher data item is `DERIVATION_VERSION_0 ++ frame ++ frame ++ ...`. `parseFrames` takes the whole data
// item INCLUDING its version byte (like op-node's ParseFrames) and rejects any version other than 0x00; the
// L1 retrieval stage hands it every calldata/blob item as-is. Alt-DA items (0x01) must be resolved before.

/** Version byte of a batcher data item carrying frames. */
export const DERIVATION_VERSION_0 = 0x00
/** Version byte of a batcher data item carrying an Alt-DA commitment (§8). */
export const DERIVATION_VERSION_1 = 0x01
export const CHANNEL_ID_LENGTH = 16
/** Maximum frame_data_length. */
export const MAX_FRAME_LEN = 1_000_000
/** Fixed bytes per frame besides its data: 16 + 2 + 4 + 1. */
export const FRAME_OVERHEAD = 23

export interface Frame {
  /** 16-byte channel id. */
  channelId: Uint8Array
  /** u16. */
  frameNumber: number
  data: Uint8Array
  isLast: boolean
}

/** Encoded size of one frame (without the data item's version byte). */
export function frameSize(frame: Frame): number {
  return FRAME_OVERHEAD + frame.data.length
}

/** Write one frame at `pos` of `out`; returns the new offset. */
export function writeFrame(out: Uint8Array, pos: number, frame: Frame): number {
  if (frame.channelId.length !== CHANNEL_ID_LENGTH) {
    throw new RangeError(`channel id must be ${CHANNEL_ID_LENGTH} bytes, got ${frame.channelId.length}`)
  }
  if (!Number.isInteger(frame.frameNumber) || frame.frameNumber < 0 || frame.frameNumber > 0xffff) {
    throw new RangeError(`frame number must be a u16, got ${frame.frameNumber}`)
  }
  const len = frame.data.length
  if (len > MAX_FRAME_LEN) throw new RangeError(`frame data too large: ${len} > ${MAX_FRAME_LEN}`)
  out.set(frame.channelId, pos)
  pos += CHANNEL_ID_LENGTH
  out[pos++] = frame.frameNumber >>> 8
  out[pos++] = frame.frameNumber & 0xff
  out[pos++] = len >>> 24
  out[pos++] = (len >>> 16) & 0xff
  out[pos++] = (len >>> 8) & 0xff
  out[pos++] = len & 0xff
  out.set(frame.data, pos)
  pos += len
  out[pos++] = frame.isLast ? 1 : 0
  return pos
}

/** One frame, without a version byte. */
export function encodeFrame(frame: Frame): Uint8Array {
  const out = new Uint8Array(frameSize(frame))
  writeFrame(out, 0, frame)
  return out
}

/** A batcher data item: `0x00 ++ frames`. This is the L1 calldata (or blob payload) the batcher submits. */
export function encodeFrames(frames: readonly Frame[]): Uint8Array {
  if (frames.length === 0) throw new RangeError('a data item needs at least one frame')
  let size = 1
  for (const f of frames) size += frameSize(f)
  const out = new Uint8Array(size)
  out[0] = DERIVATION_VERSION_0
  let pos = 1
  for (const f of frames) pos = writeFrame(out, pos, f)
  return out
}

/**
 * Parse the frame starting at `pos` (no version byte). Returns the frame and the offset after it.
 * The frame's `channelId` and `data` are views into `buf`.
 */
export function parseFrame(buf: Uint8Array, pos: number, frameIndex = 0): { frame: Frame; next: number } {
  const end = buf.length
  if (end - pos < CHANNEL_ID_LENGTH + 6) {
    throw new FrameError('truncated', frameIndex, `header needs ${CHANNEL_ID_LENGTH + 6} bytes, have ${end - pos}`)
  }
  const channelId = buf.subarray(pos, pos + CHANNEL_ID_LENGTH)
  pos += CHANNEL_ID_LENGTH
  const frameNumber = (buf[pos]! << 8) | buf[pos + 1]!
  pos += 2
  const len = ((buf[pos]! << 24) | (buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!) >>> 0
  pos += 4
  if (len > MAX_FRAME_LEN) throw new FrameError('frame-too-large', frameIndex, `frame_data_length ${len}`)
  if (end - pos < len) throw new FrameError('truncated', frameIndex, `frame data needs ${len} bytes, have ${end - pos}`)
  const data = buf.subarray(pos, pos + len)
  pos += len
  if (pos >= end) throw new FrameError('truncated', frameIndex, 'missing is_last byte')
  const isLastByte = buf[pos++]!
  if (isLastByte > 1) throw new FrameError('invalid-is-last', frameIndex, `is_last byte ${isLastByte}`)
  return { frame: { channelId, frameNumber, data, isLast: isLastByte === 1 }, next: pos }
}

/**
 * Parse a batcher data item (`version ++ frames`), all-or-nothing: if any frame is malformed, or bytes are left
 * over, a FrameError is thrown and none of the item's frames may be used. Frames are views into `data`;
 * duplicate frame numbers are not rejected here (that is the channel bank's job).
 */
export function parseFrames(data: Uint8Array): Frame[] {
  if (data.length === 0) throw new FrameError('empty-data', -1)
  if (data[0] !== DERIVATION_VERSION_0) throw new FrameError('unknown-version', -1, `version byte ${data[0]}`)
  if (data.length === 1) throw new FrameError('no-frames', -1)
  const frames: Frame[] = []
  let pos = 1
  while (pos < data.length) {
    const { frame, next } = parseFrame(data, pos, frames.length)
    frames.push(frame)
    pos = next
  }
  return frames
}

/**
 * Split compressed channel data into frames of at most `maxFrameSize` encoded bytes each (frame overhead
 * included), numbering them from 0 and marking the last one. For the batcher.
 */
export function channelToFrames(channelId: Uint8Array, channelData: Uint8Array, maxFrameSize: number): Frame[] {
  const maxData = Math.min(maxFrameSize - FRAME_OVERHEAD, MAX_FRAME_LEN)
  if (maxData < 1) throw new RangeError(`max frame size ${maxFrameSize} leaves no room for data`)
  const count = Math.max(1, Math.ceil(channelData.length / maxData))
  if (count > 0x10000) throw new RangeError(`channel needs ${count} frames, more than a u16 can number`)
  const frames: Frame[] = []
  for (let i = 0; i < count; i++) {
    frames.push({
      channelId,
      frameNumber: i,
      data: channelData.subarray(i * maxData, Math.min((i + 1) * maxData, channelData.length)),
      isLast: i === count - 1,
    })
  }
  return frames
}

/** Lower-case hex of a channel id, for map keys and logs. */
export function channelIdHex(id: Uint8Array): string {
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex')
}
