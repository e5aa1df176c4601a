import { rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DAServer } from '../../../da-eigen/server/daServer.ts'
import type { RunningNode } from '../../../node/nodeMain.ts'
import {
  altDAOptions,
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
  waitFor,
} from './twoNodes.ts'

// Issue 5: the sequencer batches to Alt-DA through the local DA server (in this process), the verifier reads the
// batches back through it. The DA server is then forced to fail over (503 on put): the batcher must post the
// frames as calldata instead (inbox tx input 0x00 ++ frames, vs 0x01 ++ commitment for Alt-DA); once restored,
// commitments come back. Across the three phases the verifier's safe head keeps advancing on the same chain.

const ALTDA = '0x01'
const CALLDATA = '0x00'

let chain: L1Chain | undefined
let da: DAServer | undefined
let daUrl: string
let seq: RunningNode | undefined
let ver: RunningNode | undefined

async function setFailover(on: boolean): Promise<void> {
  const res = await fetch(`${daUrl}/memstore/config`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ PutReturnsFailoverError: on }),
  })
  expect(res.status).toBe(200)
}

async function l1Number(): Promise<number> {
  return Number(await (chain as L1Chain).anvil.rpc<Hex>('eth_blockNumber'))
}

/** Waits for an inbox tx whose input starts with `prefix` in L1 blocks from `from` on. */
async function waitForInboxTx(prefix: Hex, from: number): Promise<void> {
  await waitFor(
    `a batcher tx starting with ${prefix} after L1 block ${from}`,
    async () => (await inboxTxs(chain as L1Chain, from)).some((t) => t.input.slice(0, 4) === prefix),
    60_000,
    500,
  )
}

/** Transfers, then the verifier's safe head must reach the sequencer's head with the same hashes. */
async function advance(minSafe: number): Promise<number> {
  const s = seq as RunningNode
  await sendTransfers(s.rpcUrl, 2)
  const target = Math.max(minSafe, Number(await rpc<Hex>(s.rpcUrl, 'eth_blockNumber')))
  const safe = await expectSameChain(s.rpcUrl, (ver as RunningNode).rpcUrl, target, 60_000)
  return safe.number
}

const captured = testLogger()

beforeAll(async () => {
  const log = captured.log
  chain = await startL1Chain('oln-integ-altda-')
  da = new DAServer({ dir: join(chain.dir, 'da'), logger: log })
  daUrl = (await da.start()).url
  seq = await startSequencer(chain, log, { da: 'altda' }, { altDA: altDAOptions(daUrl), metricsPort: 0 })
  ver = await startVerifier(chain, log, { altDA: altDAOptions(daUrl) })
}, 90_000)

afterAll(async () => {
  await stopAll(
    () => ver?.stop(),
    () => seq?.stop(),
    () => da?.close(),
    () => chain?.anvil.stop(),
  )
  if (chain) rmSync(chain.dir, { recursive: true, force: true })
})

describe('Alt-DA batching with failover to calldata (anvil L1, local DA server)', () => {
  it('keeps the verifier on the sequencer chain through Alt-DA, failover and recovery', async () => {
    if (!seq || !ver || !chain) throw new Error('setup failed')
    const fatal = Promise.race([seq.fatal, ver.fatal])
    const work = reportOnFailure(captured, async () => {
      // phase 1: Alt-DA commitments only
      const safe1 = await advance(4)
      const p1 = await inboxTxs(chain as L1Chain)
      expect(p1.length).toBeGreaterThan(0)
      for (const t of p1) expect(t.input.slice(0, 4)).toBe(ALTDA)

      // phase 2: the DA server answers 503 on put, the batcher posts calldata frames
      const failFrom = (await l1Number()) + 1
      await setFailover(true)
      await waitForInboxTx(CALLDATA, failFrom)
      const safe2 = await advance(safe1 + 1)
      expect(safe2).toBeGreaterThan(safe1)

      // phase 3: restored, commitments again
      await setFailover(false)
      const restoreFrom = (await l1Number()) + 1
      await waitForInboxTx(ALTDA, restoreFrom)
      const safe3 = await advance(safe2 + 1)
      expect(safe3).toBeGreaterThan(safe2)
    })
    await Promise.race([work, fatal])
    // the sequencer's blocks never rewound the safe head derivation had set (engine.buildBlock race)
    expect(captured.lines.filter((l) => l.includes('inconsistent heads'))).toEqual([])
    expect(captured.lines.some((l) => l.includes('Alt-DA down, failing over to Ethereum DA'))).toBe(true)

    // the sequencer's Prometheus metrics count the failovers and the DA server's answers
    expect(seq.metricsUrl).toBeDefined()
    const text = await (await fetch(seq.metricsUrl as string)).text()
    const failovers = /^oln_altda_failovers_total\{target="calldata"\} (\d+)/m.exec(text)
    expect(Number(failovers?.[1])).toBeGreaterThan(0)
    expect(text).toMatch(/^oln_altda_requests_total\{route="put",status="503"\} [1-9]/m)
    expect(text).toMatch(/^oln_altda_requests_total\{route="put",status="200"\} [1-9]/m)
  }, 150_000)
})
