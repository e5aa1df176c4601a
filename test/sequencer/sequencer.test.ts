import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Hex, Log } from 'viem'
import { extractTransactionDepositedLogs, getL2TransactionHash } from 'viem/op-stack'
import { afterAll, describe, expect, it } from 'vitest'
import { bytesToHex, hexToBytes } from '../../config/bytes.ts'
import type { ExecutionPayloadEnvelope } from '../../config/executionPayload.ts'
import { keccak256 } from '../../config/keccak.ts'
import type { RollupConfig } from '../../config/rollupConfig.ts'
import type { Hash } from '../../config/types.ts'
import { attributesConfigFromRollup } from '../../derivation/attributes/attributesBuilder.ts'
import type { PipelineError } from '../../derivation/pipelineErrors.ts'
import { decodeDepositTx } from '../../derivation/protocol/depositTx.ts'
import { decodeL1Info } from '../../derivation/protocol/l1Info.ts'
import type { L1Receipt } from '../../derivation/providers.ts'
import { ExecutionEngineSequencerAdapter } from '../../node/sequencer/engineAdapter.ts'
import { JsonFileSequencerState } from '../../node/sequencer/jsonFileSequencerState.ts'
import { Sequencer, type SequencerDeps } from '../../sequencer/sequencer.ts'
import { NonPersistentSequencerState, type SequencerStateStore } from '../../sequencer/sequencerState.ts'
import { captureLogger } from '../fakes/captureLogger.ts'
import { InMemoryL1InfoSource } from '../fakes/inMemoryL1InfoSource.ts'
import { InMemoryL1Source } from '../fakes/inMemoryL1Source.ts'
import { DEV_ADDRS, DEV_KEYS, openEngineWithPool, signTransfer } from '../helpers/engineFixture.ts'
import { fixtureJson } from '../helpers/random.ts'

// The sequencer on a real ExecutionEngine (engineFixture: Fjord/Granite chain, genesis t = 1_700_000_000) and an
// in-memory L1. The deposit is a real Sepolia -> OP Sepolia deposit (test/fixtures/opstack/deposits/
// deposit_log_vectors.json, origin: Sepolia L1 block 6744632, tx 0x3b3e56f8…a26b, log index 5).

interface LogVector {
  l1_block_hash: Hash
  log_index: number
  log_address: Hex
  topics: Hex[]
  data: Hex
  expected_tx_hash: Hash
}
const SEPOLIA = fixtureJson<{ vectors: LogVector[] }>('deposits/deposit_log_vectors.json').vectors[2]!

const L2_GENESIS_TIME = 1_700_000_000
const BATCHER = `0x${'bb'.repeat(20)}`
// Ecotone versioned scalar: version 1, blobBaseFeeScalar 810949, baseFeeScalar 1368.
const SCALAR = `0x01${'00'.repeat(23)}000c5fc500000558`

const closers: (() => Promise<unknown>)[] = []
afterAll(async () => {
  for (const c of closers.reverse()) await c()
})

function rollupConfig(l1: InMemoryL1Source, l2GenesisHash: Hash, over: Partial<RollupConfig> = {}): RollupConfig {
  const g = l1.blocks[0]!.ref
  return {
    genesis: {
      l1: { hash: g.hash, number: g.number },
      l2: { hash: l2GenesisHash, number: 0 },
      l2_time: L2_GENESIS_TIME,
      system_config: { batcherAddr: BATCHER, overhead: `0x${'00'.repeat(32)}`, scalar: SCALAR, gasLimit: 30_000_000 },
    },
    block_time: 2,
    max_sequencer_drift: 600,
    seq_window_size: 3600,
    channel_timeout: 300,
    l1_chain_id: 900,
    l2_chain_id: 901,
    regolith_time: 0,
    canyon_time: 0,
    delta_time: 0,
    ecotone_time: 0,
    fjord_time: 0,
    granite_time: 0,
    batch_inbox_address: `0x${'ff'.repeat(20)}`,
    deposit_contract_address: SEPOLIA.log_address,
    l1_system_config_address: `0x${'5c'.repeat(20)}`,
    ...over,
  }
}

/** Records envelopes; `waitFor(n)` resolves once n blocks were published. */
class RecordingPublisher {
  readonly envelopes: ExecutionPayloadEnvelope[] = []
  private waiters: { n: number; resolve: () => void }[] = []
  fail = false

  async publish(env: ExecutionPayloadEnvelope): Promise<void> {
    this.envelopes.push(env)
    for (const w of this.waiters.filter((w) => this.envelopes.length >= w.n)) w.resolve()
    this.waiters = this.waiters.filter((w) => this.envelopes.length < w.n)
    if (this.fail) throw new Error('gossip down')
  }

  waitFor(n: number): Promise<void> {
    if (this.envelopes.length >= n) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push({ n, resolve }))
  }
}

async function harness(
  l1: InMemoryL1Source,
  opts: { rollup?: Partial<RollupConfig>; state?: SequencerStateStore; deps?: Partial<SequencerDeps> } = {},
) {
  const e = await openEngineWithPool()
  closers.push(() => e.close())
  const rollup = rollupConfig(l1, bytesToHex(e.engine.head.unsafe.hash) as Hash, opts.rollup)
  const adapter = new ExecutionEngineSequencerAdapter({ engine: e.engine, rollup, onBuilt: () => e.pool.onNewHead() })
  const publisher = new RecordingPublisher()
  const log = captureLogger()
  const make = (deps: Partial<SequencerDeps> = {}) => {
    const s = new Sequencer({
      config: {
        attributes: attributesConfigFromRollup(rollup),
        maxSequencerDrift: rollup.max_sequencer_drift,
        sequencerConfDepth: 0,
        retryDelayMs: 5,
        maxRetryDelayMs: 20,
      },
      engine: adapter,
      l1,
      l1Info: new InMemoryL1InfoSource(l1),
      l1Head: {
        get head() {
          return l1.blocks.at(-1)?.ref
        },
      },
      publisher,
      state: opts.state ?? new NonPersistentSequencerState(),
      log: log.logger,
      ...opts.deps,
      ...deps,
    })
    closers.push(() => s.close())
    return s
  }
  return { ...e, rollup, adapter, publisher, log, sequencer: make(), make }
}

/** Receipts whose only TransactionDeposited log is the Sepolia vector at block-wide log index 5. */
function sepoliaDepositReceipts(): L1Receipt[] {
  const filler = { address: hexToBytes(`0x${'01'.repeat(20)}`), topics: [], data: new Uint8Array() }
  return [
    { status: 1, logs: [filler, filler, filler, filler, filler] },
    {
      status: 1,
      logs: [
        {
          address: hexToBytes(SEPOLIA.log_address),
          topics: SEPOLIA.topics.map(hexToBytes),
          data: hexToBytes(SEPOLIA.data),
        },
      ],
    },
  ]
}

const txHash = (raw: Uint8Array) => bytesToHex(keccak256(raw))
const l1InfoOf = (env: ExecutionPayloadEnvelope) =>
  decodeL1Info(decodeDepositTx(env.executionPayload.transactions[0]!).data)

describe('Sequencer on a real engine', () => {
  it('includes L1 deposits at the origin change with the hashes derivation computes, and publishes every block', async () => {
    // L1 genesis at t-4; block 1 (the Sepolia block hash) at t+8: L2 blocks 1-3 stay on origin 0, block 4 moves.
    const l1 = new InMemoryL1Source(0, L2_GENESIS_TIME - 4, 12)
    l1.addBlock()
    l1.addBlock([], { hash: SEPOLIA.l1_block_hash, receipts: sepoliaDepositReceipts() })
    const h = await harness(l1)
    const built = []
    for (let i = 0; i < 5; i++) built.push(await h.sequencer.buildNext())
    expect(built.map((b) => [b.ref.number, b.ref.l1origin.number, b.ref.sequenceNumber])).toEqual([
      [1, 0, 1],
      [2, 0, 2],
      [3, 0, 3],
      [4, 1, 0],
      [5, 1, 1],
    ])
    const atChange = built[3]!.envelope.executionPayload.transactions
    expect(atChange).toHaveLength(2)
    const info = l1InfoOf(built[3]!.envelope)
    expect(bytesToHex(info.blockHash)).toBe(SEPOLIA.l1_block_hash)
    expect(info.sequenceNumber).toBe(0n)
    // The deposit's L2 hash: the vector's, and viem's derivation from the log.
    expect(txHash(atChange[1]!)).toBe(SEPOLIA.expected_tx_hash)
    const viemLog = {
      address: SEPOLIA.log_address,
      topics: SEPOLIA.topics,
      data: SEPOLIA.data,
      blockHash: SEPOLIA.l1_block_hash,
      blockNumber: 1n,
      logIndex: SEPOLIA.log_index,
      transactionHash: `0x${'00'.repeat(32)}`,
      transactionIndex: 1,
      removed: false,
    } as Log
    expect(txHash(atChange[1]!)).toBe(
      getL2TransactionHash({ log: extractTransactionDepositedLogs({ logs: [viemLog] })[0]! }),
    )
    // Deposits come once per epoch only.
    expect(built[4]!.envelope.executionPayload.transactions).toHaveLength(1)
    // The engine made each block canonical and the publisher saw each one, in order.
    expect(h.publisher.envelopes.map((e) => bytesToHex(e.executionPayload.blockHash))).toEqual(
      built.map((b) => b.ref.hash),
    )
    expect(bytesToHex(h.engine.head.unsafe.hash)).toBe(built[4]!.ref.hash)
    expect(h.adapter.unsafeHead()).toEqual(built[4]!.ref)
  })

  it('builds deposit-only blocks past the max sequencer drift and fails temporarily without a next origin', async () => {
    // Pre-Fjord drift of 4 s so the drift is reached in a few blocks (Fjord's 1800 s is covered by originSelector).
    const l1 = new InMemoryL1Source(0, L2_GENESIS_TIME - 2, 12)
    l1.addBlock()
    const h = await harness(l1, { rollup: { fjord_time: undefined, granite_time: undefined, max_sequencer_drift: 4 } })
    const to = DEV_ADDRS[1] as Uint8Array
    const b1 = await h.sequencer.buildNext() // t+2: drift 4, not past
    expect(b1.noTxPool).toBe(false)
    await h.backend.sendRawTransaction(signTransfer(DEV_KEYS[0]!, 0n, to, 1n))
    // t+4: drift 6 > 4 and no L1 block 1: the sequencer may not build (op-node: temporary, retry).
    const err = (await h.sequencer.buildNext().catch((e: unknown) => e)) as PipelineError
    expect([err.kind, err.code]).toEqual(['temporary', 'SEQUENCER_DRIFT_EXCEEDED'])
    // L1 block 1 appears, but in the future of the next L2 block: keep origin 0 with an empty (deposit-only) block.
    l1.addBlock([], { timestamp: L2_GENESIS_TIME + 8 })
    const b2 = await h.sequencer.buildNext()
    expect([b2.noTxPool, b2.ref.l1origin.number, b2.envelope.executionPayload.transactions.length]).toEqual([
      true,
      0,
      1,
    ])
    expect(h.pool.size).toBe(1)
    await h.sequencer.buildNext() // t+6
    const b4 = await h.sequencer.buildNext() // t+8: origin 1, drift 0: pool txs again
    expect([b4.noTxPool, b4.ref.l1origin.number, b4.envelope.executionPayload.transactions.length]).toEqual([
      false,
      1,
      2,
    ])
    expect(h.pool.size).toBe(0)
  })

  it('runs on the block_time schedule, catching up at once, and keeps going when publishing fails', async () => {
    const l1 = new InMemoryL1Source(0, L2_GENESIS_TIME - 4, 12)
    for (let i = 0; i < 3; i++) l1.addBlock()
    const h = await harness(l1)
    h.publisher.fail = true
    await h.sequencer.init(true)
    expect(h.sequencer.isActive()).toBe(true)
    await h.publisher.waitFor(4)
    await h.sequencer.close()
    expect(h.sequencer.isActive()).toBe(false)
    const head = h.adapter.unsafeHead()
    expect(head.number).toBeGreaterThanOrEqual(4)
    expect(h.publisher.envelopes).toHaveLength(head.number)
    expect(h.log.lines.filter((l) => l.msg === 'Failed to publish unsafe block').length).toBeGreaterThan(0)
    // Timestamps follow parent + block_time.
    const ts = h.publisher.envelopes.map((e) => Number(e.executionPayload.timestamp))
    expect(ts).toEqual(ts.map((_, i) => L2_GENESIS_TIME + 2 * (i + 1)))
  })

  it('waits for the wall clock before building the next block', async () => {
    const l1 = new InMemoryL1Source(0, L2_GENESIS_TIME - 4, 12)
    l1.addBlock()
    const due = (L2_GENESIS_TIME + 2) * 1000
    let nowMs = due - 1
    let reads = 0
    let sawThreeReads: () => void = () => {}
    const threeReads = new Promise<void>((r) => {
      sawThreeReads = r
    })
    const now = () => {
      if (++reads === 3) sawThreeReads()
      return nowMs
    }
    const h = await harness(l1, { deps: { now } })
    await h.sequencer.init(true)
    // The scheduler looked at the clock three times, 1 ms short each time, and built nothing.
    await threeReads
    expect(h.publisher.envelopes).toHaveLength(0)
    nowMs = due
    await h.publisher.waitFor(1)
    await h.sequencer.close()
    expect(h.publisher.envelopes).toHaveLength(1)
  })

  it('admin start/stop: head check, already running/stopped, last head returned, state persisted across restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oln-seq-state-'))
    closers.push(async () => rmSync(dir, { recursive: true, force: true }))
    const file = join(dir, 'sequencer_state.json')
    const state = new JsonFileSequencerState(file)
    const l1 = new InMemoryL1Source(0, L2_GENESIS_TIME - 4, 12)
    for (let i = 0; i < 3; i++) l1.addBlock()
    const h = await harness(l1, { state })
    await h.sequencer.init(false)
    expect(h.sequencer.isActive()).toBe(false)
    expect(await state.load()).toBe('unset')
    await expect(h.sequencer.stopSequencer()).rejects.toMatchObject({ code: 'SEQUENCER_ALREADY_STOPPED' })
    await expect(h.sequencer.startSequencer(`0x${'12'.repeat(32)}`)).rejects.toMatchObject({
      code: 'SEQUENCER_HEAD_MISMATCH',
    })
    expect(h.sequencer.isActive()).toBe(false)

    await h.sequencer.startSequencer(h.adapter.unsafeHead().hash)
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ sequencerStarted: true })
    await expect(h.sequencer.startSequencer(h.adapter.unsafeHead().hash)).rejects.toMatchObject({
      code: 'SEQUENCER_ALREADY_STARTED',
    })
    // The running schedule owns the engine: no hand-built blocks in between.
    await expect(h.sequencer.buildNext()).rejects.toMatchObject({ code: 'SEQUENCER_ALREADY_STARTED' })
    await h.publisher.waitFor(2)
    const last = await h.sequencer.stopSequencer()
    expect(last).toBe(bytesToHex(h.engine.head.unsafe.hash))
    expect(last).toBe(bytesToHex(h.publisher.envelopes.at(-1)!.executionPayload.blockHash))
    expect(await state.load()).toBe('stopped')
    const count = h.publisher.envelopes.length

    // A restarted node keeps the persisted 'stopped' even if its default is to sequence...
    const again = h.make()
    await again.init(true)
    expect(again.isActive()).toBe(false)
    expect(h.publisher.envelopes).toHaveLength(count)
    // ...and a persisted 'started' wins over a default of stopped.
    await state.save(true)
    const third = h.make()
    await third.init(false)
    expect(third.isActive()).toBe(true)
    await h.publisher.waitFor(count + 1)
    await third.close()
  })

  it('stops loudly on a critical error (malformed deposit log in the next origin)', async () => {
    const l1 = new InMemoryL1Source(0, L2_GENESIS_TIME - 4, 12)
    l1.addBlock()
    const bad = {
      address: hexToBytes(SEPOLIA.log_address),
      topics: SEPOLIA.topics.map(hexToBytes),
      data: Uint8Array.of(0),
    }
    l1.addBlock([], { receipts: [{ status: 1, logs: [bad] }] })
    const h = await harness(l1)
    let critical: unknown
    await new Promise<void>((resolve) => {
      const s = h.make({
        onCritical: (err) => {
          critical = err
          resolve()
        },
      })
      h.sequencer = s
      void s.init(true)
    })
    expect((critical as PipelineError).kind).toBe('critical')
    expect((critical as PipelineError).code).toBe('ATTRIBUTES_BAD_DEPOSITS')
    expect(h.sequencer.isActive()).toBe(false)
    expect(h.sequencer.stoppedBy).toBe(critical)
    expect(h.adapter.unsafeHead().number).toBe(3) // blocks on origin 0 went through
    expect(h.log.lines.some((l) => l.level === 50 && String(l.msg).includes('critical'))).toBe(true)
  })

  it('reports a reset and retries when the L2 head origin is no longer on L1', async () => {
    const l1 = new InMemoryL1Source(0, L2_GENESIS_TIME - 4, 12)
    l1.addBlock()
    l1.addBlock()
    const h = await harness(l1)
    for (let i = 0; i < 4; i++) await h.sequencer.buildNext() // head on origin 1
    // The same L1 with block 1 reorged out.
    const reorged = new InMemoryL1Source(0, L2_GENESIS_TIME - 4, 12)
    reorged.addBlock()
    reorged.addBlock([], { hash: `0x${'0e'.repeat(32)}` })
    const resets: PipelineError[] = []
    const twoResets = new Promise<void>((resolve) => {
      const s = h.make({
        l1: reorged,
        l1Info: new InMemoryL1InfoSource(reorged),
        onReset: (err) => {
          resets.push(err)
          if (resets.length === 2) resolve()
        },
      })
      void s.init(true)
    })
    await twoResets
    expect(resets[0]!.kind).toBe('reset')
    expect(h.adapter.unsafeHead().number).toBe(4)
  })
})
