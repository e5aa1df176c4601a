import { afterAll, describe, expect, it } from 'vitest'
import { bytesToHex } from '../../../config/bytes.ts'
import { silentLogger } from '../../../config/logger.ts'
import type { RollupConfig } from '../../../config/rollupConfig.ts'
import { attributesConfigFromRollup } from '../../../derivation/attributes/attributesBuilder.ts'
import { createAdminApi } from '../../../node/rpc/adminApi.ts'
import { RpcServer } from '../../../node/rpc/server.ts'
import { ExecutionEngineSequencerAdapter } from '../../../node/sequencer/engineAdapter.ts'
import { Sequencer } from '../../../sequencer/sequencer.ts'
import { NonPersistentSequencerState } from '../../../sequencer/sequencerState.ts'
import { InMemoryL1InfoSource } from '../../fakes/inMemoryL1InfoSource.ts'
import { InMemoryL1Source } from '../../fakes/inMemoryL1Source.ts'
import { openEngine } from '../../helpers/engineFixture.ts'

// op-node's admin_ sequencer API (op-node/node/api.go) over the real HTTP JSON-RPC server and a real sequencer.

const closers: (() => Promise<unknown>)[] = []
afterAll(async () => {
  for (const c of closers.reverse()) await c()
})

async function stack() {
  const e = await openEngine()
  closers.push(() => e.close())
  const l1 = new InMemoryL1Source(0, 1_699_999_996, 12)
  l1.addBlock()
  l1.addBlock()
  const g = l1.blocks[0]!.ref
  const rollup = {
    genesis: {
      l1: { hash: g.hash, number: 0 },
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
  } satisfies RollupConfig
  const engine = new ExecutionEngineSequencerAdapter({ engine: e.engine, rollup })
  let published = 0
  const sequencer = new Sequencer({
    config: { attributes: attributesConfigFromRollup(rollup), maxSequencerDrift: 600, sequencerConfDepth: 0 },
    engine,
    l1,
    l1Info: new InMemoryL1InfoSource(l1),
    l1Head: {
      get head() {
        return l1.blocks.at(-1)?.ref
      },
    },
    publisher: {
      publish: async () => {
        published++
      },
    },
    state: new NonPersistentSequencerState(),
    log: silentLogger(),
  })
  closers.push(() => sequencer.close())
  await sequencer.init(false)
  const server = new RpcServer({ methods: createAdminApi(sequencer), port: 0, ws: false, logger: silentLogger() })
  await server.start()
  closers.push(() => server.close())
  let id = 0
  const call = async (method: string, params: unknown[] = []) => {
    const r = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }),
    })
    return (await r.json()) as { result?: unknown; error?: { code: number; message: string } }
  }
  return { call, engine, published: () => published }
}

describe('admin_ sequencer API over HTTP', () => {
  it('starts only on the current unsafe head, reports activity and returns the last head on stop', async () => {
    const s = await stack()
    expect(await s.call('admin_sequencerActive')).toMatchObject({ result: false })
    expect((await s.call('admin_stopSequencer')).error).toEqual({ code: -32000, message: 'sequencer not running' })
    expect((await s.call('admin_startSequencer', ['0x1234'])).error?.code).toBe(-32602)
    expect((await s.call('admin_startSequencer', [])).error?.code).toBe(-32602)
    const genesis = s.engine.unsafeHead().hash
    const wrong = `0x${'ab'.repeat(32)}`
    expect((await s.call('admin_startSequencer', [wrong])).error).toEqual({
      code: -32000,
      message: `block hash does not match: head ${genesis}, received ${wrong}`,
    })
    expect(await s.call('admin_startSequencer', [genesis])).toMatchObject({ result: null })
    expect(await s.call('admin_sequencerActive')).toMatchObject({ result: true })
    expect((await s.call('admin_startSequencer', [genesis])).error).toEqual({
      code: -32000,
      message: 'sequencer already running',
    })
    const stopped = await s.call('admin_stopSequencer')
    expect(stopped.result).toBe(s.engine.unsafeHead().hash)
    expect(await s.call('admin_sequencerActive')).toMatchObject({ result: false })
    // The stopped head is what a new leader resumes from (op-conductor's handover).
    const head = s.engine.unsafeHead()
    expect(head.number).toBe(s.published())
    expect(await s.call('admin_startSequencer', [head.hash])).toMatchObject({ result: null })
    expect((await s.call('admin_stopSequencer')).result).toBe(s.engine.unsafeHead().hash)
  })
})
