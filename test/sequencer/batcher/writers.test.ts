import { describe, expect, it } from 'vitest'
import { bytesToHex } from '../../../config/bytes.ts'
import { BLOB_SIZE, decodeBlob } from '../../../derivation/protocol/blob.ts'
import { channelToFrames, encodeFrames, parseFrames } from '../../../derivation/protocol/frame.ts'
import { batcherRollupConfig, frameLimits } from '../../../sequencer/batcher/batcher.ts'
import { BlobWriter } from '../../../sequencer/batcher/blobWriter.ts'
import { CalldataWriter } from '../../../sequencer/batcher/calldataWriter.ts'
import { BatcherError } from '../../../sequencer/batcher/errors.ts'

const inbox = '0xff00000000000000000000000000000000000901'

function payload(n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = (i * 131 + 7) & 0xff
  return out
}

describe('DA writers', () => {
  it('calldata: 0x00 ++ frame, parsed back by derivation', async () => {
    const w = new CalldataWriter({ batchInbox: inbox })
    const frames = channelToFrames(new Uint8Array(16).fill(3), payload(300_000), w.maxFrameSize)
    const c = await w.prepare({ id: 'x', frames: [frames[0]!] })
    expect(c.to).toBe(inbox)
    expect(c.blobs).toBeUndefined()
    expect(c.data.length).toBe(120_000)
    const back = parseFrames(c.data)
    expect(back.length).toBe(1)
    expect(bytesToHex(back[0]!.data)).toBe(bytesToHex(frames[0]!.data))
  })

  it('blobs: one frame per blob in the OP blob encoding; decodeBlob gives back 0x00 ++ frame', async () => {
    const w = new BlobWriter({ batchInbox: inbox })
    // the largest frames a blob can take, plus a short last one
    const frames = channelToFrames(new Uint8Array(16).fill(5), payload(w.maxFrameSize * 5 + 1000), w.maxFrameSize)
    expect(frames.length).toBe(6)
    const c = await w.prepare({ id: 'y', frames })
    expect(c.data.length).toBe(0)
    expect(c.blobs!.length).toBe(6)
    for (let i = 0; i < 6; i++) {
      expect(c.blobs![i]!.length).toBe(BLOB_SIZE)
      expect(bytesToHex(decodeBlob(c.blobs![i]!))).toBe(bytesToHex(encodeFrames([frames[i]!])))
    }
    await expect(w.prepare({ id: 'z', frames: [...frames, frames[0]!] })).rejects.toThrow(BatcherError)
  })

  it('frames are sized for the smallest writer in play; a calldata fallback takes one frame per tx', () => {
    const blobs = new BlobWriter({ batchInbox: inbox })
    const calldata = new CalldataWriter({ batchInbox: inbox })
    expect(frameLimits([blobs])).toEqual({ maxFrameSize: 130_043, maxFramesPerTx: 6 })
    expect(frameLimits([calldata])).toEqual({ maxFrameSize: 119_999, maxFramesPerTx: 1 })
    const altda = { kind: 'altda' as const, maxFramesPerTx: 8, maxFrameSize: 200_000, prepare: blobs.prepare }
    expect(frameLimits([altda, blobs])).toEqual({ maxFrameSize: 130_043, maxFramesPerTx: 6 })
    expect(frameLimits([altda, calldata]).maxFrameSize).toBe(119_999)
  })

  it('reads its rollup.json fields', () => {
    const rollup = {
      genesis: { l2_time: 1_700_000_000 },
      l2_chain_id: 901,
      channel_timeout: 300,
      seq_window_size: 3600,
    } as Parameters<typeof batcherRollupConfig>[0]
    expect(batcherRollupConfig(rollup)).toEqual({
      genesisTimestamp: 1_700_000_000,
      l2ChainId: 901n,
      channelTimeout: 300,
      seqWindowSize: 3600,
    })
  })
})
