import { bytesToHex } from '../../config/bytes.ts'
import type { RollupConfig } from '../../config/rollupConfig.ts'
import type { ExecutionEngine } from '../engine/engine.ts'
import { l2BlockRefOf, l2GenesisOf } from '../engine/l2BlockRef.ts'
import type { Block } from '../engine/types.ts'
import { RpcError, RpcMethods } from './jsonrpc.ts'
import { ParamReader, smallInt, uint64 } from './params.ts'

// op-node's `optimism_` namespace over the embedded engine (op-node/node/api.go): block refs are JSON objects
// with decimal numbers. L1 refs come from the L1-info deposits of the L2 heads until the derivation driver
// (verifier mode) supplies its own L1 view.

export interface L2BlockRefJson {
  hash: string
  number: number
  parentHash: string
  timestamp: number
  l1origin: { hash: string; number: number }
  sequenceNumber: number
}

export interface L1BlockRefJson {
  hash: string
  number: number
  parentHash: string
  timestamp: number
}

const ZERO_HASH = `0x${'00'.repeat(32)}`

/** The L2 block ref of a block (its L1 origin and sequence number come from its L1-info deposit). */
export function l2BlockRef(block: Block, rollup: RollupConfig): L2BlockRefJson {
  return l2BlockRefOf(block, l2GenesisOf(rollup))
}

export interface RollupApiOptions {
  version: string
  /** The node's L1 view (head/safe/finalized); absent in single-node mode. */
  l1View?: () => { head?: L1BlockRefJson; safe?: L1BlockRefJson; finalized?: L1BlockRefJson; current?: L1BlockRefJson }
  /** The safe-head database (node/db/safeHeadStore.ts) behind optimism_safeHeadAtL1Block; absent: disabled. */
  safeHeads?: {
    safeHeadAtL1Block(l1Number: number): Promise<{
      l1Block: { hash: string; number: number }
      safeHead: { hash: string; number: number }
    } | null>
  }
}

export function createRollupApi(engine: ExecutionEngine, rollup: RollupConfig, opts: RollupApiOptions): RpcMethods {
  const emptyL1: L1BlockRefJson = { hash: ZERO_HASH, number: 0, parentHash: ZERO_HASH, timestamp: 0 }
  const syncStatus = () => {
    const h = engine.head
    const unsafe = l2BlockRef(h.unsafe, rollup)
    const safe = l2BlockRef(h.safe, rollup)
    const finalized = l2BlockRef(h.finalized, rollup)
    const l1 = opts.l1View?.() ?? {}
    const originRef = (r: L2BlockRefJson): L1BlockRefJson => ({
      hash: r.l1origin.hash,
      number: r.l1origin.number,
      parentHash: ZERO_HASH,
      timestamp: 0,
    })
    return {
      current_l1: l1.current ?? originRef(unsafe),
      current_l1_finalized: l1.finalized ?? emptyL1,
      head_l1: l1.head ?? originRef(unsafe),
      safe_l1: l1.safe ?? emptyL1,
      finalized_l1: l1.finalized ?? emptyL1,
      unsafe_l2: unsafe,
      safe_l2: safe,
      finalized_l2: finalized,
      pending_safe_l2: safe,
      cross_unsafe_l2: unsafe,
      local_safe_l2: safe,
    }
  }
  const m = new RpcMethods()
  m.register('optimism_syncStatus', () => syncStatus())
  m.register('optimism_rollupConfig', () => rollup)
  m.register('optimism_version', () => opts.version)
  m.register('optimism_outputAtBlock', async (raw) => {
    const n = new ParamReader(raw, ['blockNumber']).required(0, uint64)
    const hash = await engine.store.getCanonicalHash(n)
    const block = hash ? await engine.store.getBlock(hash) : undefined
    if (!block) throw new RpcError(-32000, `block ${n} not found`)
    const out = await engine.outputAt(block)
    return {
      version: ZERO_HASH,
      outputRoot: bytesToHex(out.outputRoot),
      blockRef: l2BlockRef(block, rollup),
      withdrawalStorageRoot: bytesToHex(out.messagePasserStorageRoot),
      stateRoot: bytesToHex(out.stateRoot),
      syncStatus: syncStatus(),
    }
  })
  m.register('optimism_safeHeadAtL1Block', async (raw) => {
    const n = new ParamReader(raw, ['l1BlockNumber']).required(0, smallInt)
    if (!opts.safeHeads) throw new RpcError(-32000, 'safe head database is disabled on this node')
    const rec = await opts.safeHeads.safeHeadAtL1Block(n)
    if (!rec) throw new RpcError(-32000, `no safe head known at or before L1 block ${n}`)
    return rec
  })
  return m
}
