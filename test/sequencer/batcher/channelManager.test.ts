import { describe, expect, it } from 'vitest'
import { bytesToHex } from '../../../config/bytes.ts'
import { FRAME_OVERHEAD } from '../../../derivation/protocol/frame.ts'
import { ChannelManager, type ChannelManagerConfig } from '../../../sequencer/batcher/channelManager.ts'
import { BatcherError } from '../../../sequencer/batcher/errors.ts'
import { blockToSingularBatch } from '../../../sequencer/batcher/l2BlockSource.ts'
import { blockHash, deriveFrames, GENESIS_TIME, L2_CHAIN_ID, makeBlocks } from './batcherBlocks.ts'

const cfg: ChannelManagerConfig = {
  maxFrameSize: 600,
  maxFramesPerTx: 2,
  targetNumFrames: 4,
  maxChannelDuration: 0,
  channelTimeout: 50,
  seqWindowSize: 3600,
  subSafetyMargin: 10,
  compression: 'brotli',
  genesisTimestamp: GENESIS_TIME,
  l2ChainId: L2_CHAIN_ID,
}

function drain(m: ChannelManager, l1Head = 100) {
  const out = []
  for (let d = m.txData(l1Head); d; d = m.txData(l1Head)) out.push(d)
  return out
}

describe('ChannelManager', () => {
  it('hands out TxData of at most maxFramesPerTx frames once a channel is full; all blocks reach derivation once', () => {
    const m = new ChannelManager(cfg)
    const blocks = makeBlocks(1, 30, 4)
    for (const b of blocks) m.addL2Block(b)
    const datas = drain(m)
    m.closeChannels()
    datas.push(...drain(m))
    expect(new Set(datas.map((d) => d.id)).size).toBe(datas.length)
    const byChannel = new Map<string, (typeof datas)[number]['frames'][number][]>()
    for (const d of datas) {
      expect(d.frames.length).toBeLessThanOrEqual(cfg.maxFramesPerTx)
      for (const f of d.frames) {
        expect(FRAME_OVERHEAD + f.data.length).toBeLessThanOrEqual(cfg.maxFrameSize)
        const k = bytesToHex(f.channelId)
        byChannel.set(k, [...(byChannel.get(k) ?? []), f])
      }
    }
    expect(byChannel.size).toBeGreaterThan(1)
    const derived = [...byChannel.values()].flatMap((frames) => deriveFrames(frames))
    expect(derived.map((e) => e.timestamp)).toEqual(blocks.map((b) => BigInt(b.timestamp)))
    expect(derived.flatMap((e) => e.transactions.map(bytesToHex))).toEqual(
      blocks.flatMap((b) => blockToSingularBatch(b).transactions.map(bytesToHex)),
    )
    // every tx confirmed in the same L1 block: all channels finish
    const outcomes = datas.map((d) => m.txConfirmed(d.id, 120))
    expect(outcomes.filter((o) => o === 'channel-done').length).toBe(byChannel.size)
    expect(m.openChannels).toBe(0)
  })

  it('detects a parent-hash break (L2 reorg) and resumes from the safe head after clear', () => {
    const m = new ChannelManager(cfg)
    const blocks = makeBlocks(1, 3, 1)
    m.addL2Block(blocks[0]!)
    m.addL2Block(blocks[1]!)
    const other = makeBlocks(3, 1, 1, { salt: 7 })[0]!
    const forked = { ...other, parentHash: blockHash(2, 9) }
    expect(() => m.addL2Block(forked)).toThrow(BatcherError)
    m.clear({ number: 1, hash: blocks[0]!.hash })
    expect(m.queuedBlocks).toBe(0)
    m.addL2Block(blocks[1]!)
    expect(m.tipHash).toBe(blocks[1]!.hash)
  })

  it('re-queues the frames of a failed tx and hands them out again, in frame order', () => {
    const m = new ChannelManager({ ...cfg, maxFramesPerTx: 1 })
    for (const b of makeBlocks(1, 30, 4)) m.addL2Block(b)
    const first = m.txData(100)!
    const second = m.txData(100)!
    expect(first.frames[0]!.frameNumber).toBe(0)
    expect(second.frames[0]!.frameNumber).toBe(1)
    m.txFailed(first.id)
    const again = m.txData(100)!
    expect(again.id).toBe(first.id)
    expect(again.frames[0]!.frameNumber).toBe(0)
    expect(m.txConfirmed('nope:0', 1)).toBe('unknown-tx')
  })

  it('re-sends the blocks of a channel whose frames landed a channel timeout apart, in a new channel', () => {
    const m = new ChannelManager({ ...cfg, maxFramesPerTx: 1 })
    const blocks = makeBlocks(1, 30, 4)
    for (const b of blocks) m.addL2Block(b)
    const a = m.txData(100)!
    const b = m.txData(100)!
    const firstChannel = bytesToHex(a.frames[0]!.channelId)
    expect(m.txConfirmed(a.id, 100)).toBe('confirmed')
    expect(m.txConfirmed(b.id, 100 + cfg.channelTimeout)).toBe('channel-timed-out')
    // everything is rebuilt from the first block: drain, force-close, and derive all blocks again
    const datas = drain(m)
    m.closeChannels()
    datas.push(...drain(m))
    expect(datas.every((d) => bytesToHex(d.frames[0]!.channelId) !== firstChannel)).toBe(true)
    const byChannel = new Map<string, (typeof datas)[number]['frames'][number][]>()
    for (const d of datas) {
      const k = bytesToHex(d.frames[0]!.channelId)
      byChannel.set(k, [...(byChannel.get(k) ?? []), ...d.frames])
    }
    const derived = [...byChannel.values()].flatMap((f) => deriveFrames(f))
    expect(derived.map((e) => e.timestamp)).toEqual(blocks.map((x) => BigInt(x.timestamp)))
  })

  it('closeChannels puts every queued block into closed channels, even more than one channel holds', () => {
    const m = new ChannelManager({ ...cfg, targetNumFrames: 2 })
    const blocks = makeBlocks(1, 25, 4)
    for (const b of blocks) m.addL2Block(b)
    m.closeChannels()
    expect(m.queuedBlocks).toBe(0)
    expect(m.openChannels).toBeGreaterThan(1)
    const byChannel = new Map<string, (typeof datas)[number]['frames'][number][]>()
    const datas = drain(m)
    for (const d of datas) {
      const k = bytesToHex(d.frames[0]!.channelId)
      byChannel.set(k, [...(byChannel.get(k) ?? []), ...d.frames])
    }
    const derived = [...byChannel.values()].flatMap((f) => deriveFrames(f))
    expect(derived.map((e) => e.timestamp)).toEqual(blocks.map((x) => BigInt(x.timestamp)))
  })
})
