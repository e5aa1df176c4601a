// Pre-built L1 range for the derivation bench: a real sequencer engine builds full L2 blocks of signed transfers
// (native secp256k1 signing, many senders funded in genesis) on L1 origins of an in-memory L1; a batcher packs
// every few L2 blocks into a brotli span-batch channel, cuts it into ~120 KB frames and posts one frame per
// calldata tx from the batcher to the inbox in the next L1 block. Then two ways to derive that range back:
// `deriveOnly` (pipeline stepping to attributes, the safe head moved over an in-memory L2 chain) and
// `deriveAndExecute` (the Driver on a real verifier ExecutionEngine).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Common, Mainnet } from '@ethereumjs/common'
import { createFeeMarket1559Tx } from '@ethereumjs/tx'
import { privateToAddress } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'
import secp256k1 from 'secp256k1'
import '../../config/polyfills.ts'
import { bytesToHex, hexToBytes } from '../../config/bytes.ts'
import { silentLogger } from '../../config/logger.ts'
import type { Address, L1BlockRef, L2BlockRef } from '../../config/types.ts'
import { preparePayloadAttributes } from '../../derivation/attributes/attributesBuilder.ts'
import { Driver, type DriverConfig } from '../../derivation/driver/driver.ts'
import { createDerivationPipeline } from '../../derivation/pipeline.ts'
import { encodeChannelData, SPAN_BATCH_TYPE } from '../../derivation/protocol/batch.ts'
import { compressChannel } from '../../derivation/protocol/channelCompression.ts'
import { channelToFrames, encodeFrames } from '../../derivation/protocol/frame.ts'
import { encodeEcotoneScalar } from '../../derivation/protocol/l1Info.ts'
import type { SingularBatch } from '../../derivation/protocol/singularBatch.ts'
import { spanBatchFromSingularBatches } from '../../derivation/protocol/spanBatch.ts'
import type { SystemConfig } from '../../derivation/protocol/systemConfig.ts'
import { ChainStore } from '../../node/db/chainStore.ts'
import { EngineL2, type EngineL2Config } from '../../node/derivation/engineAdapter.ts'
import { ExecutionEngine } from '../../node/engine/engine.ts'
import { initGenesis } from '../../node/engine/genesis.ts'
import { DEPOSIT_CONTRACT, SYS_CFG_ADDR } from '../../test/derivation/sysCfgHelpers.ts'
import { InMemoryL1InfoSource } from '../../test/fakes/inMemoryL1InfoSource.ts'
import { InMemoryL1Source, tx } from '../../test/fakes/inMemoryL1Source.ts'
import { InMemoryL2Chain } from '../../test/fakes/inMemoryL2Chain.ts'
import { genesisState, SPEC } from '../../test/helpers/engineFixture.ts'

export const INBOX: Address = '0xff00000000000000000000000000000000000010'
export const BATCHER: Address = '0xba7c4e00000000000000000000000000000000aa'
const L2_GENESIS_TIME = 1_700_000_000
const L1_BLOCK_TIME = 12
const L2_BLOCK_TIME = 2
const GAS_LIMIT = 30_000_000n

export const GENESIS_SYS_CFG: SystemConfig = {
  batcherAddr: BATCHER,
  overhead: `0x${'00'.repeat(32)}`,
  scalar: bytesToHex(encodeEcotoneScalar({ baseFeeScalar: 1368n, blobBaseFeeScalar: 810949n })),
  gasLimit: GAS_LIMIT,
}

export interface BenchChainOptions {
  l2Blocks: number
  /** Transfers per L2 block (default: as many 21,000-gas transfers as fit in 30M gas next to the L1-info deposit,
   *  whose first write of the L1Block slots costs ~155k gas). */
  txsPerBlock?: number
  /** L2 blocks per channel (one span batch each). */
  blocksPerChannel?: number
  /** Maximum encoded frame size (one frame per batcher tx). */
  maxFrameSize?: number
  /** Progress output while pre-building. */
  progress?: (msg: string) => void
}

export const DEFAULT_TXS_PER_BLOCK = 1_420

export interface BenchChain {
  l1: InMemoryL1Source
  l1Info: InMemoryL1InfoSource
  cfg: DriverConfig
  engineCfg: EngineL2Config
  /** The sequencer's L2 block refs 0..n (genesis first) and their non-deposit txs. */
  refs: L2BlockRef[]
  txs: Uint8Array[][]
  stats: {
    l2Blocks: number
    txs: number
    gasUsed: bigint
    channels: number
    frames: number
    /** Calldata bytes posted (frames with their version byte). */
    calldataBytes: number
    /** Decompressed channel bytes (RLP batches). */
    channelRlpBytes: number
    /** The last L1 block carrying batcher data. */
    lastDataL1: number
  }
}

const common = new Common({ chain: { ...Mainnet, chainId: Number(SPEC.chainId) } as never, hardfork: 'cancun' })

function signTransfer(key: Uint8Array, nonce: bigint, to: Uint8Array): Uint8Array {
  const t = createFeeMarket1559Tx(
    {
      chainId: SPEC.chainId,
      nonce,
      to,
      value: 1n,
      gasLimit: 21_000n,
      maxPriorityFeePerGas: 1_000_000n,
      maxFeePerGas: 1_000_000_000_000n,
    },
    { common },
  )
  const { signature, recid } = secp256k1.ecdsaSign(t.getHashedMessageToSign(), key)
  const r = BigInt(`0x${Buffer.from(signature.subarray(0, 32)).toString('hex')}`)
  const s = BigInt(`0x${Buffer.from(signature.subarray(32)).toString('hex')}`)
  return t.addSignature(BigInt(recid), r, s).serialize()
}

async function openEngine(senders: readonly Uint8Array[], recoveryWorkers?: number) {
  const path = mkdtempSync(join(tmpdir(), 'oln-bench-deriv-'))
  const store = await ChainStore.open(path)
  await initGenesis(store, SPEC, genesisState(senders.map((address) => ({ address, balance: 10n ** 24n }))))
  const engine = await ExecutionEngine.open({
    store,
    spec: SPEC,
    ...(recoveryWorkers !== undefined ? { recoveryWorkers } : {}),
  })
  return {
    engine,
    async close() {
      await engine.close()
      await store.close()
      rmSync(path, { recursive: true, force: true })
    },
  }
}

function sendersFor(n: number) {
  const keys = Array.from({ length: n }, (_, i) => keccak_256(new TextEncoder().encode(`deriv-bench-sender-${i}`)))
  return { keys, addrs: keys.map((k) => privateToAddress(k)) }
}

/** Builds the L2 chain on a sequencer engine and posts its batches on an in-memory L1. Not timed. */
export async function buildBenchChain(opts: BenchChainOptions): Promise<BenchChain> {
  const txsPerBlock = opts.txsPerBlock ?? DEFAULT_TXS_PER_BLOCK
  const blocksPerChannel = opts.blocksPerChannel ?? 6
  const maxFrameSize = opts.maxFrameSize ?? 120_000
  const log = opts.progress ?? (() => undefined)
  const { keys, addrs } = sendersFor(txsPerBlock)

  const l1 = new InMemoryL1Source(0, L2_GENESIS_TIME, L1_BLOCK_TIME)
  const l1Info = new InMemoryL1InfoSource(l1)
  const l1Genesis = l1.addBlock()
  const seq = await openEngine(addrs)
  const engineCfg: EngineL2Config = {
    genesisL1: { hash: l1Genesis.hash, number: 0 },
    genesisL2Number: 0,
    genesisSystemConfig: GENESIS_SYS_CFG,
  }
  const l2 = new EngineL2(seq.engine, engineCfg)
  const genesisRef = l2.heads().unsafe
  const cfg: DriverConfig = {
    blockTime: L2_BLOCK_TIME,
    channelTimeout: 50,
    batchInboxAddress: INBOX,
    seqWindowSize: 3600,
    maxSequencerDrift: 1800,
    genesisL2Time: L2_GENESIS_TIME,
    l2ChainId: SPEC.chainId,
    regolithTime: 0,
    canyonTime: 0,
    deltaTime: 0,
    ecotoneTime: 0,
    fjordTime: 0,
    graniteTime: 0,
    depositContractAddress: DEPOSIT_CONTRACT,
    l1SystemConfigAddress: SYS_CFG_ADDR,
    genesisL1: engineCfg.genesisL1,
    genesisL2: { hash: genesisRef.hash, number: 0 },
  }

  const stats: BenchChain['stats'] = {
    l2Blocks: 0,
    txs: 0,
    gasUsed: 0n,
    channels: 0,
    frames: 0,
    calldataBytes: 0,
    channelRlpBytes: 0,
    lastDataL1: 0,
  }
  const refs: L2BlockRef[] = [genesisRef]
  const txs: Uint8Array[][] = [[]]
  let pending: Uint8Array[] = [] // batcher tx data waiting for the next L1 block
  let open: { batches: SingularBatch[]; firstSeq: number } | null = null

  const closeChannel = () => {
    if (!open || open.batches.length === 0) return
    const raw = spanBatchFromSingularBatches(open.batches, open.firstSeq, {
      genesisTimestamp: L2_GENESIS_TIME,
      l2ChainId: SPEC.chainId,
    })
    const rlp = encodeChannelData([{ type: SPAN_BATCH_TYPE, batch: raw }])
    const id = keccak_256(new TextEncoder().encode(`channel-${stats.channels}`)).slice(0, 16)
    const frames = channelToFrames(id, compressChannel(rlp, 'brotli'), maxFrameSize)
    for (const f of frames) pending.push(encodeFrames([f]))
    stats.channels++
    stats.frames += frames.length
    stats.channelRlpBytes += rlp.length
    open = null
  }
  const addL1Block = () => {
    const data = pending
    pending = []
    for (const d of data) stats.calldataBytes += d.length
    const ref = l1.addBlock(data.map((d) => tx({ to: INBOX, from: BATCHER, data: d })))
    if (data.length > 0) stats.lastDataL1 = ref.number
    return ref
  }

  try {
    for (let n = 1; n <= opts.l2Blocks; n++) {
      const parent = l2.heads().unsafe
      const timestamp = parent.timestamp + L2_BLOCK_TIME
      // L1 keeps time with L2: every L1 block due by now is mined, carrying the frames ready before it.
      while ((l1.blocks.at(-1) as { ref: L1BlockRef }).ref.timestamp + L1_BLOCK_TIME <= timestamp) addL1Block()
      let epoch = (l1.blocks[parent.l1origin.number] as { ref: L1BlockRef }).ref
      const next = l1.blocks[epoch.number + 1]?.ref
      if (next && next.timestamp <= timestamp) epoch = next
      const sysCfg = await l2.systemConfigByL2Hash(parent.hash)
      const attrs = await preparePayloadAttributes(cfg, l1Info, parent, sysCfg, epoch, timestamp)
      const blockTxs: Uint8Array[] = []
      for (let i = 0; i < txsPerBlock; i++) {
        const to = keccak_256(new TextEncoder().encode(`deriv-bench-to-${n}-${i}`)).subarray(0, 20)
        blockTxs.push(signTransfer(keys[i] as Uint8Array, BigInt(n - 1), to))
      }
      attrs.transactions.push(...blockTxs)
      attrs.noTxPool = true
      const block = await seq.engine.buildBlock(attrs)
      if (block.transactions.length !== blockTxs.length + 1) {
        throw new Error(`L2 block ${n} has ${block.transactions.length - 1} txs, expected ${blockTxs.length}`)
      }
      const ref = l2.refOf(block)
      refs.push(ref)
      txs.push(blockTxs)
      stats.l2Blocks++
      stats.txs += blockTxs.length
      stats.gasUsed += block.header.gasUsed
      if (!open) open = { batches: [], firstSeq: ref.sequenceNumber }
      open.batches.push({
        parentHash: hexToBytes(parent.hash),
        epochNum: BigInt(epoch.number),
        epochHash: hexToBytes(epoch.hash),
        timestamp: BigInt(timestamp),
        transactions: blockTxs,
      })
      if (open.batches.length >= blocksPerChannel) closeChannel()
      if (n % 10 === 0 || n === opts.l2Blocks) log(`  pre-built L2 block ${n}/${opts.l2Blocks}`)
    }
    closeChannel()
    addL1Block() // the last frames
  } finally {
    await seq.close()
  }
  return { l1, l1Info, cfg, engineCfg, refs, txs, stats }
}

export interface DeriveResult {
  seconds: number
  l2Blocks: number
  /** The pipeline origin (L1 block number) when the last L2 block became safe. */
  l1Origin: number
  /** Block hashes 1..n of the derived chain (deriveAndExecute: the verifier's; deriveOnly: checked against refs). */
  hashes: string[]
  /** deriveAndExecute: wall seconds inside the engine's insertSafe (build + execute + seal + persist). */
  engineSeconds?: number
}

/**
 * Derivation only: steps the pipeline to attributes; each derived block moves the safe head to the sequencer's
 * block (after checking its timestamp, L1 origin and every transaction byte for byte), over an in-memory L2 chain.
 */
export async function deriveOnly(chain: BenchChain): Promise<DeriveResult> {
  const { l1, refs } = chain
  const l2 = new InMemoryL2Chain()
  let safe = refs[0] as L2BlockRef
  l2.add(safe)
  const pipeline = createDerivationPipeline(
    chain.cfg,
    { l1, l1Info: chain.l1Info, blobs: null, l2, logger: silentLogger() },
    { l1Base: (l1.blocks[0] as { ref: L1BlockRef }).ref, safeHead: safe, sysCfg: GENESIS_SYS_CFG },
  )
  const target = refs.length - 1
  const t0 = performance.now()
  while (safe.number < target) {
    const r = await pipeline.step(safe)
    if (r.kind === 'eof') throw new Error(`derivation stopped at L2 block ${safe.number} (eof)`)
    if (r.kind === 'originAdvanceErr') throw r.error
    if (r.kind !== 'attributes') continue
    const n = safe.number + 1
    const next = refs[n] as L2BlockRef
    const want = chain.txs[n] as Uint8Array[]
    const got = r.attributes.transactions
    if (
      Number(r.attributes.timestamp) !== next.timestamp ||
      Number(r.batch.epochNum) !== next.l1origin.number ||
      got.length !== want.length + 1 ||
      want.some((t, i) => Buffer.compare(t, got[i + 1] as Uint8Array) !== 0)
    ) {
      throw new Error(`derived attributes of L2 block ${n} differ from the sequencer's block`)
    }
    safe = next
    l2.add(safe, want)
  }
  const seconds = (performance.now() - t0) / 1000
  return {
    seconds,
    l2Blocks: target,
    l1Origin: pipeline.origin()?.number ?? 0,
    hashes: refs.slice(1).map((r) => r.hash),
  }
}

/** Derivation + execution: the Driver on a fresh verifier engine until the last L2 block is safe. */
export async function deriveAndExecute(
  chain: BenchChain,
  opts: { recoveryWorkers?: number } = {},
): Promise<DeriveResult> {
  const { addrs } = sendersFor(chain.txs[1]?.length ?? 0)
  const v = await openEngine(addrs, opts.recoveryWorkers)
  const target = chain.refs.length - 1
  try {
    const engine = new EngineL2(v.engine, chain.engineCfg)
    let engineMs = 0
    const insertSafe = engine.insertSafe.bind(engine)
    engine.insertSafe = async (attrs) => {
      const t = performance.now()
      try {
        return await insertSafe(attrs)
      } finally {
        engineMs += performance.now() - t
      }
    }
    if (engine.heads().safe.hash !== chain.refs[0]?.hash) throw new Error('verifier genesis differs from sequencer')
    const driver = new Driver(chain.cfg, {
      engine,
      sources: { l1: chain.l1, l1Info: chain.l1Info, blobs: null },
      logger: silentLogger(),
      timing: { idlePollMs: 5, backoffInitialMs: 5, backoffMaxMs: 50 },
    })
    const t0 = performance.now()
    let failed: unknown = null
    const run = driver.start().catch((e) => {
      failed = e
    })
    let seconds = 0
    let lastSafe = -1
    let lastProgress = t0
    while (true) {
      const safe = engine.heads().safe.number
      const now = performance.now()
      if (safe >= target) {
        seconds = (now - t0) / 1000
        break
      }
      if (failed) throw failed
      if (safe !== lastSafe) {
        lastSafe = safe
        lastProgress = now
      } else if (now - lastProgress > 60_000) {
        throw new Error(`derivation stalled at L2 block ${safe} of ${target}`)
      }
      await new Promise((r) => setTimeout(r, 1))
    }
    const l1Origin = driver.syncStatus().current_l1.number
    await driver.stop()
    await run
    const hashes: string[] = []
    for (let n = 1; n <= target; n++) hashes.push((await engine.l2BlockRefByNumber(n)).hash)
    return { seconds, l2Blocks: target, l1Origin, hashes, engineSeconds: engineMs / 1000 }
  } finally {
    await v.close()
  }
}

/** The pre-built chain as plain data (for a child process that measures one mode from a fresh heap). */
export interface BenchChainData {
  l1Blocks: { timestamp: number; txs: Uint8Array[] }[]
  cfg: DriverConfig
  engineCfg: EngineL2Config
  refs: L2BlockRef[]
  txs: Uint8Array[][]
  stats: BenchChain['stats']
}

export function benchChainToData(c: BenchChain): BenchChainData {
  return {
    l1Blocks: c.l1.blocks.map((b) => ({ timestamp: b.ref.timestamp, txs: b.txs.map((t) => t.data) })),
    cfg: c.cfg,
    engineCfg: c.engineCfg,
    refs: c.refs,
    txs: c.txs,
    stats: c.stats,
  }
}

/** Rebuilds the in-memory L1 (its block hashes are deterministic, so they come out the same). */
export function benchChainFromData(d: BenchChainData): BenchChain {
  const l1 = new InMemoryL1Source(0, L2_GENESIS_TIME, L1_BLOCK_TIME)
  for (const b of d.l1Blocks) {
    l1.addBlock(
      b.txs.map((data) => tx({ to: INBOX, from: BATCHER, data })),
      { timestamp: b.timestamp },
    )
  }
  if (l1.blocks[0]?.ref.hash !== d.engineCfg.genesisL1.hash)
    throw new Error('rebuilt L1 differs from the pre-built one')
  return {
    l1,
    l1Info: new InMemoryL1InfoSource(l1),
    cfg: d.cfg,
    engineCfg: d.engineCfg,
    refs: d.refs,
    txs: d.txs,
    stats: d.stats,
  }
}
