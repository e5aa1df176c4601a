import { afterEach, describe, expect, it } from 'vitest'
import { bytesToHex } from '../../../config/bytes.ts'
import { gasLimitLog } from '../../derivation/sysCfgHelpers.ts'
import { captureLogger } from '../../fakes/captureLogger.ts'
import { createHarness, waitFor } from './driverHarness.ts'

// The Driver on a real verifier ExecutionEngine, deriving what a real sequencer engine built from batches posted
// on an in-memory L1: same block hashes, consolidation without re-execution, reorg of a wrong unsafe chain, L1
// reorg reset and finality.

type Harness = Awaited<ReturnType<typeof createHarness>>
let h: Harness | null = null
const stops: (() => Promise<void>)[] = []

afterEach(async () => {
  for (const s of stops.splice(0)) await s()
  await h?.close()
  h = null
})

async function setup() {
  h = await createHarness()
  h.l1Until(3) // L1 blocks 0..3 at t0, t0+6, t0+12, t0+18
  await h.seq.build(9) // L2 blocks 1..9 at t0+2..t0+18, epochs 0..3
  return h
}

async function canonicalHashes(engine: { l2BlockRefByNumber(n: number): Promise<{ hash: string }> }, to: number) {
  const out: string[] = []
  for (let n = 1; n <= to; n++) out.push((await engine.l2BlockRefByNumber(n)).hash)
  return out
}

describe('derivation Driver (real engines)', () => {
  it('derives the sequencer chain from L1 batches with identical block hashes', async () => {
    const h = await setup()
    const seqHashes = await canonicalHashes(h.seq.l2, 9)
    h.post(h.seq.batches) // L1 block 4
    h.l1Until(5)
    const { logger } = captureLogger()
    const v = await h.verifier(logger)
    const run = v.driver.start()
    stops.push(() => v.driver.stop())
    await waitFor(() => v.engine.heads().safe.number === 9, 'safe head 9')
    expect(await canonicalHashes(v.engine, 9)).toEqual(seqHashes)
    const heads = v.engine.heads()
    expect(heads.unsafe.hash).toBe(seqHashes[8])
    expect(heads.safe.l1origin.number).toBe(3)
    expect(v.counts.built).toBe(9) // every block built from derived attributes
    const status = v.driver.syncStatus()
    expect(status.current_l1.number).toBe(5)
    expect(status.safe_l2.number).toBe(9)
    expect(status.pending_safe_l2.number).toBe(9)
    await v.driver.stop()
    await expect(run).resolves.toBeUndefined()
  })

  it('promotes gossiped unsafe blocks to safe without re-executing them', async () => {
    const h = await setup()
    const seqHashes = await canonicalHashes(h.seq.l2, 9)
    const { logger } = captureLogger()
    const v = await h.verifier(logger)
    for (const env of h.seq.envelopes) v.driver.onUnsafePayload(env)
    v.driver.start()
    stops.push(() => v.driver.stop())
    await waitFor(() => v.engine.heads().unsafe.number === 9, 'unsafe head 9')
    expect(v.engine.heads().safe.number).toBe(0) // no batches on L1 yet
    expect(v.counts.imported).toBe(9)
    h.post(h.seq.batches)
    h.l1Until(5)
    v.driver.onL1Head(h.l1.blocks[5]!.ref)
    await waitFor(() => v.engine.heads().safe.number === 9, 'safe head 9')
    expect(await canonicalHashes(v.engine, 9)).toEqual(seqHashes)
    expect(v.counts.built).toBe(0) // consolidated: nothing built from attributes
    expect(v.counts.imported).toBe(9) // and nothing executed again
  })

  it('replaces unsafe blocks that do not match the derived attributes', async () => {
    const h = await setup()
    const seqHashes = await canonicalHashes(h.seq.l2, 9)
    const other = await h.otherSequencer(7n) // same epochs, different transfer value
    await other.build(3)
    const otherHashes = await canonicalHashes(other.l2, 3)
    expect(otherHashes[0]).not.toBe(seqHashes[0])
    h.post(h.seq.batches)
    h.l1Until(5)
    const { logger, lines } = captureLogger()
    const v = await h.verifier(logger)
    for (const env of other.envelopes) v.driver.onUnsafePayload(env)
    v.driver.start()
    stops.push(() => v.driver.stop())
    await waitFor(() => v.engine.heads().safe.number === 9, 'safe head 9')
    expect(await canonicalHashes(v.engine, 9)).toEqual(seqHashes)
    expect(v.counts.imported).toBe(3)
    expect(lines.some((l) => String(l.msg).includes('do not match the unsafe block'))).toBe(true)
    expect(await v.engine.l2BlockRefByHash(otherHashes[0] as `0x${string}`)).toBeDefined() // stored, not canonical
  })

  it('resets on an L1 reorg that removes the batches, then re-derives once they are posted again', async () => {
    const h = await setup()
    const seqHashes = await canonicalHashes(h.seq.l2, 9)
    h.post(h.seq.batches) // L1 block 4
    h.l1Until(5)
    const { logger, lines } = captureLogger()
    const v = await h.verifier(logger)
    v.driver.start()
    stops.push(() => v.driver.stop())
    await waitFor(() => v.engine.heads().safe.number === 9, 'safe head 9')
    const builtBefore = v.counts.built

    h.l1.reorgFrom(4) // the block with the batches is gone
    h.l1Until(7)
    v.driver.onL1Head(h.l1.blocks[7]!.ref)
    await waitFor(() => v.engine.heads().safe.number === 0, 'safe head back to genesis')
    expect(lines.some((l) => l.msg === 'Derivation reset')).toBe(true)
    // The unsafe chain's L1 origins (0..3) are still canonical: it stays.
    expect(v.engine.heads().unsafe.hash).toBe(seqHashes[8])

    h.post(h.seq.batches) // L1 block 8 on the new branch, inside the sequencing window
    h.l1Until(9)
    v.driver.onL1Head(h.l1.blocks[9]!.ref)
    await waitFor(() => v.engine.heads().safe.number === 9, 'safe head 9 again')
    expect(await canonicalHashes(v.engine, 9)).toEqual(seqHashes)
    expect(v.counts.built).toBe(builtBefore) // re-derived by consolidation
  })

  it('rewinds the unsafe head to the last block whose L1 origin survives an L1 reorg', async () => {
    const h = await setup()
    const seqHashes = await canonicalHashes(h.seq.l2, 9)
    const { logger, lines } = captureLogger()
    const v = await h.verifier(logger)
    for (const env of h.seq.envelopes) v.driver.onUnsafePayload(env)
    v.driver.start()
    stops.push(() => v.driver.stop())
    await waitFor(() => v.engine.heads().unsafe.number === 9, 'unsafe head 9')
    await waitFor(() => v.driver.syncStatus().current_l1.number === 3, 'pipeline at L1 3')

    h.l1.reorgFrom(2) // L1 blocks 2 and 3, the origins of L2 blocks 6..9, are replaced
    h.l1Until(5)
    v.driver.onL1Head(h.l1.blocks[5]!.ref)
    await waitFor(() => v.engine.heads().unsafe.number === 5, 'unsafe head rewound to 5')
    expect(v.engine.heads().unsafe.hash).toBe(seqHashes[4])
    expect(v.engine.heads().unsafe.l1origin.number).toBe(1)
    expect(v.engine.heads().safe.number).toBe(0)
    expect(lines.some((l) => l.msg === 'Derivation reset')).toBe(true)
  })

  it('finalizes the L2 blocks derived from finalized L1 blocks', async () => {
    const h = await setup()
    h.post(h.seq.batches) // L1 block 4
    h.l1Until(5)
    const { logger } = captureLogger()
    const v = await h.verifier(logger)
    v.driver.start()
    stops.push(() => v.driver.stop())
    await waitFor(() => v.engine.heads().safe.number === 9, 'safe head 9')

    v.driver.onL1Finalized(h.l1.blocks[3]!.ref) // before the batches: nothing final yet
    await waitFor(() => v.driver.syncStatus().current_l1_finalized.number === 3, 'finalizer saw L1 3')
    expect(v.engine.heads().finalized.number).toBe(0)

    v.driver.onL1Finalized(h.l1.blocks[4]!.ref)
    await waitFor(() => v.engine.heads().finalized.number === 9, 'finalized head 9')
    expect(v.engine.heads().finalized.hash).toBe(bytesToHex(h.seq.envelopes[8]!.executionPayload.blockHash))
    expect(v.driver.syncStatus().finalized_l1.number).toBe(4)
  })

  it('resets onto a finalized block built after a SystemConfig change and derives on with its config', async () => {
    h = await createHarness()
    h.l1Until(1)
    h.l1.addBlock([], { receipts: [{ status: 1, logs: [gasLimitLog(40_000_000n)] }] }) // L1 block 2
    h.l1Until(3)
    await h.seq.build(9) // blocks 6..9 have epochs 2, 3: gas limit 40M
    h.post(h.seq.batches) // L1 block 4
    h.l1Until(5)
    const { logger, lines } = captureLogger()
    const v = await h.verifier(logger)
    v.driver.start()
    stops.push(() => v.driver.stop())
    await waitFor(() => v.engine.heads().safe.number === 9, 'safe head 9')
    expect((await v.engine.blockForMatch(9))?.gasLimit).toBe(40_000_000n)
    v.driver.onL1Finalized(h.l1.blocks[4]!.ref)
    await waitFor(() => v.engine.heads().finalized.number === 9, 'finalized head 9')

    await h.seq.build(3) // blocks 10..12
    h.l1.reorgFrom(5)
    h.post(h.seq.batches.slice(9)) // L1 block 5 on the new branch
    h.l1Until(6)
    v.driver.onL1Head(h.l1.blocks[6]!.ref)
    // The reset keeps the finalized block as safe head; derivation restarts a channel timeout back (L1 genesis) with
    // the genesis config for L1 traversal and block 9's own config (gas limit 40M) for the next attributes.
    await waitFor(() => v.engine.heads().safe.number === 12, 'safe head 12')
    expect(lines.some((l) => l.msg === 'Derivation reset')).toBe(true)
    expect(await canonicalHashes(v.engine, 12)).toEqual(await canonicalHashes(h.seq.l2, 12))
    expect((await v.engine.blockForMatch(12))?.gasLimit).toBe(40_000_000n)
  })
})
