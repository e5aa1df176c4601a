import { describe, expect, it } from 'vitest'
import { bytesToHex, hexToBytes } from '../../config/bytes.ts'
import { keccak256 } from '../../config/keccak.ts'
import type { Address, Hash, L1BlockRef, L2BlockRef } from '../../config/types.ts'
import type { PayloadAttributes } from '../../derivation/attributes/attributesBuilder.ts'
import { createDerivationPipeline, type PipelineConfig, type StepResult } from '../../derivation/pipeline.ts'
import { type BatchData, SPAN_BATCH_TYPE } from '../../derivation/protocol/batch.ts'
import { DEPOSIT_TX_TYPE, decodeDepositTx } from '../../derivation/protocol/depositTx.ts'
import { decodeL1Info } from '../../derivation/protocol/l1Info.ts'
import type { SingularBatch } from '../../derivation/protocol/singularBatch.ts'
import { spanBatchFromSingularBatches } from '../../derivation/protocol/spanBatch.ts'
import { buildFrames, dataItems, singular } from '../fakes/batcherData.ts'
import { captureLogger } from '../fakes/captureLogger.ts'
import { channelId } from '../fakes/fakeFrameProvider.ts'
import { InMemoryL1InfoSource } from '../fakes/inMemoryL1InfoSource.ts'
import { InMemoryL1Source, tx } from '../fakes/inMemoryL1Source.ts'
import { InMemoryL2Chain } from '../fakes/inMemoryL2Chain.ts'
import { Rng, randomSignedTx } from './protocol/helpers.ts'
import { baseSysCfg, DEPOSIT_CONTRACT, SYS_CFG_ADDR } from './sysCfgHelpers.ts'

// Action tests for the assembled derivation pipeline: batcher data posted on an in-memory L1 goes through every
// stage and comes out as payload attributes; the "engine" is simulated by moving an in-memory safe head.

const INBOX: Address = '0xff00000000000000000000000000000000000010'
const BATCHER: Address = '0xba7c4e00000000000000000000000000000000aa'
const CHAIN_ID = 901n
const GENESIS_TIME = 1_000
const L1_BLOCK_TIME = 4

const CFG: PipelineConfig = {
  blockTime: 2,
  channelTimeout: 10,
  batchInboxAddress: INBOX,
  seqWindowSize: 100,
  maxSequencerDrift: 600,
  genesisL2Time: GENESIS_TIME,
  l2ChainId: CHAIN_ID,
  regolithTime: 0,
  canyonTime: 0,
  deltaTime: 0,
  ecotoneTime: 0,
  depositContractAddress: DEPOSIT_CONTRACT,
  l1SystemConfigAddress: SYS_CFG_ADDR,
}

/** Synthetic L2 block hash: the engine is simulated, so any deterministic hash of the block will do. */
const l2Hash = (n: number): Hash => bytesToHex(keccak256(new TextEncoder().encode(`l2-block-${n}`)))

function genesisSafe(l1Genesis: L1BlockRef): L2BlockRef {
  return {
    number: 0,
    hash: l2Hash(0),
    parentHash: `0x${'00'.repeat(32)}`,
    timestamp: GENESIS_TIME,
    l1origin: { number: l1Genesis.number, hash: l1Genesis.hash },
    sequenceNumber: 0,
  }
}

interface Derived {
  attributes: PayloadAttributes
  safe: L2BlockRef
}

/** Steps the pipeline until it reports eof, building each block by moving the safe head. */
async function runPipeline(l1: InMemoryL1Source, cfg: PipelineConfig = CFG) {
  const { logger } = captureLogger()
  const l2 = new InMemoryL2Chain()
  let safe = genesisSafe(l1.blocks[0]!.ref)
  l2.add(safe)
  const pipeline = createDerivationPipeline(
    cfg,
    { l1, l1Info: new InMemoryL1InfoSource(l1), blobs: null, l2, logger },
    { l1Base: l1.blocks[0]!.ref, safeHead: safe, sysCfg: baseSysCfg({ batcherAddr: BATCHER }) },
  )
  const derived: Derived[] = []
  const kinds = new Set<StepResult['kind']>()
  for (let i = 0; i < 10_000; i++) {
    const r = await pipeline.step(safe)
    kinds.add(r.kind)
    if (r.kind === 'eof') break
    if (r.kind === 'originAdvanceErr') throw r.error
    if (r.kind !== 'attributes') continue
    const epoch = { number: Number(r.batch.epochNum), hash: bytesToHex(r.batch.epochHash) }
    safe = {
      number: safe.number + 1,
      hash: l2Hash(safe.number + 1),
      parentHash: safe.hash,
      timestamp: Number(r.attributes.timestamp),
      l1origin: epoch,
      sequenceNumber: epoch.number === safe.l1origin.number ? safe.sequenceNumber + 1 : 0,
    }
    l2.add(safe, r.batch.transactions)
    derived.push({ attributes: r.attributes, safe })
  }
  return { derived, kinds, pipeline }
}

/** L1 blocks 0..count-1 (t = 1000, 1004, ...), with `posts` in block `postIn`. */
function l1With(count: number, postIn = -1, posts: Uint8Array[] = []): InMemoryL1Source {
  const l1 = new InMemoryL1Source(0, GENESIS_TIME, L1_BLOCK_TIME)
  for (let n = 0; n < count; n++) {
    l1.addBlock(n === postIn ? posts.map((data) => tx({ to: INBOX, from: BATCHER, data })) : [])
  }
  return l1
}

function decodedL1Info(a: PayloadAttributes) {
  const raw = a.transactions[0]!
  expect(raw[0]).toBe(DEPOSIT_TX_TYPE)
  return decodeL1Info(decodeDepositTx(raw).data)
}

// L2 blocks 1..4 at 1002..1008 and their epochs (L1 blocks at 1000, 1004, 1008): 0, 1, 1, 2.
const EPOCHS = [0, 1, 1, 2]
const SEQS = [1, 0, 1, 0]

/** Four singular batches chained on the synthetic L2 hashes, 1-2 signed txs each. */
function fourBatches(l1: InMemoryL1Source): SingularBatch[] {
  const rng = new Rng(4242)
  return EPOCHS.map((epoch, i) => ({
    parentHash: hexToBytes(l2Hash(i)),
    epochNum: BigInt(epoch),
    epochHash: hexToBytes(l1.blocks[epoch]!.ref.hash),
    timestamp: BigInt(GENESIS_TIME + 2 * (i + 1)),
    transactions: Array.from({ length: 1 + (i % 2) }, () => randomSignedTx(rng, 'dynamic-fee', CHAIN_ID, false)),
  }))
}

/** The L1 chain with the batches posted (as one zlib channel, several frames) in L1 block 2. */
function postedChain(batchesFor: (l1: InMemoryL1Source) => BatchData[]): { l1: InMemoryL1Source } {
  const l1 = l1With(5) // build the refs first to know the epoch hashes
  const posts = dataItems(buildFrames(channelId('P'), batchesFor(l1), 300))
  expect(posts.length).toBeGreaterThan(1)
  const chain = l1With(5, 2, posts)
  return { l1: chain }
}

function expectFourBlocks(derived: Derived[], batches: SingularBatch[], l1: InMemoryL1Source): void {
  expect(derived).toHaveLength(4)
  for (const [i, { attributes, safe }] of derived.entries()) {
    expect(attributes.timestamp).toBe(BigInt(GENESIS_TIME + 2 * (i + 1)))
    expect(attributes.noTxPool).toBe(true)
    const info = decodedL1Info(attributes)
    const origin = l1.blocks[EPOCHS[i]!]!.ref
    expect(info.number).toBe(BigInt(origin.number))
    expect(bytesToHex(info.blockHash)).toBe(origin.hash)
    expect(info.time).toBe(BigInt(origin.timestamp))
    expect(info.sequenceNumber).toBe(BigInt(SEQS[i]!))
    expect(info.kind).toBe('ecotone')
    // No user deposits or upgrades here: the L1-info deposit, then the batch's txs in order.
    expect(attributes.transactions.slice(1)).toEqual(batches[i]!.transactions)
    expect(safe.l1origin.number).toBe(origin.number)
  }
}

describe('derivation pipeline (action)', () => {
  it('derives the attributes of four L2 blocks from a singular-batch channel posted on L1', async () => {
    let batches: SingularBatch[] = []
    const { l1 } = postedChain((refs) => {
      batches = fourBatches(refs)
      return singular(batches)
    })
    const { derived, kinds, pipeline } = await runPipeline(l1)
    expectFourBlocks(derived, batches, l1)
    expect(kinds).toContain('advancedOrigin')
    expect(kinds).toContain('eof')
    expect(pipeline.origin()?.number).toBe(4)
  })

  it('fills an expired sequencing window with empty batches, advancing through the epochs', async () => {
    const l1 = l1With(7) // no batcher data at all; L1 blocks at 1000 .. 1024
    const { derived } = await runPipeline(l1, { ...CFG, seqWindowSize: 2 })
    // Epoch e closes once the origin reaches e + 2; epochs 0..4 close with L1 blocks 0..6 present. Each epoch gets
    // blocks up to the next epoch's time (L1 block time 4 = two L2 blocks).
    const expected = [
      [1002, 0, 1],
      [1004, 1, 0],
      [1006, 1, 1],
      [1008, 2, 0],
      [1010, 2, 1],
      [1012, 3, 0],
      [1014, 3, 1],
      [1016, 4, 0],
      [1018, 4, 1],
    ]
    expect(derived.map(({ attributes }) => attributes.timestamp)).toEqual(expected.map(([t]) => BigInt(t!)))
    for (const [i, { attributes }] of derived.entries()) {
      const [, epoch, seq] = expected[i]!
      expect(attributes.transactions).toHaveLength(1)
      expect(attributes.noTxPool).toBe(true)
      const info = decodedL1Info(attributes)
      expect(info.number).toBe(BigInt(epoch!))
      expect(bytesToHex(info.blockHash)).toBe(l1.blocks[epoch!]!.ref.hash)
      expect(info.sequenceNumber).toBe(BigInt(seq!))
    }
  })

  it('derives the same attributes from a span batch as from the singular batches', async () => {
    let singulars: SingularBatch[] = []
    const single = postedChain((refs) => {
      singulars = fourBatches(refs)
      return singular(singulars)
    })
    const fromSingular = await runPipeline(single.l1)

    let spanSource: SingularBatch[] = []
    const span = postedChain((refs) => {
      spanSource = fourBatches(refs)
      const raw = spanBatchFromSingularBatches(spanSource, 1, { genesisTimestamp: GENESIS_TIME, l2ChainId: CHAIN_ID })
      return [{ type: SPAN_BATCH_TYPE, batch: raw }]
    })
    const fromSpan = await runPipeline(span.l1)

    expectFourBlocks(fromSpan.derived, spanSource, span.l1)
    expect(fromSpan.derived.map((d) => d.attributes)).toEqual(fromSingular.derived.map((d) => d.attributes))
    expect(fromSpan.derived.map((d) => d.safe)).toEqual(fromSingular.derived.map((d) => d.safe))
  })

  it('re-derives the same attributes after a reset to the genesis safe head', async () => {
    let batches: SingularBatch[] = []
    const { l1 } = postedChain((refs) => {
      batches = fourBatches(refs)
      return singular(batches)
    })
    const first = await runPipeline(l1)
    const { pipeline } = first
    const genesis = genesisSafe(l1.blocks[0]!.ref)
    pipeline.reset(l1.blocks[0]!.ref, genesis, baseSysCfg({ batcherAddr: BATCHER }))
    expect(pipeline.origin()).toEqual(l1.blocks[0]!.ref)
    let safe = genesis
    const again: PayloadAttributes[] = []
    for (let i = 0; i < 1_000 && again.length < 4; i++) {
      const r = await pipeline.step(safe)
      if (r.kind === 'eof') break
      if (r.kind !== 'attributes') continue
      again.push(r.attributes)
      safe = first.derived[again.length - 1]!.safe
    }
    expect(again).toEqual(first.derived.map((d) => d.attributes))
  })

  it('reports an L1 reorg while advancing the origin as originAdvanceErr with a reset error', async () => {
    const l1 = l1With(4)
    const b3 = l1.blocks[3]!
    b3.ref = { ...b3.ref, parentHash: `0x${'de'.repeat(32)}` }
    const { logger } = captureLogger()
    const safe = genesisSafe(l1.blocks[0]!.ref)
    const pipeline = createDerivationPipeline(
      CFG,
      { l1, l1Info: new InMemoryL1InfoSource(l1), blobs: null, l2: new InMemoryL2Chain().add(safe), logger },
      { l1Base: l1.blocks[0]!.ref, safeHead: safe, sysCfg: baseSysCfg({ batcherAddr: BATCHER }) },
    )
    let last: StepResult | undefined
    for (let i = 0; i < 1_000; i++) {
      last = await pipeline.step(safe)
      if (last.kind === 'originAdvanceErr' || last.kind === 'eof') break
    }
    expect(last?.kind).toBe('originAdvanceErr')
    if (last?.kind !== 'originAdvanceErr') return
    expect(last.error.kind).toBe('reset')
    expect(last.error.code).toBe('L1_REORG')
    expect(pipeline.origin()?.number).toBe(2)
  })
})
