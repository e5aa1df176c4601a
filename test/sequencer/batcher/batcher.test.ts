import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytesToHex, hexToBytes } from '../../../config/bytes.ts'
import type { BlockID, Hex } from '../../../config/types.ts'
import { AltDaWriter } from '../../../da-eigen/altDaWriter.ts'
import { decodeTxData, encodeCommitment } from '../../../da-eigen/commitment.ts'
import { EigenDAProxyClient } from '../../../da-eigen/proxyClient.ts'
import { DAServer } from '../../../da-eigen/server/daServer.ts'
import { type Frame, parseFrames } from '../../../derivation/protocol/frame.ts'
import type { SpanBatchElement } from '../../../derivation/protocol/spanBatch.ts'
import { type Anvil, startAnvil } from '../../../node/l1/anvil.ts'
import { Batcher } from '../../../sequencer/batcher/batcher.ts'
import { CalldataWriter } from '../../../sequencer/batcher/calldataWriter.ts'
import {
  blockToSingularBatch,
  type L2BlockForBatch,
  type L2BlockSource,
  l2BlockForBatch,
} from '../../../sequencer/batcher/l2BlockSource.ts'
import { TxManager } from '../../../sequencer/txmgr/txManager.ts'
import {
  attributes,
  DEFAULT_L1_INFO,
  DEV_KEYS,
  l1InfoDeposit,
  openEngine,
  signTransfer,
} from '../../helpers/engineFixture.ts'
import { deriveFrames } from './batcherBlocks.ts'

// End to end: L2 blocks built by the real engine -> Batcher (Alt-DA primary on the local DA server, calldata
// fallback) -> TxManager -> a real anvil L1; then the batcher txs are read back from anvil, Alt-DA commitments
// resolved through the DA server, and the frames run through derivation's frame parser, channel reader and span
// batch decoder, which must give back exactly the engine blocks' transactions and timestamps.

const KEY: Hex = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
const INBOX: Hex = '0xff00000000000000000000000000000000000901'
const TXS_PER_BLOCK = 20

/** The engine's chain as the batcher sees it; the test moves the heads. */
class EngineBlocks implements L2BlockSource {
  readonly blocks: L2BlockForBatch[] = []
  safe: BlockID = { number: 0, hash: '0x' }
  unsafe = 0
  async blockByNumber(n: number) {
    return this.blocks.find((b) => b.number === n)
  }
  async heads() {
    const u = this.blocks.find((b) => b.number === this.unsafe)
    return { safe: this.safe, unsafe: u ? { number: u.number, hash: u.hash } : this.safe }
  }
}

interface PostedTx {
  kind: 'calldata' | 'altda'
  frames: Frame[]
}

describe('Batcher end to end (engine blocks -> Alt-DA with calldata failover -> anvil -> derivation)', () => {
  let anvil: Anvil
  let server: DAServer
  let daUrl: string
  let dir: string
  let eng: Awaited<ReturnType<typeof openEngine>>
  const source = new EngineBlocks()
  let genesisTime = 0
  let nonce = 0n

  async function buildBlocks(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const parent = eng.engine.head.unsafe
      const seq = parent.header.number
      const txs = [l1InfoDeposit({ ...DEFAULT_L1_INFO, sequenceNumber: seq })]
      for (let t = 0; t < TXS_PER_BLOCK; t++) {
        const to = hexToBytes(`0xaa${(Number(seq) * 1000 + t + 1).toString(16).padStart(38, '0')}`)
        txs.push(signTransfer(DEV_KEYS[0]!, nonce++, to, 1000n + BigInt(t)))
      }
      const b = await eng.engine.buildBlock(attributes(parent.header.timestamp, txs))
      const forBatch = l2BlockForBatch({
        number: Number(b.header.number),
        hash: bytesToHex(b.hash),
        parentHash: bytesToHex(b.header.parentHash),
        timestamp: Number(b.header.timestamp),
        transactions: b.transactions.map((tx) => tx.raw),
      })
      expect(forBatch.l1origin).toEqual({
        number: Number(DEFAULT_L1_INFO.number),
        hash: bytesToHex(DEFAULT_L1_INFO.hash),
      })
      source.blocks.push(forBatch)
    }
    source.unsafe = source.blocks.at(-1)!.number
  }

  function newBatcher(pollIntervalMs?: number): { batcher: Batcher; tm: TxManager } {
    const tm = new TxManager({ l1RpcUrl: anvil.url, privateKey: KEY, l1ChainId: 31337, pollIntervalMs: 20 })
    const batcher = new Batcher(
      {
        rollup: { genesisTimestamp: genesisTime, l2ChainId: 901n, channelTimeout: 300, seqWindowSize: 3600 },
        maxPendingTx: 2,
        ...(pollIntervalMs ? { pollIntervalMs } : {}),
        targetNumFrames: 4,
      },
      {
        source,
        sender: tm,
        writer: new AltDaWriter({
          batchInbox: INBOX,
          client: new EigenDAProxyClient({ url: daUrl, retries: 0 }),
          maxFramesPerTx: 3,
          maxFrameSize: 1500,
        }),
        fallback: new CalldataWriter({ batchInbox: INBOX, maxCalldataSize: 4600 }),
      },
    )
    return { batcher, tm }
  }

  /** Steps until the batcher has nothing left to send (waiting for each round's txs). */
  async function runUntilIdle(b: Batcher, flush = false): Promise<void> {
    for (;;) {
      await b.step()
      if (b.pendingTxs === 0) break
      await b.drain()
    }
    if (flush) {
      await b.flush()
      await b.drain()
      await runUntilIdle(b)
    }
  }

  async function setFailover(on: boolean): Promise<void> {
    const res = await fetch(`${daUrl}/memstore/config`, {
      method: 'PATCH',
      body: JSON.stringify({ PutReturnsFailoverError: on }),
    })
    expect(res.status).toBe(200)
  }

  /** Every batcher tx on L1 since block `from`, with its frames (Alt-DA inputs fetched from the DA server). */
  async function postedSince(from: number): Promise<PostedTx[]> {
    const client = new EigenDAProxyClient({ url: daUrl })
    const head = Number(await anvil.rpc<string>('eth_blockNumber'))
    const out: PostedTx[] = []
    for (let n = from; n <= head; n++) {
      const block = await anvil.rpc<{ transactions: { to: string; input: Hex }[] }>('eth_getBlockByNumber', [
        `0x${n.toString(16)}`,
        true,
      ])
      for (const tx of block.transactions) {
        if (tx.to?.toLowerCase() !== INBOX) continue
        const data = hexToBytes(tx.input)
        if (data[0] === 0x01) {
          const got = await client.get(encodeCommitment(decodeTxData(data)))
          if (got.status !== 'ok') throw new Error('DA server lost an input')
          out.push({ kind: 'altda', frames: parseFrames(got.data) })
        } else {
          out.push({ kind: 'calldata', frames: parseFrames(data) })
        }
      }
    }
    return out
  }

  function derive(posted: PostedTx[]): SpanBatchElement[] {
    const seen = new Set<string>()
    const channels = new Map<string, Frame[]>()
    for (const p of posted) {
      for (const f of p.frames) {
        const key = `${bytesToHex(f.channelId)}:${f.frameNumber}`
        expect(seen.has(key), `frame ${key} posted twice`).toBe(false)
        seen.add(key)
        const id = bytesToHex(f.channelId)
        channels.set(id, [...(channels.get(id) ?? []), f])
      }
    }
    return [...channels.values()].flatMap((frames) => deriveFrames(frames, genesisTime))
  }

  function expectBlocks(elements: SpanBatchElement[], blocks: L2BlockForBatch[]): void {
    expect(elements.map((e) => e.timestamp)).toEqual(blocks.map((b) => BigInt(b.timestamp)))
    expect(elements.map((e) => e.transactions.map(bytesToHex))).toEqual(
      blocks.map((b) => blockToSingularBatch(b).transactions.map(bytesToHex)),
    )
  }

  beforeAll(async () => {
    anvil = await startAnvil()
    dir = mkdtempSync(join(tmpdir(), 'oln-batcher-da-'))
    server = new DAServer({ dir, expirationMs: 0 })
    ;({ url: daUrl } = await server.start())
    eng = await openEngine()
    const genesis = eng.engine.head.unsafe
    genesisTime = Number(genesis.header.timestamp)
    source.safe = { number: 0, hash: bytesToHex(genesis.hash) }
  })

  afterAll(async () => {
    await eng?.close()
    await server?.close()
    await anvil?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('posts every block once: Alt-DA, then calldata while the DA server answers 503, then Alt-DA again', async () => {
    const { batcher } = newBatcher()
    await buildBlocks(6)
    await runUntilIdle(batcher)
    await setFailover(true)
    await buildBlocks(6)
    await runUntilIdle(batcher)
    await setFailover(false)
    await buildBlocks(6)
    await runUntilIdle(batcher, true)

    const posted = await postedSince(1)
    const kinds = posted.map((p) => p.kind)
    console.log(`batcher e2e: L1 txs ${kinds.join(',')}`)
    expect(kinds).toContain('calldata')
    expect(kinds[0]).toBe('altda')
    expect(kinds.at(-1)).toBe('altda')
    expect(batcher.stats.failovers).toBe(kinds.filter((k) => k === 'calldata').length)
    // each TxData reached L1 exactly once
    expect(posted.length).toBe(batcher.stats.txsConfirmed)
    expect(batcher.stats.txsFailed).toBe(0)
    for (const p of posted) expect(p.frames.length).toBeLessThanOrEqual(3)
    expectBlocks(derive(posted), source.blocks)
    expect(batcher.manager.openChannels).toBe(0)
  })

  it('after a restart, resumes right after the safe head; an L2 reorg makes it start over from the safe head', async () => {
    const l1Before = Number(await anvil.rpc<string>('eth_blockNumber'))
    // everything so far is safe; two more unsafe blocks come
    const last = source.blocks.at(-1)!
    source.safe = { number: last.number, hash: last.hash }
    await buildBlocks(2)
    const { batcher } = newBatcher()
    await batcher.step()
    const tip = source.blocks.at(-1)!
    expect(batcher.manager.tipHash).toBe(tip.hash)
    // a next unsafe block on another parent: the batcher drops its queue and goes back to the safe head
    source.blocks.push({
      ...tip,
      number: tip.number + 1,
      parentHash: `0x${'cd'.repeat(32)}`,
      hash: `0x${'ab'.repeat(32)}`,
    })
    source.unsafe = tip.number + 1
    await batcher.step()
    expect(batcher.manager.tipHash).toBe(source.safe.hash)
    expect(batcher.manager.queuedBlocks).toBe(0)
    // the sequencer settles on the real chain again
    source.blocks.pop()
    source.unsafe = tip.number
    await runUntilIdle(batcher, true)
    const posted = await postedSince(l1Before + 1)
    expectBlocks(derive(posted), source.blocks.slice(-2))
  })

  it('start() polls the L2 source and posts full channels until stop()', async () => {
    const l1Before = Number(await anvil.rpc<string>('eth_blockNumber'))
    const last = source.blocks.at(-1)!
    source.safe = { number: last.number, hash: last.hash }
    const { batcher } = newBatcher(20)
    batcher.start()
    await buildBlocks(6)
    while (batcher.stats.txsConfirmed === 0) await new Promise((r) => setTimeout(r, 20))
    await batcher.stop()
    const posted = await postedSince(l1Before + 1)
    expect(posted.length).toBe(batcher.stats.txsConfirmed)
    const derived = derive(posted)
    // only full channels went out: a prefix of the new blocks, in order
    expect(derived.length).toBeGreaterThan(0)
    const first = source.blocks.length - 6
    expectBlocks(derived, source.blocks.slice(first, first + derived.length))
  })
})
