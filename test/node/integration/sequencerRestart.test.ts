import { rmSync } from 'node:fs'
import type { Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../../node/nodeMain.ts'
import {
  expectSameChain,
  head,
  inboxTxs,
  type L1Chain,
  reportOnFailure,
  rpc,
  sendTransfers,
  startL1Chain,
  startSequencer,
  startVerifier,
  stopAll,
  testLogger,
} from './twoNodes.ts'

// Issue 4: the sequencer node (sequencer + batcher) is stopped while its batcher has a channel open (a long
// channel duration keeps it open), then restarted on the same data directory. Every L2 tx sent before the stop
// must end up safe on a verifier that reads L1 alone, and the restarted batcher must resume from the safe head:
// the chain the verifier derives is the sequencer's, block for block.

let chain: L1Chain | undefined
let seq: RunningNode | undefined
let ver: RunningNode | undefined
const captured = testLogger()
// channels stay open for 60 L1 blocks (1 s each): a stop a few seconds in always lands mid-channel
const batcher = { da: 'calldata' as const, maxChannelDuration: 60 }

beforeAll(async () => {
  chain = await startL1Chain('oln-integ-restart-')
  seq = await startSequencer(chain, captured.log, batcher)
  ver = await startVerifier(chain, captured.log)
}, 90_000)

afterAll(async () => {
  await stopAll(
    () => ver?.stop(),
    () => seq?.stop(),
    () => chain?.anvil.stop(),
  )
  if (chain) rmSync(chain.dir, { recursive: true, force: true })
})

describe('sequencer restart mid-channel', () => {
  it('loses no L2 tx: the restarted batcher resumes from the safe head and the verifier derives them all', async () => {
    await reportOnFailure(captured, async () => {
      if (!chain || !seq || !ver) throw new Error('setup failed')
      const before = await sendTransfers(seq.rpcUrl, 3)
      const receipts = await Promise.all(
        before.map(async (h) => {
          for (let i = 0; i < 100; i++) {
            const r = await rpc<{ blockNumber: Hex } | null>(seq?.rpcUrl as string, 'eth_getTransactionReceipt', [h])
            if (r) return r
            await new Promise((res) => setTimeout(res, 200))
          }
          throw new Error(`tx ${h} not included`)
        }),
      )
      const lastTxBlock = Math.max(...receipts.map((r) => Number(r.blockNumber)))
      // the channel holding these blocks is still open: nothing of them is safe yet
      expect((await head(seq.rpcUrl, 'safe')).number).toBeLessThan(lastTxBlock)
      const unsafeAtStop = (await head(seq.rpcUrl, 'latest')).number
      const inboxBefore = (await inboxTxs(chain)).length
      await seq.stop()

      seq = await startSequencer(chain, captured.log, { ...batcher, maxChannelDuration: 2 })
      // the restarted node keeps its chain and builds on it
      expect((await head(seq.rpcUrl, 'latest')).number).toBeGreaterThanOrEqual(unsafeAtStop)
      await sendTransfers(seq.rpcUrl, 2)
      const target = Math.max(lastTxBlock, unsafeAtStop) + 2
      await expectSameChain(seq.rpcUrl, ver.rpcUrl, target, 90_000)
      for (const h of before) {
        const r = await rpc<{ status: Hex } | null>(ver.rpcUrl, 'eth_getTransactionReceipt', [h])
        expect(r?.status, `tx ${h} derived by the verifier`).toBe('0x1')
      }
      expect((await inboxTxs(chain)).length).toBeGreaterThan(inboxBefore)
    })
  }, 180_000)
})
