import { deserialize, serialize } from 'node:v8'
import { describe, expect, it } from 'vitest'
import {
  benchChainFromData,
  benchChainToData,
  buildBenchChain,
  deriveAndExecute,
  deriveOnly,
} from '../../bench/derivation/builder.ts'

// The derivation bench's builder and both of its modes at a tiny size: brotli span-batch channels posted as
// calldata frames derive back into exactly the sequencer's blocks. No timing assertions.

describe('derivation bench (tiny)', () => {
  it('derives the sequencer chain from brotli span-batch frames, with and without execution', async () => {
    const chain = await buildBenchChain({ l2Blocks: 3, txsPerBlock: 20, blocksPerChannel: 2, maxFrameSize: 2_000 })
    expect(chain.stats.txs).toBe(60)
    expect(chain.stats.channels).toBe(2)
    expect(chain.stats.frames).toBeGreaterThan(2) // channels split into several frames
    const seqHashes = chain.refs.slice(1).map((r) => r.hash)
    expect(seqHashes).toHaveLength(3)

    const a = await deriveOnly(chain)
    expect(a.l2Blocks).toBe(3)
    expect(a.hashes).toEqual(seqHashes)

    // Through the serialized form the bench hands to its child processes.
    const again = benchChainFromData(deserialize(serialize(benchChainToData(chain))))
    const b = await deriveAndExecute(again, { recoveryWorkers: 0 })
    expect(b.hashes).toEqual(seqHashes)
    expect(b.l1Origin).toBeGreaterThanOrEqual(chain.stats.lastDataL1)
  })
})
