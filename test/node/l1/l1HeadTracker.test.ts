import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { L1BlockRef } from '../../../config/types.ts'
import { PipelineError } from '../../../derivation/pipelineErrors.ts'
import { type Anvil, startAnvil } from '../../../node/l1/anvil.ts'
import { L1HeadTracker } from '../../../node/l1/l1HeadTracker.ts'
import { type L1BlockLabel, RpcL1Source } from '../../../node/l1/rpcL1Source.ts'
import { captureLogger } from '../../fakes/captureLogger.ts'

let anvil: Anvil
beforeAll(async () => {
  anvil = await startAnvil()
})
afterAll(async () => {
  await anvil?.stop()
})

/** Resolves once `pred` holds, checking after every macrotask (no wall-clock assertion). */
async function until(pred: () => boolean): Promise<void> {
  while (!pred()) await new Promise((r) => setTimeout(r, 5))
}

describe('L1HeadTracker', () => {
  it('reports the head on start and each new head after, and polls no more after stop', async () => {
    const l1 = new RpcL1Source({ url: anvil.url })
    let polls = 0
    const counted = {
      l1BlockRefByLabel: (label: L1BlockLabel) => {
        polls++
        return l1.l1BlockRefByLabel(label)
      },
    }
    const tracker = new L1HeadTracker(counted, { intervalMs: 10 })
    const heads: L1BlockRef[] = []
    const safes: L1BlockRef[] = []
    const finals: L1BlockRef[] = []
    tracker.subscribe({
      onL1Head: (r) => heads.push(r),
      onL1Safe: (r) => safes.push(r),
      onL1Finalized: (r) => finals.push(r),
    })
    tracker.start()
    await until(() => heads.length === 1 && safes.length === 1 && finals.length === 1)
    expect(heads[0]!.number).toBe(0)
    await anvil.rpc('anvil_mine', ['0x3'])
    await until(() => heads.at(-1)?.number === 3)
    expect(tracker.head).toEqual(await l1.l1BlockRefByNumber(3))
    // Every reported head is a change: no block reported twice in a row.
    for (let i = 1; i < heads.length; i++) expect(heads[i]!.hash).not.toBe(heads[i - 1]!.hash)
    await tracker.stop()
    const pollsAtStop = polls
    const reported = heads.length
    await anvil.rpc('anvil_mine', ['0x1'])
    // Ten intervals later the loop has not polled again: no timer survived stop().
    await new Promise((r) => setTimeout(r, 100))
    expect(polls).toBe(pollsAtStop)
    expect(heads.length).toBe(reported)
    await tracker.poll() // a manual poll still works after stop
    expect(heads.at(-1)!.number).toBe(4)
  })

  it('logs a failed poll and keeps going; a throwing listener does not stop the others', async () => {
    let fail = true
    let n = 0
    const source = {
      async l1BlockRefByLabel(label: L1BlockLabel): Promise<L1BlockRef> {
        if (fail) throw PipelineError.temp('L1_RPC_UNAVAILABLE', 'down', { label })
        return {
          number: n,
          hash: `0x${n.toString(16).padStart(64, '0')}`,
          parentHash: `0x${'0'.repeat(64)}`,
          timestamp: n,
        }
      },
    }
    const { logger, lines } = captureLogger()
    const tracker = new L1HeadTracker(source, { intervalMs: 1, logger })
    const seen: number[] = []
    tracker.subscribe({
      onL1Head: () => {
        throw new Error('listener bug')
      },
    })
    tracker.subscribe({ onL1Head: (r) => seen.push(r.number) })
    await tracker.poll()
    expect(lines.some((l) => l.msg === 'L1 head poll failed')).toBe(true)
    fail = false
    n = 7
    await tracker.poll()
    await tracker.poll() // same head: no second call
    expect(seen).toEqual([7])
    expect(lines.some((l) => l.msg === 'L1 head listener threw')).toBe(true)
  })
})
