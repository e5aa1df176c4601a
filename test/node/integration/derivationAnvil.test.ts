import { rmSync } from 'node:fs'
import type { Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../../node/nodeMain.ts'
import {
  expectSameChain,
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

// Issue 3: a sequencer node (sequencer + batcher) and a verifier node (L1 + beacon only: no P2P, so everything
// it has comes from L1) run in this process against a real anvil L1. The verifier's safe chain must be the
// sequencer's chain block for block, with batches posted as calldata and, in a second chain, as blobs (read back
// through anvil's beacon blob endpoint; KZG commitments/proofs are pure JS, so that case stays short).

interface SyncStatus {
  current_l1: { number: number }
  safe_l2: { number: number; hash: Hex }
}

async function compareRollupRpc(seq: string, ver: string, safeNumber: number): Promise<void> {
  const [s, v] = await Promise.all([
    rpc<SyncStatus>(seq, 'optimism_syncStatus'),
    rpc<SyncStatus>(ver, 'optimism_syncStatus'),
  ])
  // the record of an L1 block is written once derivation moves past it, so ask about one both have passed
  const l1 = Math.min(s.current_l1.number, v.current_l1.number) - 1
  expect(l1).toBeGreaterThan(0)
  const [hs, hv] = await Promise.all([
    rpc(seq, 'optimism_safeHeadAtL1Block', [`0x${l1.toString(16)}`]),
    rpc(ver, 'optimism_safeHeadAtL1Block', [`0x${l1.toString(16)}`]),
  ])
  expect(hv).toEqual(hs)
  expect((hv as { l1Block: { number: number } }).l1Block.number).toBe(l1)
  const n = `0x${safeNumber.toString(16)}`
  const [os, ov] = await Promise.all([
    rpc<{ outputRoot: Hex; blockRef: { hash: Hex } }>(seq, 'optimism_outputAtBlock', [n]),
    rpc<{ outputRoot: Hex; blockRef: { hash: Hex } }>(ver, 'optimism_outputAtBlock', [n]),
  ])
  expect(ov.outputRoot).toBe(os.outputRoot)
  expect(ov.blockRef.hash).toBe(os.blockRef.hash)
}

for (const da of ['calldata', 'blobs'] as const) {
  describe(`derivation from anvil: batches as ${da}`, () => {
    let chain: L1Chain | undefined
    let seq: RunningNode | undefined
    let ver: RunningNode | undefined
    const captured = testLogger()

    beforeAll(async () => {
      const log = captured.log
      chain = await startL1Chain(`oln-integ-${da}-`)
      seq = await startSequencer(chain, log, { da })
      ver = await startVerifier(chain, log)
    }, 90_000)

    afterAll(async () => {
      await stopAll(
        () => ver?.stop(),
        () => seq?.stop(),
        () => chain?.anvil.stop(),
      )
      if (chain) rmSync(chain.dir, { recursive: true, force: true })
    })

    it(`the verifier derives the sequencer chain from L1 alone (${da} batches)`, async () => {
      if (!chain || !seq || !ver) throw new Error('setup failed')
      const fatal = Promise.race([seq.fatal, ver.fatal])
      const [s, v, c] = [seq, ver, chain]
      const work = reportOnFailure(captured, async () => {
        const sent = await sendTransfers(s.rpcUrl, 3)
        const target = Math.max(Number(await rpc<Hex>(s.rpcUrl, 'eth_blockNumber')), da === 'blobs' ? 4 : 8)
        // generous: under load the pure-JS KZG work of both nodes shares this process's event loop
        const safe = await expectSameChain(s.rpcUrl, v.rpcUrl, target, 100_000)
        expect(safe.number).toBeGreaterThanOrEqual(target)
        await compareRollupRpc(s.rpcUrl, v.rpcUrl, safe.number)
        for (const h of sent) {
          const [rs, rv] = await Promise.all([
            rpc<{ blockHash: Hex; status: Hex }>(s.rpcUrl, 'eth_getTransactionReceipt', [h]),
            rpc<{ blockHash: Hex; status: Hex }>(v.rpcUrl, 'eth_getTransactionReceipt', [h]),
          ])
          expect(rv).toEqual(rs)
          expect(rv.status).toBe('0x1')
        }
        const txs = await inboxTxs(c)
        expect(txs.length).toBeGreaterThan(0)
        if (da === 'blobs') {
          for (const t of txs) expect({ type: t.type, blobs: t.blobs > 0 }).toEqual({ type: '0x3', blobs: true })
        } else {
          for (const t of txs) expect(t.input.slice(0, 4)).toBe('0x00')
        }
      })
      await Promise.race([work, fatal])
      // the sequencer's blocks never rewound the safe head derivation had set (engine.buildBlock race)
      expect(captured.lines.filter((l) => l.includes('inconsistent heads'))).toEqual([])
    }, 120_000)
  })
}
