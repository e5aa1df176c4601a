import { describe, expect, it } from 'vitest'
import { bytesToHex, hexToBytes } from '../../../config/bytes.ts'
import type { Hex, L1BlockRef, L2BlockRef } from '../../../config/types.ts'
import { EOF, type Eof, NOT_ENOUGH_DATA, type NotEnoughData } from '../../../derivation/pipelineErrors.ts'
import { type BatchData, SINGULAR_BATCH_TYPE, SPAN_BATCH_TYPE } from '../../../derivation/protocol/batch.ts'
import type { SingularBatch } from '../../../derivation/protocol/singularBatch.ts'
import {
  deriveSpanBatch,
  type RawSpanBatch,
  type SpanBatch,
  spanBatchFromSingularBatches,
} from '../../../derivation/protocol/spanBatch.ts'
import {
  BatchQueue,
  type BatchQueueConfig,
  type BatchQueueProvider,
  checkSingularBatch,
  checkSpanBatch,
  hashPrefixMatches,
  maxSequencerDrift,
} from '../../../derivation/stages/batchQueue.ts'
import { captureLogger } from '../../fakes/captureLogger.ts'
import { InMemoryL2Chain } from '../../fakes/inMemoryL2Chain.ts'
import { Rng, randomSignedTx } from '../protocol/helpers.ts'

const rng = new Rng(8181)
const CHAIN_ID = 10n
const tx = () => randomSignedTx(rng, 'dynamic-fee', CHAIN_ID, false)

/** Hashes with distinct 20-byte prefixes (tag, number). */
const H = (tag: number, n: number) =>
  `0x${tag.toString(16).padStart(2, '0')}${n.toString(16).padStart(8, '0')}${'5a'.repeat(27)}` as Hex

function l1(n: number, timestamp = 1000 + n * 12): L1BlockRef {
  return { number: n, hash: H(0x11, n), parentHash: H(0x11, n - 1), timestamp }
}

function l2(n: number, timestamp: number, origin: L1BlockRef, sequenceNumber = 0): L2BlockRef {
  return {
    number: n,
    hash: H(0x22, n),
    parentHash: H(0x22, n - 1),
    timestamp,
    l1origin: { number: origin.number, hash: origin.hash },
    sequenceNumber,
  }
}

function cfg(over: Partial<BatchQueueConfig> = {}): BatchQueueConfig {
  return {
    blockTime: 2,
    channelTimeout: 10,
    batchInboxAddress: '0xff00000000000000000000000000000000000010',
    seqWindowSize: 10,
    maxSequencerDrift: 600,
    genesisL2Time: 1000,
    l2ChainId: CHAIN_ID,
    deltaTime: 0,
    ...over,
  }
}

// Safe head: L2 block 100 at 1130 with origin L1 10 (time 1120); next L1 11 at 1132; next_timestamp 1132.
const SAFE = l2(100, 1130, l1(10))
const TX = tx()

function sb(o: Partial<SingularBatch> = {}): SingularBatch {
  return {
    parentHash: hexToBytes(SAFE.hash),
    epochNum: 10n,
    epochHash: hexToBytes(l1(10).hash),
    timestamp: 1132n,
    transactions: [TX],
    ...o,
  }
}

function checkS(
  b: SingularBatch,
  o: { l1Blocks?: L1BlockRef[]; safe?: L2BlockRef; inclusion?: L1BlockRef; cfg?: BatchQueueConfig } = {},
) {
  return checkSingularBatch(o.cfg ?? cfg(), o.l1Blocks ?? [l1(10), l1(11)], o.safe ?? SAFE, b, o.inclusion ?? l1(12))
}

/** A singular batch for one L2 block of a span (parent hash only matters for the first). */
function blk(ts: number, epoch: number, txs: Uint8Array[] = [tx()], parent: Hex = SAFE.hash, epochHash?: Hex) {
  return sb({
    parentHash: hexToBytes(parent),
    epochNum: BigInt(epoch),
    epochHash: hexToBytes(epochHash ?? l1(epoch).hash),
    timestamp: BigInt(ts),
    transactions: txs,
  })
}

function rawSpan(blocks: SingularBatch[]): RawSpanBatch {
  return spanBatchFromSingularBatches(blocks, 1, { genesisTimestamp: 1000, l2ChainId: CHAIN_ID })
}

function span(blocks: SingularBatch[]): SpanBatch {
  return deriveSpanBatch(rawSpan(blocks), { genesisTimestamp: 1000, blockTime: 2, l2ChainId: CHAIN_ID })
}

function checkSp(
  s: SpanBatch,
  o: {
    l1Blocks?: L1BlockRef[]
    safe?: L2BlockRef
    inclusion?: L1BlockRef
    cfg?: BatchQueueConfig
    chain?: InMemoryL2Chain
  } = {},
) {
  return checkSpanBatch(
    o.cfg ?? cfg(),
    o.l1Blocks ?? [l1(10), l1(11)],
    o.safe ?? SAFE,
    s,
    o.inclusion ?? l1(12),
    o.chain ?? new InMemoryL2Chain(),
  )
}

const dropped = (reason: RegExp) => ({ validity: 'drop', reason: expect.stringMatching(reason) })

describe('checkSingularBatch (spec §4.8, in order)', () => {
  it('accepts a batch for the next timestamp on the safe epoch', () => {
    expect(checkS(sb())).toEqual({ validity: 'accept' })
  })

  it('1. timestamp after next_timestamp -> future', () => {
    expect(checkS(sb({ timestamp: 1134n, parentHash: new Uint8Array(32) })).validity).toBe('future')
  })

  it('2. timestamp before next_timestamp -> drop', () => {
    expect(checkS(sb({ timestamp: 1130n }))).toEqual(dropped(/older than the next L2 timestamp/))
  })

  it('3. wrong parent hash -> drop', () => {
    expect(checkS(sb({ parentHash: hexToBytes(H(0x22, 99)) }))).toEqual(dropped(/parent hash/))
  })

  it('4. included after the sequencing window -> drop (epoch + window == inclusion is still fine)', () => {
    expect(checkS(sb(), { inclusion: l1(21) })).toEqual(dropped(/sequence window/))
    expect(checkS(sb(), { inclusion: l1(20) }).validity).toBe('accept')
    // Checked before the epoch rules: a too-old epoch included too late reports the window.
    expect(checkS(sb({ epochNum: 9n }), { inclusion: l1(20) })).toEqual(dropped(/sequence window/))
  })

  it('5. epoch older than the safe epoch -> drop', () => {
    expect(checkS(sb({ epochNum: 9n, epochHash: hexToBytes(l1(9).hash) }))).toEqual(dropped(/epoch is older/))
  })

  it('6. epoch + 1: undecided without the next L1 block, accepted with it', () => {
    const b = sb({ epochNum: 11n, epochHash: hexToBytes(l1(11).hash) })
    expect(checkS(b, { l1Blocks: [l1(10)] }).validity).toBe('undecided')
    expect(checkS(b).validity).toBe('accept')
  })

  it('6. epoch too far ahead -> drop', () => {
    const b = sb({ epochNum: 12n, epochHash: hexToBytes(l1(12).hash) })
    expect(checkS(b, { l1Blocks: [l1(10), l1(11), l1(12)] })).toEqual(dropped(/too far ahead/))
  })

  it('7. wrong epoch hash -> drop', () => {
    expect(checkS(sb({ epochHash: hexToBytes(l1(11).hash) }))).toEqual(dropped(/epoch hash/))
    const next = sb({ epochNum: 11n, epochHash: hexToBytes(l1(10).hash) })
    expect(checkS(next)).toEqual(dropped(/epoch hash/))
  })

  it('8. timestamp before the L1 origin time -> drop', () => {
    const b = sb({ epochNum: 11n, epochHash: hexToBytes(l1(11).hash) })
    expect(checkS(b, { l1Blocks: [l1(10), l1(11, 1140)] })).toEqual(dropped(/before its L1 origin time/))
  })

  describe('9. max sequencer drift (origin L1 10 at 500, so 1132 > 500 + 600)', () => {
    const far = [l1(10, 500), l1(11, 1140)]
    it('non-empty past the drift -> drop', () => {
      expect(checkS(sb(), { l1Blocks: far })).toEqual(dropped(/drift with transactions/))
    })
    it('empty past the drift on the same epoch: undecided without the next epoch', () => {
      expect(checkS(sb({ transactions: [] }), { l1Blocks: [l1(10, 500)] }).validity).toBe('undecided')
    })
    it('empty past the drift: accepted while ts < next epoch time, dropped once it is due', () => {
      expect(checkS(sb({ transactions: [] }), { l1Blocks: far }).validity).toBe('accept')
      expect(checkS(sb({ transactions: [] }), { l1Blocks: [l1(10, 500), l1(11, 1132)] })).toEqual(
        dropped(/did not advance the epoch/),
      )
    })
    it('empty past the drift on the next epoch is not subject to the next-epoch rule', () => {
      const b = sb({ epochNum: 11n, epochHash: hexToBytes(l1(11).hash), transactions: [] })
      expect(checkS(b, { l1Blocks: [l1(9, 400), l1(11, 500)], safe: l2(100, 1130, l1(9, 400)) }).validity).toBe('drop') // epoch 11 is two ahead of 9
      const safe10 = l2(100, 1130, l1(10, 400))
      expect(checkS(b, { l1Blocks: [l1(10, 400), l1(11, 500)], safe: safe10 }).validity).toBe('accept')
    })
    it('Fjord: MSD is 1800, keyed on the batch origin time (not the L2 time)', () => {
      expect(maxSequencerDrift(cfg({ fjordTime: 500 }), 500)).toBe(1800)
      expect(maxSequencerDrift(cfg({ fjordTime: 501 }), 500)).toBe(600)
      expect(checkS(sb(), { l1Blocks: far, cfg: cfg({ fjordTime: 500 }) }).validity).toBe('accept')
      // Fjord active at the L2 timestamp but not at the origin time: still 600.
      expect(checkS(sb(), { l1Blocks: far, cfg: cfg({ fjordTime: 1000 }) }).validity).toBe('drop')
      // Past 1800 too.
      const safeLate = l2(100, 500 + 1800, l1(10, 500))
      const late = sb({ parentHash: hexToBytes(safeLate.hash), timestamp: BigInt(500 + 1802) })
      expect(checkS(late, { l1Blocks: far, safe: safeLate, cfg: cfg({ fjordTime: 0 }) })).toEqual(
        dropped(/drift with transactions/),
      )
    })
  })

  it('10. empty transaction or deposit (0x7E) transaction -> drop', () => {
    expect(checkS(sb({ transactions: [TX, new Uint8Array()] }))).toEqual(dropped(/transaction 1 is empty/))
    expect(checkS(sb({ transactions: [Uint8Array.from([0x7e, 1, 2])] }))).toEqual(dropped(/deposit/))
  })
})

describe('checkSpanBatch (spec §4.8 span, in order)', () => {
  it('accepts a span continuing the safe head across an epoch change', async () => {
    const s = span([blk(1132, 10), blk(1134, 10), blk(1136, 11)])
    expect(await checkSp(s)).toEqual({ validity: 'accept' })
  })

  it('hashPrefixMatches compares the first 20 bytes', () => {
    expect(hashPrefixMatches(hexToBytes(SAFE.hash).slice(0, 20), SAFE.hash)).toBe(true)
    expect(hashPrefixMatches(hexToBytes(SAFE.hash).slice(0, 19), SAFE.hash)).toBe(false)
    expect(hashPrefixMatches(hexToBytes(H(0x22, 99)).slice(0, 20), SAFE.hash)).toBe(false)
  })

  it('1. starting on the next epoch needs it buffered (undecided)', async () => {
    const s = span([blk(1132, 11)])
    expect((await checkSp(s, { l1Blocks: [l1(10)] })).validity).toBe('undecided')
    expect((await checkSp(s)).validity).toBe('accept')
  })

  it('2. Delta gating by the start origin time', async () => {
    const c = cfg({ deltaTime: 1121 }) // L1 10 at 1120, L1 11 at 1132
    expect(await checkSp(span([blk(1132, 10)]), { cfg: c })).toEqual(dropped(/before Delta/))
    expect((await checkSp(span([blk(1132, 11)]), { cfg: c })).validity).toBe('accept')
    expect(await checkSp(span([blk(1132, 10)]), { cfg: cfg({ deltaTime: undefined }) })).toEqual(
      dropped(/before Delta/),
    )
  })

  it('3-4. future start -> future; ending before next_timestamp -> drop', async () => {
    expect((await checkSp(span([blk(1134, 10), blk(1136, 10)]))).validity).toBe('future')
    expect(await checkSp(span([blk(1128, 10), blk(1130, 10)]))).toEqual(dropped(/ends before/))
  })

  it('5. misaligned overlap -> drop', async () => {
    expect(await checkSp(span([blk(1129, 10), blk(1131, 10), blk(1133, 10)]))).toEqual(
      dropped(/not overlapped exactly/),
    )
  })

  it('6. parent_check mismatch -> drop', async () => {
    expect(await checkSp(span([blk(1132, 10, [tx()], H(0x22, 99))]))).toEqual(dropped(/parent_check/))
  })

  it('7. included after the sequencing window of the start epoch -> drop', async () => {
    const s = span([blk(1132, 10), blk(1134, 11)])
    expect(await checkSp(s, { inclusion: l1(21) })).toEqual(dropped(/sequence window/))
    expect((await checkSp(s, { inclusion: l1(20) })).validity).toBe('accept')
  })

  it('8. start epoch more than one past the parent epoch -> drop', async () => {
    const s = span([blk(1132, 12)])
    expect(await checkSp(s, { l1Blocks: [l1(10), l1(11), l1(12)] })).toEqual(dropped(/too far ahead/))
  })

  it('9. l1_origin_check: end epoch not buffered -> undecided; hash mismatch -> drop', async () => {
    const s = span([blk(1132, 10), blk(1134, 11)])
    expect((await checkSp(s, { l1Blocks: [l1(10)] })).validity).toBe('undecided')
    const bad = span([blk(1132, 10), blk(1134, 11, [tx()], SAFE.hash, H(0x11, 99))])
    expect(await checkSp(bad)).toEqual(dropped(/l1_origin_check/))
  })

  it('10. start epoch older than the parent epoch -> drop', async () => {
    const s = span([blk(1132, 9, [tx()]), blk(1134, 10)])
    expect(await checkSp(s, { l1Blocks: [l1(9), l1(10), l1(11)] })).toEqual(dropped(/older than the parent epoch/))
  })

  it('11. block before its L1 origin time -> drop', async () => {
    const s = span([blk(1132, 10), blk(1134, 11)])
    expect(await checkSp(s, { l1Blocks: [l1(10), l1(11, 1140)] })).toEqual(dropped(/block 1 is before its L1 origin/))
  })

  it('11. drift per block: non-empty drop, empty undecided/drop on the next epoch rule, Fjord 1800', async () => {
    const far = [l1(10, 500), l1(11, 1140)]
    expect(await checkSp(span([blk(1132, 10), blk(1134, 10)]), { l1Blocks: far })).toEqual(
      dropped(/block 0 exceeded the sequencer time drift/),
    )
    expect((await checkSp(span([blk(1132, 10, [])]), { l1Blocks: [l1(10, 500)] })).validity).toBe('undecided')
    expect((await checkSp(span([blk(1132, 10, [])]), { l1Blocks: far })).validity).toBe('accept')
    expect(await checkSp(span([blk(1132, 10, [])]), { l1Blocks: [l1(10, 500), l1(11, 1132)] })).toEqual(
      dropped(/did not advance/),
    )
    // A block that advanced the epoch is not subject to the next-epoch rule.
    // 1132 is past the drift of L1 10 (500) and L1 11 (520) is due: block 0 must have advanced.
    expect(await checkSp(span([blk(1132, 10, [])]), { l1Blocks: [l1(10, 500), l1(11, 520)] })).toEqual(
      dropped(/did not advance/),
    )
    // A block that advanced the epoch is not subject to the next-epoch rule (L1 12 unknown, yet accepted).
    const safe500 = l2(100, 1130, l1(10, 500))
    const adv = span([blk(1132, 11, [], safe500.hash)])
    expect((await checkSp(adv, { l1Blocks: [l1(10, 500), l1(11, 520)], safe: safe500 })).validity).toBe('accept')
    expect(
      (await checkSp(span([blk(1132, 10), blk(1134, 10)]), { l1Blocks: far, cfg: cfg({ fjordTime: 500 }) })).validity,
    ).toBe('accept')
  })

  it('12. deposit transaction in a block -> drop', async () => {
    const s = span([blk(1132, 10), blk(1134, 10)])
    s.elements[1]!.transactions.push(Uint8Array.from([0x7e, 0]))
    expect(await checkSp(s)).toEqual(dropped(/block 1: transaction 1 is a deposit/))
  })

  describe('13. overlap with the safe chain', () => {
    const tx99 = tx()
    const tx100 = tx()
    function chain(o: { tx100?: Uint8Array; origin99?: number } = {}) {
      return new InMemoryL2Chain()
        .add(l2(98, 1126, l1(9)), [])
        .add(l2(99, 1128, l1(o.origin99 ?? 9)), [tx99])
        .add(SAFE, [o.tx100 ?? tx100])
    }
    const overlapping = () => span([blk(1128, 9, [tx99], H(0x22, 98)), blk(1130, 10, [tx100]), blk(1132, 10)])

    it('accepts when the overlapped blocks match', async () => {
      expect(await checkSp(overlapping(), { chain: chain() })).toEqual({ validity: 'accept' })
    })
    it('drops on a transaction mismatch', async () => {
      expect(await checkSp(overlapping(), { chain: chain({ tx100: tx() }) })).toEqual(
        dropped(/block 100: transaction 0 does not match/),
      )
    })
    it('drops on an L1 origin mismatch', async () => {
      expect(await checkSp(overlapping(), { chain: chain({ origin99: 10 }) })).toEqual(
        dropped(/block 99: L1 origin number/),
      )
    })
    it('a block after the safe head with an origin older than the safe origin -> drop (spec rule)', async () => {
      const s = span([blk(1128, 9, [tx99], H(0x22, 98)), blk(1130, 9, [tx100]), blk(1132, 9)])
      expect(await checkSp(s, { chain: chain(), l1Blocks: [l1(9), l1(10), l1(11)] })).toEqual(
        dropped(/block 2 has an L1 origin older than the safe head/),
      )
    })
    it('undecided when the parent block cannot be fetched', async () => {
      expect((await checkSp(overlapping(), { chain: new InMemoryL2Chain().add(SAFE) })).validity).toBe('undecided')
    })
  })
})

// ---------------------------------------------------------------------------------------------------------------
// The stage

class FakeBatches implements BatchQueueProvider {
  queue: BatchData[] = []
  constructor(public current: L1BlockRef) {}
  origin(): L1BlockRef | null {
    return this.current
  }
  async nextBatch(): Promise<BatchData | Eof | NotEnoughData> {
    return this.queue.shift() ?? EOF
  }
}

function setup(safeOrigin: L1BlockRef, o: { chain?: InMemoryL2Chain; cfg?: BatchQueueConfig } = {}) {
  const { logger, lines } = captureLogger()
  const prev = new FakeBatches(safeOrigin)
  const q = new BatchQueue(o.cfg ?? cfg(), prev, o.chain ?? new InMemoryL2Chain(), { logger })
  q.reset(safeOrigin)
  return { q, prev, lines }
}

async function pull(q: BatchQueue, safe: L2BlockRef): Promise<SingularBatch | Eof> {
  for (let i = 0; i < 100; i++) {
    const r = await q.nextBatch(safe)
    if (r !== NOT_ENOUGH_DATA) return r
  }
  throw new Error('no progress')
}

function apply(safe: L2BlockRef, b: SingularBatch): L2BlockRef {
  expect(bytesToHex(b.parentHash)).toBe(safe.hash)
  const n = safe.number + 1
  const sameEpoch = Number(b.epochNum) === safe.l1origin.number
  return {
    number: n,
    hash: H(0x22, n),
    parentHash: safe.hash,
    timestamp: Number(b.timestamp),
    l1origin: { number: Number(b.epochNum), hash: bytesToHex(b.epochHash) },
    sequenceNumber: sameEpoch ? safe.sequenceNumber + 1 : 0,
  }
}

/** Pull and apply until EOF, returning the batches. */
async function drain(q: BatchQueue, safe: L2BlockRef): Promise<{ batches: SingularBatch[]; safe: L2BlockRef }> {
  const batches: SingularBatch[] = []
  for (;;) {
    const b = await pull(q, safe)
    if (b === EOF) return { batches, safe }
    batches.push(b)
    safe = apply(safe, b)
  }
}

const single = (b: SingularBatch): BatchData => ({ type: SINGULAR_BATCH_TYPE, batch: b })

describe('BatchQueue', () => {
  it('checks buffered batches in inclusion order: first accept wins, future kept, drops logged', async () => {
    const { q, prev, lines } = setup(l1(10))
    prev.current = l1(11)
    const txC = tx()
    const txD = tx()
    const C = sb({ parentHash: hexToBytes(H(0x22, 101)), timestamp: 1134n, transactions: [txC] })
    const D = sb({ parentHash: hexToBytes(H(0x22, 101)), timestamp: 1134n, transactions: [txD] })
    const B = sb({ parentHash: hexToBytes(H(0x22, 7)) })
    const E = sb()
    prev.queue.push(single(C), single(D), single(B), single(E))

    expect(await q.nextBatch(SAFE)).toBe(NOT_ENOUGH_DATA) // C future
    expect(q.bufferedBatches()).toHaveLength(1)
    expect(await q.nextBatch(SAFE)).toBe(NOT_ENOUGH_DATA) // D future
    expect(await q.nextBatch(SAFE)).toBe(NOT_ENOUGH_DATA) // B dropped on arrival
    expect(q.bufferedBatches()).toHaveLength(2)
    const first = await q.nextBatch(SAFE)
    expect(first).toBe(E)
    const safe101 = apply(SAFE, E)
    const second = await pull(q, safe101)
    expect(second).not.toBe(EOF)
    expect((second as SingularBatch).transactions).toEqual([txC])
    expect(q.bufferedBatches()).toHaveLength(1) // D still buffered
    expect(await pull(q, apply(safe101, second as SingularBatch))).toBe(EOF) // D too old now: dropped
    expect(q.bufferedBatches()).toHaveLength(0)
    const drops = lines.filter((l) => l.msg === 'Dropping batch')
    expect(drops.map((l) => l.reason)).toEqual([
      expect.stringMatching(/parent hash/),
      expect.stringMatching(/older than the next L2 timestamp/),
    ])
    expect(drops.every((l) => l.level === 20)).toBe(true)
  })

  it('an undecided batch stops the scan and is kept', async () => {
    const { q, prev } = setup(l1(10))
    prev.queue.push(single(sb({ epochNum: 11n, epochHash: hexToBytes(l1(11).hash) })))
    expect(await pull(q, SAFE)).toBe(EOF)
    expect(q.bufferedBatches()).toHaveLength(1)
    prev.current = l1(11)
    const b = await pull(q, SAFE)
    expect(b).not.toBe(EOF)
    expect((b as SingularBatch).epochNum).toBe(11n)
  })

  it('expands an accepted span batch into singular batches, skipping blocks at or before the safe head', async () => {
    const tx99 = tx()
    const tx100 = tx()
    const chain = new InMemoryL2Chain()
      .add(l2(98, 1126, l1(9)), [])
      .add(l2(99, 1128, l1(9)), [tx99])
      .add(SAFE, [tx100])
    const { q, prev } = setup(l1(10), { chain })
    prev.current = l1(11)
    const tx101 = tx()
    const raw = rawSpan([
      blk(1128, 9, [tx99], H(0x22, 98)),
      blk(1130, 10, [tx100]),
      blk(1132, 10, [tx101]),
      blk(1134, 11, []),
    ])
    prev.queue.push({ type: SPAN_BATCH_TYPE, batch: raw })
    const { batches, safe } = await drain(q, SAFE)
    expect(batches.map((b) => [Number(b.timestamp), Number(b.epochNum), bytesToHex(b.epochHash)])).toEqual([
      [1132, 10, l1(10).hash],
      [1134, 11, l1(11).hash],
    ])
    expect(batches[0]!.transactions).toEqual([tx101])
    expect(bytesToHex(batches[1]!.parentHash)).toBe(H(0x22, 101))
    expect(safe.number).toBe(102)
  })

  it('drops the rest of a span when the safe head does not follow it', async () => {
    const { q, prev, lines } = setup(l1(10))
    prev.current = l1(11)
    prev.queue.push({ type: SPAN_BATCH_TYPE, batch: rawSpan([blk(1132, 10), blk(1134, 10)]) })
    const first = await pull(q, SAFE)
    expect(Number((first as SingularBatch).timestamp)).toBe(1132)
    // The derived block was not applied (e.g. invalid payload): the safe head is still 100.
    expect(await pull(q, SAFE)).toBe(EOF)
    expect(lines.some((l) => l.msg === 'Safe head does not match the next span block, dropping it')).toBe(true)
  })

  it('a safe head origin unrelated to the buffered epoch is a reset error', async () => {
    const { q } = setup(l1(10))
    await expect(q.nextBatch(l2(100, 1130, l1(8)))).rejects.toMatchObject({ kind: 'reset' })
  })

  it('drops underivable span batches', async () => {
    const { q, prev, lines } = setup(l1(10))
    prev.current = l1(11)
    const raw = rawSpan([blk(1132, 10)])
    raw.txs.txDatas[0] = Uint8Array.from([0x05, 0xc0])
    raw.txs.txTypes[0] = 5
    prev.queue.push({ type: SPAN_BATCH_TYPE, batch: raw })
    expect(await pull(q, SAFE)).toBe(EOF)
    expect(lines.some((l) => l.msg === 'Dropping underivable span batch')).toBe(true)
  })

  describe('empty batches (spec §4.9)', () => {
    // Safe head at the origin time of L1 10 (1120); L1 n is at 1000 + 12n; window 10.
    const safe0 = l2(100, 1120, l1(10))

    it('forces empty blocks once the window expires, one epoch at a time, advancing at the next epoch time', async () => {
      const { q, prev } = setup(l1(10))
      let safe = safe0
      for (let n = 11; n < 20; n++) {
        prev.current = l1(n)
        expect(await pull(q, safe)).toBe(EOF)
      }
      prev.current = l1(20) // expiry == origin, out of data
      let r = await drain(q, safe)
      expect(r.batches.map((b) => [Number(b.timestamp), Number(b.epochNum)])).toEqual([
        [1122, 10],
        [1124, 10],
        [1126, 10],
        [1128, 10],
        [1130, 10],
      ])
      for (const b of r.batches) {
        expect(b.transactions).toEqual([])
        expect(bytesToHex(b.epochHash)).toBe(l1(10).hash)
      }
      safe = r.safe
      // next_timestamp reached L1 11's time: the epoch advanced, but 11's window is still open at origin 20.
      expect(q.bufferedL1Blocks()[0]!.number).toBe(11)
      prev.current = l1(21)
      r = await drain(q, safe)
      expect(r.batches.map((b) => [Number(b.timestamp), Number(b.epochNum)])).toEqual([
        [1132, 11],
        [1134, 11],
        [1136, 11],
        [1138, 11],
        [1140, 11],
        [1142, 11],
      ])
      expect(r.batches.every((b) => bytesToHex(b.epochHash) === l1(11).hash)).toBe(true)
    })

    it('the first block of an epoch is generated even when next_timestamp is past the next epoch time', async () => {
      // L1 11 and 12 share a timestamp range so epoch 11 only gets its first-of-epoch block.
      const { q, prev } = setup(l1(10))
      const blocks = [l1(10), l1(11, 1122), l1(12, 1122)]
      for (const b of blocks.slice(1)) {
        prev.current = b
        expect(await pull(q, safe0)).toBe(EOF)
      }
      for (let n = 13; n <= 22; n++) {
        prev.current = l1(n)
        await pull(q, safe0)
      }
      // By origin 22 epochs 10, 11 and 12 have all expired.
      let safe = safe0
      const got: [number, number][] = []
      for (let i = 0; i < 6; i++) {
        const b = await pull(q, safe)
        if (b === EOF) continue
        got.push([Number(b.timestamp), Number(b.epochNum)])
        safe = apply(safe, b)
      }
      expect(got.slice(0, 2)).toEqual([
        [1122, 11],
        [1124, 12],
      ])
    })

    it('expiry == origin without running out of data does not force yet', async () => {
      const { q, prev } = setup(l1(10))
      for (let n = 11; n < 20; n++) {
        prev.current = l1(n)
        await pull(q, safe0)
      }
      prev.current = l1(20)
      prev.queue.push(single(sb({ parentHash: new Uint8Array(32), timestamp: 1122n })))
      expect(await q.nextBatch(safe0)).toBe(NOT_ENOUGH_DATA)
      const b = await q.nextBatch(safe0)
      expect(b).not.toBe(EOF)
      expect((b as SingularBatch).transactions).toEqual([])
    })
  })
})
