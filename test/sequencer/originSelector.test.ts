import { describe, expect, it } from 'vitest'
import { silentLogger } from '../../config/logger.ts'
import type { L1BlockRef, L2BlockRef } from '../../config/types.ts'
import { PipelineError } from '../../derivation/pipelineErrors.ts'
import {
  FJORD_MAX_SEQUENCER_DRIFT,
  L1OriginSelector,
  maxSequencerDrift,
  type OriginSelectorConfig,
} from '../../sequencer/originSelector.ts'
import { captureLogger } from '../fakes/captureLogger.ts'
import { InMemoryL1Source } from '../fakes/inMemoryL1Source.ts'

// Rules from op-node rollup/sequencing/origin_selector.go and rollup/confdepth.go: advance as soon as the next L1
// block (sequencerConfDepth behind the head) is not newer than the next L2 block; past the max sequencer drift the
// next origin is mandatory.

const CFG: OriginSelectorConfig = { blockTime: 2, maxSequencerDrift: 600, sequencerConfDepth: 0 }

/** L1 blocks 0..n-1 at 1000 + 12 i. */
function l1Chain(n: number): InMemoryL1Source {
  const l1 = new InMemoryL1Source(0, 1000, 12)
  for (let i = 0; i < n; i++) l1.addBlock()
  return l1
}

function l2On(origin: L1BlockRef, timestamp: number): L2BlockRef {
  return {
    hash: `0x${'22'.repeat(32)}`,
    number: 10,
    parentHash: `0x${'11'.repeat(32)}`,
    timestamp,
    l1origin: { hash: origin.hash, number: origin.number },
    sequenceNumber: 3,
  }
}

function selector(l1: InMemoryL1Source, cfg: Partial<OriginSelectorConfig> = {}, head?: () => L1BlockRef | undefined) {
  const last = () => l1.blocks[l1.blocks.length - 1]?.ref
  const view = head ?? last
  return new L1OriginSelector(
    { ...CFG, ...cfg },
    l1,
    {
      get head() {
        return view()
      },
    },
    silentLogger(),
  )
}

describe('L1OriginSelector', () => {
  it('keeps the current origin while the next L1 block is newer than the next L2 block', async () => {
    const l1 = l1Chain(3)
    const o1 = l1.blocks[1]!.ref // t=1012, next t=1024
    expect((await selector(l1).findL1Origin(l2On(o1, 1020))).hash).toBe(o1.hash) // next L2 t=1022 < 1024
  })

  it('moves to the next L1 block as soon as its timestamp <= the next L2 timestamp', async () => {
    const l1 = l1Chain(3)
    const o1 = l1.blocks[1]!.ref
    expect((await selector(l1).findL1Origin(l2On(o1, 1022))).hash).toBe(l1.blocks[2]!.ref.hash) // 1024 >= 1024
  })

  it('ignores L1 blocks within sequencerConfDepth of the L1 head', async () => {
    const l1 = l1Chain(4) // head = 3
    const o1 = l1.blocks[1]!.ref
    const l2 = l2On(o1, 1030) // next L2 t=1032 >= block 2 time 1024
    expect((await selector(l1, { sequencerConfDepth: 1 }).findL1Origin(l2)).number).toBe(2) // 2 + 1 <= 3
    expect((await selector(l1, { sequencerConfDepth: 2 }).findL1Origin(l2)).number).toBe(1) // 2 + 2 > 3
  })

  it('applies no confirmation depth before the L1 head is known (op-node confDepth with an empty head)', async () => {
    const l1 = l1Chain(3)
    const o1 = l1.blocks[1]!.ref
    const s = selector(l1, { sequencerConfDepth: 5 }, () => undefined)
    expect((await s.findL1Origin(l2On(o1, 1030))).number).toBe(2)
  })

  it('keeps the current origin when the L1 head view is behind it (the next block looks absent)', async () => {
    const l1 = l1Chain(4)
    const o2 = l1.blocks[2]!.ref
    const staleHead = l1.blocks[1]!.ref
    expect((await selector(l1, { sequencerConfDepth: 1 }, () => staleHead).findL1Origin(l2On(o2, 1100))).number).toBe(2)
    // Depth 0 bypasses the head view entirely (op-node confDepth): block 3 exists, so it is taken.
    expect((await selector(l1, {}, () => staleHead).findL1Origin(l2On(o2, 1100))).number).toBe(3)
  })

  it('keeps the current origin when the next L1 block does not exist yet, within the drift', async () => {
    const l1 = l1Chain(2)
    const o1 = l1.blocks[1]!.ref // t=1012
    expect((await selector(l1).findL1Origin(l2On(o1, 1012 + 598))).number).toBe(1) // next t - origin = 600
  })

  it('fails with a temporary SEQUENCER_DRIFT_EXCEEDED past the drift when no next origin is available', async () => {
    const l1 = l1Chain(2)
    const o1 = l1.blocks[1]!.ref
    const err = await selector(l1)
      .findL1Origin(l2On(o1, 1012 + 599)) // next t - origin = 601 > 600
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PipelineError)
    expect((err as PipelineError).kind).toBe('temporary')
    expect((err as PipelineError).code).toBe('SEQUENCER_DRIFT_EXCEEDED')
  })

  it('past the drift, takes the next origin when it is old enough and keeps the current one otherwise', async () => {
    const l1 = new InMemoryL1Source(0, 1000, 12)
    l1.addBlock()
    const o1 = l1.addBlock()
    l1.addBlock([], { timestamp: 1012 + 700 })
    // next L2 t = 1613: past drift (601) but block 2 (t=1712) is in the future: op-node keeps the current origin.
    expect((await selector(l1).findL1Origin(l2On(o1, 1611))).number).toBe(1)
    expect((await selector(l1).findL1Origin(l2On(o1, 1710))).number).toBe(2)
  })

  it('uses the Fjord constant drift (1800) keyed on the L1 origin timestamp', async () => {
    expect(maxSequencerDrift({ maxSequencerDrift: 600, fjordTime: 1012 }, 1011)).toBe(600)
    expect(maxSequencerDrift({ maxSequencerDrift: 600, fjordTime: 1012 }, 1012)).toBe(FJORD_MAX_SEQUENCER_DRIFT)
    const l1 = l1Chain(2)
    const o1 = l1.blocks[1]!.ref
    const l2 = l2On(o1, 1012 + 1000) // drift 1002: over 600, under 1800
    expect((await selector(l1, { fjordTime: 1012 }).findL1Origin(l2)).number).toBe(1)
    await expect(selector(l1, { fjordTime: 1013 }).findL1Origin(l2)).rejects.toMatchObject({
      code: 'SEQUENCER_DRIFT_EXCEEDED',
    })
    await expect(
      selector(l1, { fjordTime: 0 }).findL1Origin(l2On(o1, 1012 + 1799)), // drift 1801 > 1800
    ).rejects.toMatchObject({ code: 'SEQUENCER_DRIFT_EXCEEDED' })
  })

  it('falls back to the current origin, logging, when fetching the next one fails within the drift', async () => {
    const l1 = l1Chain(3)
    const o1 = l1.blocks[1]!.ref
    const { logger, lines } = captureLogger()
    const flaky = {
      l1BlockRefByHash: (h: `0x${string}`) => l1.l1BlockRefByHash(h),
      l1BlockRefByNumber: async () => {
        throw PipelineError.temp('L1_FETCH_FAILED', 'connection refused')
      },
    }
    const s = new L1OriginSelector(CFG, flaky, { head: undefined }, logger)
    expect((await s.findL1Origin(l2On(o1, 1030))).number).toBe(1)
    expect(lines.some((l) => l.msg === 'Failed to get next origin, falling back to current origin')).toBe(true)
  })

  it('propagates the reset error when the current origin is no longer on L1', async () => {
    const l1 = l1Chain(2)
    const gone: L1BlockRef = { ...l1.blocks[1]!.ref, hash: `0x${'ee'.repeat(32)}` }
    await expect(selector(l1).findL1Origin(l2On(gone, 1020))).rejects.toMatchObject({ kind: 'reset' })
  })
})
