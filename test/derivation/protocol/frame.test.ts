import { describe, expect, it } from 'vitest'
import { FrameError } from '../../../derivation/protocol/batchErrors.ts'
import {
  channelIdHex,
  channelToFrames,
  encodeFrame,
  encodeFrames,
  FRAME_OVERHEAD,
  type Frame,
  MAX_FRAME_LEN,
  parseFrame,
  parseFrames,
} from '../../../derivation/protocol/frame.ts'
import { concat, fixtureJson, hex, opMainnetBatcherCalldata, Rng } from './helpers.ts'

function frame(rng: Rng, n: number, len: number, isLast = false): Frame {
  return { channelId: rng.bytes(16), frameNumber: n, data: rng.bytes(len), isLast }
}

function expectFrameError(data: Uint8Array, reason: FrameError['reason'], frameIndex?: number): void {
  let err: unknown
  try {
    parseFrames(data)
  } catch (e) {
    err = e
  }
  expect(err).toBeInstanceOf(FrameError)
  expect((err as FrameError).reason).toBe(reason)
  expect((err as FrameError).code).toBe('FRAME_INVALID')
  if (frameIndex !== undefined) expect((err as FrameError).frameIndex).toBe(frameIndex)
}

describe('frames: OP Mainnet batcher transaction', () => {
  it('extracts 119,823 bytes of calldata holding one frame (version byte 0x00)', () => {
    const calldata = opMainnetBatcherCalldata()
    expect(calldata.length).toBe(119_823)
    expect(calldata[0]).toBe(0x00)
    const frames = parseFrames(calldata)
    const expected = fixtureJson<{
      files: Record<
        string,
        {
          decoded_independently: {
            frames: { channel_id: string; frame_number: number; frame_data_length: number; is_last: number }[]
          }
        }
      >
    }>('batcher/expected.json').files['op-mainnet-batcher-tx.bin']!.decoded_independently.frames
    expect(frames).toHaveLength(1)
    const f = frames[0]!
    expect(channelIdHex(f.channelId)).toBe('ac329933f5efdcc35ccd284232a376d3')
    expect(channelIdHex(f.channelId)).toBe(expected[0]!.channel_id)
    expect(f.frameNumber).toBe(0)
    expect(f.data.length).toBe(119_799)
    expect(f.isLast).toBe(true)
    // Re-encoding gives the calldata back.
    expect(hex(encodeFrames(frames))).toBe(hex(calldata))
  })
})

describe('frames: encode / parse', () => {
  it('round-trips random frames, several per data item', () => {
    const rng = new Rng(1)
    for (let round = 0; round < 50; round++) {
      const frames: Frame[] = []
      const count = 1 + rng.int(5)
      for (let i = 0; i < count; i++) frames.push(frame(rng, rng.int(0x10000), rng.int(300), rng.bool()))
      const item = encodeFrames(frames)
      expect(item.length).toBe(1 + frames.reduce((s, f) => s + FRAME_OVERHEAD + f.data.length, 0))
      const parsed = parseFrames(item)
      expect(parsed).toEqual(frames)
    }
  })

  it('accepts empty frame data and the maximum frame length', () => {
    const rng = new Rng(2)
    const empty = frame(rng, 7, 0, true)
    expect(parseFrames(encodeFrames([empty]))).toEqual([empty])
    const max = frame(rng, 0, MAX_FRAME_LEN)
    const parsed = parseFrames(encodeFrames([max]))
    expect(parsed[0]!.data.length).toBe(MAX_FRAME_LEN)
  })

  it('parses one frame without a version byte with parseFrame', () => {
    const rng = new Rng(3)
    const f = frame(rng, 3, 10, true)
    const enc = encodeFrame(f)
    const { frame: got, next } = parseFrame(enc, 0)
    expect(got).toEqual(f)
    expect(next).toBe(enc.length)
  })

  it('returns views into the input and independent results when the same item is parsed twice', () => {
    const rng = new Rng(4)
    const item = encodeFrames([frame(rng, 0, 5), frame(rng, 1, 6, true)])
    const a = parseFrames(item)
    const b = parseFrames(item)
    expect(a).toEqual(b)
    expect(a).not.toBe(b)
    expect(a[0]!.data.buffer).toBe(item.buffer)
  })

  it('does not reject duplicate frame numbers in one item (the channel bank does)', () => {
    const rng = new Rng(5)
    const f = frame(rng, 4, 8)
    const parsed = parseFrames(encodeFrames([f, f]))
    expect(parsed).toHaveLength(2)
    expect(parsed[0]).toEqual(parsed[1])
  })

  it('splits channel data into numbered frames that reassemble', () => {
    const rng = new Rng(6)
    const id = rng.bytes(16)
    const data = rng.bytes(1000)
    const frames = channelToFrames(id, data, FRAME_OVERHEAD + 300)
    expect(frames.map((f) => f.frameNumber)).toEqual([0, 1, 2, 3])
    expect(frames.map((f) => f.isLast)).toEqual([false, false, false, true])
    expect(hex(concat(...frames.map((f) => f.data)))).toBe(hex(data))
    for (const f of frames) expect(encodeFrame(f).length).toBeLessThanOrEqual(FRAME_OVERHEAD + 300)
    expect(channelToFrames(id, new Uint8Array(0), 100)).toHaveLength(1)
  })

  it('refuses to encode invalid frames', () => {
    const rng = new Rng(7)
    expect(() => encodeFrame({ ...frame(rng, 0, 1), channelId: new Uint8Array(15) })).toThrow(RangeError)
    expect(() => encodeFrame(frame(rng, 0x10000, 1))).toThrow(RangeError)
    expect(() => encodeFrames([])).toThrow(RangeError)
  })
})

describe('frames: malformed data items drop every frame', () => {
  const rng = new Rng(8)
  const good = encodeFrames([frame(rng, 0, 20), frame(rng, 1, 30, true)])

  it('rejects an empty item, a non-zero version and a version byte alone', () => {
    expectFrameError(new Uint8Array(0), 'empty-data')
    const v1 = good.slice()
    v1[0] = 0x01
    expectFrameError(v1, 'unknown-version')
    expectFrameError(Uint8Array.of(0), 'no-frames')
  })

  it('rejects truncation anywhere in the second frame, dropping the valid first frame too', () => {
    const secondStart = 1 + FRAME_OVERHEAD + 20
    for (let cut = secondStart + 1; cut < good.length; cut++) {
      expectFrameError(good.subarray(0, cut), 'truncated', 1)
    }
    // Cutting inside the first frame's header.
    expectFrameError(good.subarray(0, 10), 'truncated', 0)
  })

  it('rejects is_last values other than 0 and 1', () => {
    for (const bad of [2, 0x80, 0xff]) {
      const d = good.slice()
      d[1 + FRAME_OVERHEAD + 20 - 1] = bad
      expectFrameError(d, 'invalid-is-last', 0)
    }
  })

  it('rejects frame_data_length > 1,000,000 even when that many bytes follow', () => {
    const d = new Uint8Array(1 + FRAME_OVERHEAD + MAX_FRAME_LEN + 1)
    const view = new DataView(d.buffer)
    view.setUint32(1 + 18, MAX_FRAME_LEN + 1)
    expectFrameError(d, 'frame-too-large', 0)
    view.setUint32(1 + 18, 0xffffffff)
    expectFrameError(d, 'frame-too-large', 0)
  })

  it('rejects trailing bytes after the last frame', () => {
    expectFrameError(concat(good, Uint8Array.of(0)), 'truncated', 2)
    expectFrameError(concat(good, new Uint8Array(22)), 'truncated', 2)
  })
})
