import { afterEach, describe, expect, it } from 'vitest'
import { attributes, DEFAULT_L1_INFO, l1InfoDeposit, openEngine } from '../../helpers/engineFixture.ts'

// On a sequencer node derivation moves the safe head (updateSafety) while the sequencer builds blocks
// (buildBlock). buildBlock must not write back safe/finalized hashes it read before its turn in the engine's
// queue: that rewound the safe head, and the driver's next updateSafety then failed with "inconsistent heads"
// (found by test/node/integration/altdaFailover.test.ts).

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  while (closers.length) await (closers.pop() as () => Promise<void>)()
})

describe('buildBlock beside a concurrent updateSafety', () => {
  it('keeps the safe and finalized heads that updateSafety set while the build was queued', async () => {
    const e = await openEngine()
    closers.push(() => e.close())
    const { engine } = e
    const g = engine.head.unsafe
    const b1 = await engine.buildBlock(attributes(g.header.timestamp, [l1InfoDeposit()]))
    const b2 = await engine.buildBlock(
      attributes(b1.header.timestamp, [l1InfoDeposit({ ...DEFAULT_L1_INFO, sequenceNumber: 1n })]),
    )
    expect(hex(engine.head.safe.hash)).toBe(hex(g.hash))
    // not awaited: queued first, runs before the build's forkchoice updates
    const safety = engine.updateSafety(b2.hash, b1.hash)
    const b3 = await engine.buildBlock(
      attributes(b2.header.timestamp, [l1InfoDeposit({ ...DEFAULT_L1_INFO, sequenceNumber: 2n })]),
    )
    await safety
    expect(hex(engine.head.unsafe.hash)).toBe(hex(b3.hash))
    expect(hex(engine.head.safe.hash)).toBe(hex(b2.hash))
    expect(hex(engine.head.finalized.hash)).toBe(hex(b1.hash))
    // and the driver's next update is consistent
    await engine.updateSafety(b3.hash, b2.hash)
    expect(hex(engine.head.safe.hash)).toBe(hex(b3.hash))
  })
})
