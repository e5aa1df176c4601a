import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { bytesToHex } from '../../../config/bytes.ts'
import { silentLogger } from '../../../config/logger.ts'
import type { RollupConfig } from '../../../config/rollupConfig.ts'
import type { Hash } from '../../../config/types.ts'
import { createNodeSequencer } from '../../../node/sequencer/nodeSequencer.ts'
import { InMemoryL1InfoSource } from '../../fakes/inMemoryL1InfoSource.ts'
import { InMemoryL1Source } from '../../fakes/inMemoryL1Source.ts'
import { DEV_ADDRS, DEV_KEYS, openEngineWithPool, signTransfer } from '../../helpers/engineFixture.ts'

// The node's assembly of the sequencer: engine adapter with the pool, state file in the datadir, admin_ methods.

const closers: (() => Promise<unknown>)[] = []
afterAll(async () => {
  for (const c of closers.reverse()) await c()
})

describe('createNodeSequencer', () => {
  it('sequences pool txs after admin_startSequencer and persists the switch in <datadir>/sequencer_state.json', async () => {
    const datadir = mkdtempSync(join(tmpdir(), 'oln-node-seq-'))
    closers.push(async () => rmSync(datadir, { recursive: true, force: true }))
    const e = await openEngineWithPool()
    closers.push(() => e.close())
    const l1 = new InMemoryL1Source(0, 1_699_999_996, 12)
    for (let i = 0; i < 8; i++) l1.addBlock()
    const info = new InMemoryL1InfoSource(l1)
    const rollup: RollupConfig = {
      genesis: {
        l1: { hash: l1.blocks[0]!.ref.hash, number: 0 },
        l2: { hash: bytesToHex(e.engine.head.unsafe.hash), number: 0 },
        l2_time: 1_700_000_000,
        system_config: {
          batcherAddr: `0x${'bb'.repeat(20)}`,
          overhead: `0x${'00'.repeat(32)}`,
          scalar: `0x01${'00'.repeat(23)}000c5fc500000558`,
          gasLimit: 30_000_000,
        },
      },
      block_time: 2,
      max_sequencer_drift: 600,
      seq_window_size: 3600,
      channel_timeout: 300,
      l1_chain_id: 900,
      l2_chain_id: 901,
      regolith_time: 0,
      canyon_time: 0,
      ecotone_time: 0,
      fjord_time: 0,
      batch_inbox_address: `0x${'ff'.repeat(20)}`,
      deposit_contract_address: `0x${'de'.repeat(20)}`,
      l1_system_config_address: `0x${'5c'.repeat(20)}`,
    }
    const published: bigint[] = []
    let onPublished: () => void = () => {}
    const { sequencer, adminApi } = createNodeSequencer({
      engine: e.engine,
      onBuilt: () => e.pool.onNewHead(),
      rollup,
      l1: {
        l1BlockRefByHash: (h: Hash) => l1.l1BlockRefByHash(h),
        l1BlockRefByNumber: (n: number) => l1.l1BlockRefByNumber(n),
        infoByHash: (h: Hash) => info.infoByHash(h),
        infoAndReceiptsByHash: (h: Hash) => info.infoAndReceiptsByHash(h),
      },
      l1Head: {
        get head() {
          return l1.blocks.at(-1)?.ref
        },
      },
      publisher: {
        publish: async (env) => {
          published.push(env.executionPayload.blockNumber)
          if (env.executionPayload.transactions.length > 1) onPublished()
        },
      },
      datadir,
      log: silentLogger(),
      l1ConfDepth: 2,
    })
    closers.push(() => sequencer.close())
    await sequencer.init(false)
    const call = (m: string, p: unknown[] = []) => adminApi.get(m)!(p, { transport: 'http' })
    expect(await call('admin_sequencerActive')).toBe(false)
    const hash = await e.backend.sendRawTransaction(signTransfer(DEV_KEYS[0]!, 0n, DEV_ADDRS[2] as Uint8Array, 5n))
    const included = new Promise<void>((r) => {
      onPublished = r
    })
    await call('admin_startSequencer', [bytesToHex(e.engine.head.unsafe.hash)])
    expect(JSON.parse(readFileSync(join(datadir, 'sequencer_state.json'), 'utf8'))).toEqual({ sequencerStarted: true })
    await included
    const last = await call('admin_stopSequencer')
    expect(last).toBe(bytesToHex(e.engine.head.unsafe.hash))
    expect(published[0]).toBe(1n)
    expect(e.pool.has(hash)).toBe(false) // included, then dropped by the pool's head update
    expect(JSON.parse(readFileSync(join(datadir, 'sequencer_state.json'), 'utf8'))).toEqual({ sequencerStarted: false })
  })
})
