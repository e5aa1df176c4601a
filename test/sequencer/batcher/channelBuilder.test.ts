import { describe, expect, it } from 'vitest'
import { bytesToHex } from '../../../config/bytes.ts'
import { FRAME_OVERHEAD } from '../../../derivation/protocol/frame.ts'
import { ChannelBuilder, type ChannelConfig } from '../../../sequencer/batcher/channelBuilder.ts'
import { blockToSingularBatch } from '../../../sequencer/batcher/l2BlockSource.ts'
import { deriveFrames, GENESIS_TIME, L2_CHAIN_ID, makeBlocks } from './batcherBlocks.ts'

const base: ChannelConfig = {
  maxFrameSize: 1000,
  targetNumFrames: 3,
  maxChannelDuration: 0,
  channelTimeout: 50,
  seqWindowSize: 100,
  subSafetyMargin: 10,
  compression: 'brotli',
  genesisTimestamp: GENESIS_TIME,
  l2ChainId: L2_CHAIN_ID,
}

describe('ChannelBuilder', () => {
  it('fills up to the compressed target, hands back the block that does not fit, and frames within maxFrameSize', () => {
    const cb = new ChannelBuilder(base)
    const blocks = makeBlocks(1, 40, 5)
    let taken = 0
    for (const b of blocks) {
      if (!cb.addBlock(b)) break
      taken++
    }
    expect(cb.isFull).toBe(true)
    expect(cb.reason).toBe('size')
    expect(taken).toBeGreaterThan(1)
    expect(taken).toBeLessThan(blocks.length)
    expect(cb.compressedSize()).toBeLessThanOrEqual(cb.targetSize)
    const frames = cb.outputFrames()
    expect(frames.length).toBeLessThanOrEqual(base.targetNumFrames)
    for (const f of frames) expect(FRAME_OVERHEAD + f.data.length).toBeLessThanOrEqual(base.maxFrameSize)
    expect(frames.map((f) => f.isLast)).toEqual(frames.map((_, i) => i === frames.length - 1))
    // Derivation reads back exactly the non-deposit txs and timestamps of the blocks taken.
    const elements = deriveFrames(frames)
    expect(elements.length).toBe(taken)
    for (let i = 0; i < taken; i++) {
      const want = blockToSingularBatch(blocks[i]!)
      expect(elements[i]!.timestamp).toBe(BigInt(blocks[i]!.timestamp))
      expect(elements[i]!.epochNum).toBe(BigInt(blocks[i]!.l1origin.number))
      expect(elements[i]!.transactions.map(bytesToHex)).toEqual(want.transactions.map(bytesToHex))
    }
  })

  it('uses zlib when asked, and derivation reads it too', () => {
    const cb = new ChannelBuilder({ ...base, compression: 'zlib', maxFrameSize: 100_000 })
    const blocks = makeBlocks(1, 3, 2)
    for (const b of blocks) expect(cb.addBlock(b)).toBe(true)
    cb.close()
    const frames = cb.outputFrames()
    expect(frames[0]!.data[0]! & 0x0f).toBe(8)
    expect(deriveFrames(frames).length).toBe(3)
  })

  it('closes after maxChannelDuration L1 blocks from the first block origin', () => {
    const cb = new ChannelBuilder({ ...base, maxFrameSize: 100_000, maxChannelDuration: 4 })
    const [b] = makeBlocks(1, 1, 1, { l1Origin: () => 200 })
    cb.addBlock(b!)
    cb.checkTimeout(203)
    expect(cb.isFull).toBe(false)
    cb.checkTimeout(204)
    expect(cb.reason).toBe('duration')
  })

  it('closes when the sequencing window (less the safety margin) of its oldest origin runs out', () => {
    const cb = new ChannelBuilder({ ...base, maxFrameSize: 100_000 })
    for (const b of makeBlocks(1, 3, 1, { l1Origin: (n) => 300 + n })) cb.addBlock(b)
    cb.checkTimeout(300 + 1 + 100 - 10 - 1)
    expect(cb.isFull).toBe(false)
    cb.checkTimeout(300 + 1 + 100 - 10)
    expect(cb.reason).toBe('seq-window')
  })

  it('closes within the sub-safety margin of the channel timeout once a frame is on L1', () => {
    const cb = new ChannelBuilder({ ...base, maxFrameSize: 100_000, seqWindowSize: 10_000 })
    cb.addBlock(makeBlocks(1, 1, 1, { l1Origin: () => 10 })[0]!)
    cb.framePublished(20)
    cb.checkTimeout(20 + 50 - 10 - 1)
    expect(cb.isFull).toBe(false)
    cb.checkTimeout(20 + 50 - 10)
    expect(cb.reason).toBe('channel-timeout')
  })

  it('refuses to output an open channel', () => {
    const cb = new ChannelBuilder(base)
    expect(() => cb.outputFrames()).toThrow(/still open/)
  })
})
