import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Hash, L1BlockRef } from '../../../config/types.ts'
import { PipelineError } from '../../../derivation/pipelineErrors.ts'
import type { L1Receipt, L1Source, L1Transaction } from '../../../derivation/providers.ts'
import { SafeHeadStore } from '../../../node/db/safeHeadStore.ts'
import { createRollupApi } from '../../../node/rpc/rollupApi.ts'
import { captureLogger } from '../../fakes/captureLogger.ts'
import { createHarness, waitFor } from './driverHarness.ts'

// The Driver's one error handler (temporary -> backoff and retry, critical -> the run promise rejects) and the
// safe-head database it feeds, answered through optimism_safeHeadAtL1Block.

type Harness = Awaited<ReturnType<typeof createHarness>>
let h: Harness | null = null
const cleanups: (() => Promise<void> | void)[] = []

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
  await h?.close()
  h = null
})

/** An L1 source whose block-data fetches fail `failures` times with a temporary error before answering. */
class FlakyL1 implements L1Source {
  constructor(
    private readonly inner: L1Source,
    public failures: number,
  ) {}
  l1BlockRefByNumber(n: number): Promise<L1BlockRef> {
    return this.inner.l1BlockRefByNumber(n)
  }
  l1BlockRefByHash(hash: Hash): Promise<L1BlockRef> {
    return this.inner.l1BlockRefByHash(hash)
  }
  receiptsByHash(hash: Hash): Promise<readonly L1Receipt[]> {
    return this.inner.receiptsByHash(hash)
  }
  async blockInfoAndTxsByHash(hash: Hash): Promise<{ info: L1BlockRef; txs: readonly L1Transaction[] }> {
    if (this.failures > 0) {
      this.failures--
      throw PipelineError.temp('L1_FETCH_FAILED', 'connection reset', { hash })
    }
    return this.inner.blockInfoAndTxsByHash(hash)
  }
}

async function postedChain() {
  h = await createHarness()
  h.l1Until(3)
  await h.seq.build(9)
  h.post(h.seq.batches) // L1 block 4
  h.l1Until(5)
  return h
}

describe('Driver errors and safe-head database', () => {
  it('retries temporary errors with backoff and still derives the chain', async () => {
    const h = await postedChain()
    const flaky = new FlakyL1(h.l1, 4)
    const { logger, lines } = captureLogger()
    const v = await h.verifier(logger, { l1: flaky })
    v.driver.start()
    cleanups.push(() => v.driver.stop())
    await waitFor(() => v.engine.heads().safe.number === 9, 'safe head 9')
    expect(flaky.failures).toBe(0)
    const retries = lines.filter((l) => l.msg === 'Temporary derivation error: retrying')
    expect(retries).toHaveLength(4)
    expect(retries.map((l) => l.retryInMs)).toEqual([5, 10, 20, 40])
  })

  it('stops on a critical error and rejects the run promise', async () => {
    const h = await postedChain()
    const { logger, lines } = captureLogger()
    const wrongGenesis = { hash: `0x${'ee'.repeat(32)}` as Hash, number: 0 }
    const v = await h.verifier(logger, { cfg: { genesisL2: wrongGenesis } })
    await expect(v.driver.start()).rejects.toMatchObject({ code: 'SYNC_WRONG_CHAIN', kind: 'critical' })
    expect(lines.some((l) => l.level === 60 && String(l.msg).includes('Critical derivation error'))).toBe(true)
    expect(v.engine.heads().safe.number).toBe(0)
  })

  it('records the safe head per L1 block, serves optimism_safeHeadAtL1Block and follows a reset', async () => {
    const h = await postedChain()
    const dir = mkdtempSync(join(tmpdir(), 'oln-safedb-'))
    const store = await SafeHeadStore.open(dir)
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    cleanups.push(() => store.close())
    const { logger } = captureLogger()
    const v = await h.verifier(logger, { safeHeadListener: store })
    v.driver.start()
    cleanups.push(() => v.driver.stop())
    await waitFor(() => v.engine.heads().safe.number === 9, 'safe head 9')
    // L1 block 4 (the batches) is fully derived once the pipeline moves on to block 5.
    await waitFor(async () => (await store.safeHeadAtL1Block(4)) !== null, 'record for L1 block 4')
    const safe9 = v.engine.heads().safe
    expect(await store.safeHeadAtL1Block(3)).toEqual({
      l1Block: { hash: h.l1.blocks[3]!.ref.hash, number: 3 },
      safeHead: { hash: h.cfg.genesisL2.hash, number: 0 },
    })
    const rpc = createRollupApi(v.engine.engine, {} as never, { version: 'test', safeHeads: store })
    const call = rpc.get('optimism_safeHeadAtL1Block')!
    expect(await call(['0x5'], {} as never)).toEqual({
      l1Block: { hash: h.l1.blocks[4]!.ref.hash, number: 4 },
      safeHead: { hash: safe9.hash, number: 9 },
    })
    const disabled = createRollupApi(v.engine.engine, {} as never, { version: 'test' })
    await expect(disabled.get('optimism_safeHeadAtL1Block')!(['0x5'], {} as never)).rejects.toThrow(/disabled/)

    h.l1.reorgFrom(4) // batches gone: the safe head resets to genesis, later records are dropped
    h.l1Until(7)
    v.driver.onL1Head(h.l1.blocks[7]!.ref)
    await waitFor(() => v.engine.heads().safe.number === 0, 'safe head reset')
    await waitFor(async () => (await store.safeHeadAtL1Block(100))?.safeHead.number === 0, 'records truncated')
  })
})
