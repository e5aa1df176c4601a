import { describe, expect, it } from 'vitest'
import { silentLogger } from '../../../config/logger.ts'
import {
  CHANNEL_TIMEOUT_GRANITE,
  type DerivationConfig,
  MAX_CHANNEL_BANK_SIZE_BEDROCK,
  MAX_CHANNEL_BANK_SIZE_FJORD,
} from '../../../derivation/params.ts'
import { EOF, isCritical, NOT_ENOUGH_DATA } from '../../../derivation/pipelineErrors.ts'
import { channelIdHex } from '../../../derivation/protocol/frame.ts'
import { Channel, ChannelBank } from '../../../derivation/stages/channelBank.ts'
import { channelId, FakeFrameProvider, frame, ref } from '../../fakes/fakeFrameProvider.ts'

const text = (b: Uint8Array | symbol) => (typeof b === 'symbol' ? b : new TextDecoder().decode(b))

function cfg(over: Partial<DerivationConfig> = {}): DerivationConfig {
  return { blockTime: 2, channelTimeout: 10, batchInboxAddress: '0xff00000000000000000000000000000000000010', ...over }
}

function setup(over: Partial<DerivationConfig> = {}, origin = ref(100)) {
  const prev = new FakeFrameProvider(origin)
  const bank = new ChannelBank(cfg(over), prev, { logger: silentLogger() })
  return { prev, bank }
}

/** Pull until EOF, collecting channel data as text. */
async function drain(bank: ChannelBank): Promise<string[]> {
  const out: string[] = []
  for (let i = 0; i < 1000; i++) {
    const r = await bank.nextData()
    if (r === EOF) return out
    if (r !== NOT_ENOUGH_DATA) out.push(text(r) as string)
  }
  throw new Error('no EOF')
}

describe('ChannelBank', () => {
  it('assembles a channel from out-of-order frames', async () => {
    const { prev, bank } = setup()
    prev.push('a:2:third!', 'a:0:first', 'a:1:second')
    expect(await drain(bank)).toEqual(['firstsecondthird'])
    expect(bank.channelIds()).toEqual([])
  })

  it('ignores duplicate frames (the first one wins)', async () => {
    const { prev, bank } = setup()
    prev.push('a:0:first', 'a:0:other', 'a:1:second!', 'a:1:again!')
    expect(await drain(bank)).toEqual(['firstsecond'])
  })

  it('rejects a second closing frame and frames at or after the end', () => {
    const { bank } = setup()
    bank.ingestFrame(frame('a:2:end!'))
    bank.ingestFrame(frame('a:3:after'))
    bank.ingestFrame(frame('a:2:dup!'))
    bank.ingestFrame(frame('a:1:closing-again!'))
    const ch = bank.channel(channelIdHex(channelId('a')))!
    expect([...ch.inputs.keys()]).toEqual([2])
    expect(ch.endFrameNumber).toBe(2)
    expect(bank.read()).toBe(EOF)
    bank.ingestFrame(frame('a:0:x'))
    bank.ingestFrame(frame('a:1:y'))
    expect(text(bank.read())).toBe('xyend')
  })

  it('truncates frames past a late closing frame, with the op-node size-accounting quirk', () => {
    const ch = new Channel(channelId('a'), ref(1))
    expect(ch.addFrame(frame('a:0:aaaa'), ref(1))).toBeNull()
    expect(ch.addFrame(frame('a:1:bbbb'), ref(1))).toBeNull()
    expect(ch.addFrame(frame('a:3:dddd'), ref(1))).toBeNull()
    expect(ch.addFrame(frame('a:4:eeee'), ref(1))).toBeNull()
    expect(ch.size).toBe(4 * 204)
    // Closing at 2 drops frames 3 and 4; every visited frame's size is subtracted, so only frame 2 is counted.
    expect(ch.addFrame(frame('a:2:cc!'), ref(2))).toBeNull()
    expect([...ch.inputs.keys()].sort()).toEqual([0, 1, 2])
    expect(ch.size).toBe(202)
    expect(ch.highestFrameNumber).toBe(2)
    expect(ch.highestL1InclusionBlock.number).toBe(2)
    expect(ch.isReady()).toBe(true)
    expect(new TextDecoder().decode(ch.data())).toBe('aaaabbbbcc')
  })

  it('the quirk lets a truncated channel survive pruning it would otherwise trigger', () => {
    const { bank } = setup()
    const big = 'x'.repeat(1000)
    bank.ingestFrame(frame(`a:0:${big}`))
    bank.ingestFrame(frame(`a:5:${big}`))
    bank.ingestFrame(frame('a:1:end!'))
    // Real content is 1000+200 + 3+200, but op-node counts only the closing frame.
    expect(bank.totalSize()).toBe(203)
    expect(text(bank.read())).toBe(`${big}end`)
  })

  describe('timeout', () => {
    it('drops a channel once openBlock + CHANNEL_TIMEOUT < origin (pre-Granite: config value)', async () => {
      const { prev, bank } = setup({ channelTimeout: 10 }, ref(100))
      prev.push('a:0:first')
      expect(await bank.nextData()).toBe(NOT_ENOUGH_DATA)
      // At exactly openBlock + timeout the channel is still open and accepts frames.
      prev.setOrigin(ref(110))
      prev.push('a:1:second!')
      expect(await drain(bank)).toEqual(['firstsecond'])

      prev.setOrigin(ref(200))
      bank.ingestFrame(frame('b:0:first'))
      prev.setOrigin(ref(211))
      // A frame for a timed-out channel is ignored ...
      bank.ingestFrame(frame('b:1:late!'))
      expect([...bank.channel(channelIdHex(channelId('b')))!.inputs.keys()]).toEqual([0])
      // ... and the next read drops the channel.
      prev.push('b:2:later!')
      expect(await bank.nextData()).toBe(NOT_ENOUGH_DATA)
      expect(bank.channelIds()).toEqual([])
      // A later frame with the same id opens a fresh channel at the current origin.
      expect(await drain(bank)).toEqual([])
      const fresh = bank.channel(channelIdHex(channelId('b')))!
      expect(fresh.openBlock.number).toBe(211)
      expect([...fresh.inputs.keys()]).toEqual([2])
    })

    it('uses 50 from Granite, keyed on the origin time', () => {
      const graniteTime = ref(160).timestamp
      const { prev, bank } = setup({ channelTimeout: 300, graniteTime }, ref(100))
      bank.ingestFrame(frame('a:0:first'))
      prev.setOrigin(ref(100 + CHANNEL_TIMEOUT_GRANITE)) // before Granite: timeout 300
      expect(bank.read()).toBe(EOF)
      prev.setOrigin(ref(100 + CHANNEL_TIMEOUT_GRANITE + 1)) // still pre-Granite (block 151 < 160)
      expect(bank.read()).toBe(EOF)
      prev.setOrigin(ref(160)) // Granite: 100 + 50 < 160
      expect(bank.read()).toBe(NOT_ENOUGH_DATA)
      expect(bank.channelIds()).toEqual([])
    })

    it('removes several timed-out channels one read at a time', () => {
      const { prev, bank } = setup({ channelTimeout: 5 }, ref(10))
      bank.ingestFrame(frame('a:0:x'))
      bank.ingestFrame(frame('b:0:x'))
      bank.ingestFrame(frame('c:0:x!'))
      prev.setOrigin(ref(16))
      expect(bank.read()).toBe(NOT_ENOUGH_DATA)
      expect(bank.read()).toBe(NOT_ENOUGH_DATA)
      expect(bank.read()).toBe(NOT_ENOUGH_DATA)
      expect(bank.read()).toBe(EOF)
    })
  })

  describe('pruning', () => {
    const data = 'y'.repeat(999_800) // 1,000,000 bytes counted with the 200 overhead

    it('drops channels from the head while over MAX_CHANNEL_BANK_SIZE (pre-Fjord 100 MB)', () => {
      const { bank } = setup()
      const frames = MAX_CHANNEL_BANK_SIZE_BEDROCK / 1_000_000
      for (let i = 0; i < frames; i++) bank.ingestFrame(frame(`${i < 50 ? 'a' : 'b'}:${i % 50}:${data}`))
      expect(bank.totalSize()).toBe(MAX_CHANNEL_BANK_SIZE_BEDROCK)
      expect(bank.channelIds().length).toBe(2)
      bank.ingestFrame(frame('c:0:z'))
      // Over the limit by 201 bytes: the head channel "a" goes.
      expect(bank.channelIds().map((h) => Buffer.from(h, 'hex')[0])).toEqual([98, 99])
      expect(bank.totalSize()).toBe(50 * 1_000_000 + 201)
    })

    it('allows 10x from Fjord', () => {
      const { bank } = setup({ fjordTime: 0 })
      for (let i = 0; i < 101; i++) bank.ingestFrame(frame(`a:${i}:${data}`))
      expect(bank.channelIds().length).toBe(1)
      expect(MAX_CHANNEL_BANK_SIZE_FJORD).toBe(10 * MAX_CHANNEL_BANK_SIZE_BEDROCK)
    })
  })

  describe('read order', () => {
    it('pre-Canyon reads only the head channel', async () => {
      const { prev, bank } = setup()
      prev.push('a:0:head', 'b:0:second!')
      expect(await drain(bank)).toEqual([])
      prev.push('a:1:done!')
      expect(await drain(bank)).toEqual(['headdone', 'second'])
    })

    it('Canyon reads the first ready channel in FIFO order', async () => {
      const { prev, bank } = setup({ canyonTime: 0 })
      prev.push('a:0:head', 'b:0:second!', 'c:0:third!')
      expect(await drain(bank)).toEqual(['second', 'third'])
      prev.push('a:1:done!')
      expect(await drain(bank)).toEqual(['headdone'])
    })

    it('Canyon activation is keyed on the origin time', () => {
      const canyonTime = ref(101).timestamp
      const { prev, bank } = setup({ canyonTime }, ref(100))
      bank.ingestFrame(frame('a:0:head'))
      bank.ingestFrame(frame('b:0:ready!'))
      expect(bank.read()).toBe(EOF)
      prev.setOrigin(ref(101))
      expect(text(bank.read())).toBe('ready')
    })

    it('Canyon skips a ready channel that has timed out', () => {
      const { prev, bank } = setup({ canyonTime: 0, channelTimeout: 5 }, ref(10))
      bank.ingestFrame(frame('a:0:head'))
      prev.setOrigin(ref(12))
      bank.ingestFrame(frame('b:0:x'))
      prev.setOrigin(ref(13))
      bank.ingestFrame(frame('c:0:y!'))
      bank.ingestFrame(frame('b:1:z!'))
      prev.setOrigin(ref(15))
      expect(text(bank.read())).toBe('xz')
    })
  })

  it('reset empties the bank', () => {
    const { bank } = setup()
    bank.ingestFrame(frame('a:0:x'))
    bank.reset()
    expect(bank.channelIds()).toEqual([])
    expect(bank.totalSize()).toBe(0)
  })

  it('refuses a Holocene origin (pre-Holocene stage)', () => {
    const { bank } = setup({ holoceneTime: 0 })
    expect(() => bank.ingestFrame(frame('a:0:x'))).toThrow(expect.objectContaining({ kind: 'critical' }))
    try {
      bank.ingestFrame(frame('a:0:x'))
    } catch (e) {
      expect(isCritical(e)).toBe(true)
    }
  })
})
