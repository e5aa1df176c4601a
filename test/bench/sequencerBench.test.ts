import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { batchDataStats, blockNumber, startAnvilL2, startOlnChain, waitForBlock } from '../../bench/sequencer/chain.ts'
import { benchSenders, runLoad, signTransfers } from '../../bench/sequencer/load.ts'

// The sequencer bench's pieces at a tiny size (5 senders x 2 transfers): an oln sequencer node (own process,
// calldata batcher) on anvil with the contracts deployed includes every tx, the batcher's inbox calldata decodes
// back into channels carrying exactly those txs once they are safe, and anvil as an L2 includes the same load.
// No timing assertions.

const SENDERS = 5
const PER_SENDER = 2

describe('sequencer bench (tiny)', () => {
  const senders = benchSenders(SENDERS, 'bench-seq-test')
  const raws = signTransfers(901n, senders, PER_SENDER, 50_000_000_000n)

  it('includes every transfer on an oln sequencer and posts them all as batch data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oln-bench-seq-test-'))
    const chain = await startOlnChain({ dir, senders, l1BlockTime: 1, channelDuration: 2 })
    try {
      await waitForBlock(chain.l2Url, 1, 'latest', 60_000)
      const l1Start = await blockNumber(chain.l1.url)
      const load = await runLoad(chain.l2Url, raws, senders, PER_SENDER, { timeoutMs: 60_000 })
      expect(load.rejected).toBe(0)
      expect(load.included).toBe(SENDERS * PER_SENDER)
      const l2End = await blockNumber(chain.l2Url)
      await waitForBlock(chain.l2Url, l2End, 'safe', 90_000)
      const l1End = await blockNumber(chain.l1.url)
      const data = await batchDataStats(chain.l1.url, chain.rollup, chain.batcher, l1Start, l1End)
      expect(data.batcherTxs).toBeGreaterThan(0)
      expect(data.l2Txs).toBe(SENDERS * PER_SENDER)
      expect(data.channels.reduce((a, c) => a + c.bytes, 0)).toBeLessThanOrEqual(data.bytes)
    } finally {
      await chain.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  }, 240_000)

  it('includes the same transfers on anvil as an L2 (automine)', async () => {
    const a = await startAnvilL2(senders, 0)
    try {
      const load = await runLoad(a.url, raws, senders, PER_SENDER, { timeoutMs: 30_000 })
      expect(load.rejected).toBe(0)
      expect(load.included).toBe(SENDERS * PER_SENDER)
    } finally {
      await a.stop()
    }
  }, 60_000)
})
