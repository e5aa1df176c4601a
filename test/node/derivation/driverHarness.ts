import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bytesToHex, hexToBytes } from '../../../config/bytes.ts'
import type { ExecutionPayloadEnvelope } from '../../../config/executionPayload.ts'
import type { Logger } from '../../../config/logger.ts'
import type { Address, L1BlockRef } from '../../../config/types.ts'
import { preparePayloadAttributes } from '../../../derivation/attributes/attributesBuilder.ts'
import { Driver, type DriverConfig } from '../../../derivation/driver/driver.ts'
import type { SafeHeadListener } from '../../../derivation/driver/l2Engine.ts'
import { encodeEcotoneScalar } from '../../../derivation/protocol/l1Info.ts'
import type { SingularBatch } from '../../../derivation/protocol/singularBatch.ts'
import type { SystemConfig } from '../../../derivation/protocol/systemConfig.ts'
import type { L1Source } from '../../../derivation/providers.ts'
import { ChainStore } from '../../../node/db/chainStore.ts'
import { EngineL2, type EngineL2Config } from '../../../node/derivation/engineAdapter.ts'
import { ExecutionEngine, payloadFromBlock } from '../../../node/engine/engine.ts'
import { initGenesis } from '../../../node/engine/genesis.ts'
import { DEPOSIT_CONTRACT, SYS_CFG_ADDR } from '../../derivation/sysCfgHelpers.ts'
import { buildFrames, dataItems, singular } from '../../fakes/batcherData.ts'
import { channelId } from '../../fakes/fakeFrameProvider.ts'
import { InMemoryL1InfoSource } from '../../fakes/inMemoryL1InfoSource.ts'
import { InMemoryL1Source, tx } from '../../fakes/inMemoryL1Source.ts'
import { DEV_ADDRS, DEV_KEYS, genesisState, SPEC, signTransfer } from '../../helpers/engineFixture.ts'

// A sequencer engine and verifier engines on one in-memory L1: the sequencer builds L2 blocks from payload
// attributes of real L1 origins plus signed transfers, and posts their batches (zlib channel, several frames) to
// the batch inbox; a verifier's Driver derives the chain back from L1.

export const INBOX: Address = '0xff00000000000000000000000000000000000010'
export const BATCHER: Address = '0xba7c4e00000000000000000000000000000000aa'
const L2_GENESIS_TIME = 1_700_000_000
const L1_BLOCK_TIME = 6

export const GENESIS_SYS_CFG: SystemConfig = {
  batcherAddr: BATCHER,
  overhead: `0x${'00'.repeat(32)}`,
  scalar: bytesToHex(encodeEcotoneScalar({ baseFeeScalar: 1368n, blobBaseFeeScalar: 810949n })),
  gasLimit: 30_000_000n,
}

export interface Counts {
  built: number
  imported: number
}

async function openEngine(counts?: Counts) {
  const path = mkdtempSync(join(tmpdir(), 'oln-driver-'))
  const store = await ChainStore.open(path)
  await initGenesis(store, SPEC, genesisState())
  const engine = await ExecutionEngine.open({
    store,
    spec: SPEC,
    recoveryWorkers: 0,
    observer: {
      payloadBuilt: () => {
        if (counts) counts.built++
      },
      payloadImported: (status) => {
        if (counts && status === 'VALID') counts.imported++
      },
    },
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

export async function createHarness() {
  const l1 = new InMemoryL1Source(0, L2_GENESIS_TIME, L1_BLOCK_TIME)
  const l1Info = new InMemoryL1InfoSource(l1)
  const l1Genesis = l1.addBlock()
  const seq = await openEngine()
  const genesisL2 = { hash: bytesToHex(seq.engine.head.unsafe.hash), number: 0 }
  const engineCfg: EngineL2Config = {
    genesisL1: { hash: l1Genesis.hash, number: 0 },
    genesisL2Number: 0,
    genesisSystemConfig: GENESIS_SYS_CFG,
  }
  const cfg: DriverConfig = {
    blockTime: 2,
    channelTimeout: 10,
    batchInboxAddress: INBOX,
    seqWindowSize: 10,
    maxSequencerDrift: 600,
    genesisL2Time: L2_GENESIS_TIME,
    l2ChainId: 901n,
    regolithTime: 0,
    canyonTime: 0,
    deltaTime: 0,
    ecotoneTime: 0,
    fjordTime: 0,
    graniteTime: 0,
    depositContractAddress: DEPOSIT_CONTRACT,
    l1SystemConfigAddress: SYS_CFG_ADDR,
    genesisL1: engineCfg.genesisL1,
    genesisL2,
  }
  const closers: (() => Promise<void>)[] = [seq.close]

  /** A sequencer over its own engine; `nonceBase` picks distinct txs for a competing sequencer. */
  function sequencer(engine: ExecutionEngine, txValue = 1n) {
    const l2 = new EngineL2(engine, engineCfg)
    const batches: SingularBatch[] = []
    const envelopes: ExecutionPayloadEnvelope[] = []
    let nonce = 0n
    return {
      l2,
      batches,
      envelopes,
      /** Builds `count` blocks, each with one transfer, on the latest L1 block not after its timestamp. */
      async build(count: number): Promise<void> {
        for (let i = 0; i < count; i++) {
          const parent = l2.heads().unsafe
          const timestamp = parent.timestamp + cfg.blockTime
          let epoch = l1.blocks[parent.l1origin.number]!.ref
          const next = l1.blocks[epoch.number + 1]?.ref
          if (next && next.timestamp <= timestamp) epoch = next
          const sysCfg = await l2.systemConfigByL2Hash(parent.hash)
          const attrs = await preparePayloadAttributes(cfg, l1Info, parent, sysCfg, epoch, timestamp)
          const transfer = signTransfer(DEV_KEYS[0]!, nonce++, DEV_ADDRS[1]!, txValue)
          attrs.transactions.push(transfer)
          attrs.noTxPool = true
          const block = await engine.buildBlock(attrs)
          batches.push({
            parentHash: hexToBytes(parent.hash),
            epochNum: BigInt(epoch.number),
            epochHash: hexToBytes(epoch.hash),
            timestamp: BigInt(timestamp),
            transactions: [transfer],
          })
          envelopes.push({
            executionPayload: payloadFromBlock(block),
            parentBeaconBlockRoot: block.header.parentBeaconBlockRoot,
          })
        }
      },
    }
  }

  const main = sequencer(seq.engine)
  let channels = 0

  return {
    l1,
    l1Info,
    cfg,
    engineCfg,
    seq: main,
    async otherSequencer(txValue: bigint) {
      const other = await openEngine()
      closers.push(other.close)
      return sequencer(other.engine, txValue)
    },
    /** Empty L1 blocks up to (and including) number `n`. */
    l1Until(n: number): void {
      while (l1.blocks.length <= n) l1.addBlock()
    },
    /** Posts the batches in a new L1 block, one frame per batcher tx. */
    post(batches: readonly SingularBatch[]): L1BlockRef {
      const items = dataItems(buildFrames(channelId(`c${channels++}`), singular(batches), 400))
      return l1.addBlock(items.map((data) => tx({ to: INBOX, from: BATCHER, data })))
    },
    /** A verifier engine and its (not yet started) Driver. */
    async verifier(
      logger: Logger,
      opts: { safeHeadListener?: SafeHeadListener; l1?: L1Source; cfg?: Partial<DriverConfig> } = {},
    ) {
      const counts: Counts = { built: 0, imported: 0 }
      const v = await openEngine(counts)
      closers.push(v.close)
      const engine = new EngineL2(v.engine, engineCfg)
      const driver = new Driver(
        { ...cfg, ...opts.cfg },
        {
          engine,
          sources: { l1: opts.l1 ?? l1, l1Info, blobs: null },
          safeHeadListener: opts.safeHeadListener ?? null,
          logger,
          timing: { idlePollMs: 10, backoffInitialMs: 5, backoffMaxMs: 50 },
        },
      )
      return { engine, driver, counts }
    },
    async close() {
      for (const c of closers.reverse()) await c()
    },
  }
}

/** Polls `cond` (every 10 ms, at most ~15 s) and fails with `what` if it never holds. */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1500; i++) {
    if (await cond()) return
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`timed out waiting for: ${what}`)
}
