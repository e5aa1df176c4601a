import { describe, expect, it } from 'vitest'
import type { L1BlockRef } from '../../../config/types.ts'
import type { DerivationConfig } from '../../../derivation/params.ts'
import { EOF, type Eof, NOT_ENOUGH_DATA, type NotEnoughData } from '../../../derivation/pipelineErrors.ts'
import {
  type BatchData,
  encodeBatchForChannel,
  SINGULAR_BATCH_TYPE,
  SPAN_BATCH_TYPE,
} from '../../../derivation/protocol/batch.ts'
import { compressZlib } from '../../../derivation/protocol/channelCompression.ts'
import { spanBatchFromSingularBatches } from '../../../derivation/protocol/spanBatch.ts'
import { ChannelInReader, type ChannelInReaderProvider } from '../../../derivation/stages/channelInReader.ts'
import { buildChannel, singular } from '../../fakes/batcherData.ts'
import { captureLogger } from '../../fakes/captureLogger.ts'
import { ref } from '../../fakes/fakeFrameProvider.ts'
import { concat, Rng, randomSingularBatches } from '../protocol/helpers.ts'

const rng = new Rng(4242)

class FakeChannelProvider implements ChannelInReaderProvider {
  constructor(
    private readonly channels: Uint8Array[],
    public current: L1BlockRef = ref(50),
  ) {}
  origin(): L1BlockRef | null {
    return this.current
  }
  async nextData(): Promise<Uint8Array | Eof | NotEnoughData> {
    return this.channels.shift() ?? EOF
  }
}

function cfg(over: Partial<DerivationConfig> = {}): DerivationConfig {
  return { blockTime: 2, channelTimeout: 10, batchInboxAddress: '0xff00000000000000000000000000000000000010', ...over }
}

function setup(channels: Uint8Array[], over: Partial<DerivationConfig> = {}) {
  const { logger, lines } = captureLogger()
  const prev = new FakeChannelProvider(channels)
  return { reader: new ChannelInReader(cfg(over), prev, { logger }), lines, prev }
}

async function drain(r: ChannelInReader): Promise<BatchData[]> {
  const out: BatchData[] = []
  for (let i = 0; i < 10_000; i++) {
    const b = await r.nextBatch()
    if (b === EOF) return out
    if (b !== NOT_ENOUGH_DATA) out.push(b)
  }
  throw new Error('no EOF')
}

const batches = singular(
  randomSingularBatches(rng, { blocks: 5, chainId: 10n, kinds: ['dynamic-fee', 'legacy-protected'] }),
)
const encoded = (bs: BatchData[]) => bs.map((b) => Buffer.from(encodeBatchForChannel(b)).toString('hex'))

describe('ChannelInReader', () => {
  it('zlib and brotli channels decode to the same batches (brotli from Fjord)', async () => {
    const { reader } = setup([buildChannel(batches, 'zlib'), buildChannel(batches, 'brotli')], { fjordTime: 0 })
    const out = await drain(reader)
    expect(out.length).toBe(10)
    expect(encoded(out.slice(0, 5))).toEqual(encoded(batches))
    expect(encoded(out.slice(5))).toEqual(encoded(batches))
  })

  it('rejects brotli before Fjord by the origin (inclusion) time and moves on', async () => {
    const fjordTime = ref(51).timestamp
    const { reader, lines } = setup([buildChannel(batches, 'brotli'), buildChannel(batches, 'zlib')], { fjordTime })
    expect(encoded(await drain(reader))).toEqual(encoded(batches))
    expect(lines.find((l) => l.msg === 'Dropping bad channel')?.reason).toBe('brotli-before-fjord')
  })

  it('drops garbage channels with a debug log', async () => {
    const garbage = [new Uint8Array([0x42, 1, 2, 3]), new Uint8Array([0x78, 0x00, 1, 2]), new Uint8Array()]
    const { reader, lines } = setup([...garbage, buildChannel(batches)])
    expect(encoded(await drain(reader))).toEqual(encoded(batches))
    const drops = lines.filter((l) => l.msg === 'Dropping bad channel')
    expect(drops.map((l) => l.reason)).toEqual(['unknown-algorithm', 'zlib-header', 'empty'])
    expect(drops.every((l) => l.level === 20)).toBe(true)
  })

  it('keeps the batches before a corrupt one and drops the rest of the channel', async () => {
    const raw = concat(encodeBatchForChannel(batches[0]!), new Uint8Array([0x83, 0x07, 0x01, 0x02]))
    const { reader, lines } = setup([compressZlib(concat(raw, encodeBatchForChannel(batches[1]!)))])
    expect(encoded(await drain(reader))).toEqual(encoded(batches.slice(0, 1)))
    expect(lines.some((l) => l.msg === 'Channel read stopped early, rest of the channel dropped')).toBe(true)
  })

  it('caps decompression at MAX_RLP_BYTES_PER_CHANNEL per fork (10 MB before Fjord, 100 MB from Fjord)', async () => {
    const big = (n: number): BatchData =>
      ({
        type: SINGULAR_BATCH_TYPE,
        batch: { ...batches[0]!.batch, transactions: [new Uint8Array(n)] } as BatchData['batch'],
      }) as BatchData
    // Two ~6 MB batches: the second ends past 10 MB, so pre-Fjord only the first is read.
    const chan = [big(6_000_000), big(6_000_000)]
    const pre = setup([buildChannel(chan)])
    expect((await drain(pre.reader)).length).toBe(1)
    const post = setup([buildChannel(chan)], { fjordTime: 0 })
    expect((await drain(post.reader)).length).toBe(2)
  })

  it('accepts span batches only from Delta (by inclusion time), dropping the rest of the channel before', async () => {
    const sbs = randomSingularBatches(rng, { blocks: 3, chainId: 10n, kinds: ['dynamic-fee'] })
    const span: BatchData = {
      type: SPAN_BATCH_TYPE,
      batch: spanBatchFromSingularBatches(sbs, 0, { genesisTimestamp: 0, l2ChainId: 10 }),
    }
    const chan = () => buildChannel([batches[0]!, span, batches[1]!])
    const pre = setup([chan()], { deltaTime: ref(51).timestamp })
    expect(encoded(await drain(pre.reader))).toEqual(encoded([batches[0]!]))
    const post = setup([chan()], { deltaTime: 0 })
    expect((await drain(post.reader)).map((b) => b.type)).toEqual([0, 1, 0])
  })

  it('reads unterminated (sync-flushed) zlib channels', async () => {
    const { reader } = setup([buildChannel(batches).subarray(0, -4)]) // no Adler-32
    expect(encoded(await drain(reader))).toEqual(encoded(batches))
  })
})
