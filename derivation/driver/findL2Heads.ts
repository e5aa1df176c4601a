import type { BlockID, L1BlockRef, L2BlockRef } from '../../config/types.ts'
import { channelTimeout, type DerivationConfig } from '../params.ts'
import { PipelineError } from '../pipelineErrors.ts'
import { L1_BLOCK_NOT_FOUND, type L1Source } from '../providers.ts'
import type { L2Engine, L2Heads } from './l2Engine.ts'

// Sync start after a reset (op-node rollup/sync/start.go FindL2Heads, and derivation_pipeline.go initialReset).
// Walk back from the unsafe head: the new unsafe head is the first block whose L1 origin is canonical (or not
// visible yet); the new safe head is the parent of the first seq-number-0 block at or below the old safe head whose
// origin is a full sequence window behind the highest canonical origin seen, or the finalized head if reached first.

export interface SyncStartConfig extends DerivationConfig {
  genesisL1: BlockID
  genesisL2: BlockID
  seqWindowSize: number
}

/** Reorgs deeper than this many sequence windows behind the old unsafe head are refused (op-node MaxReorgSeqWindows). */
const MAX_REORG_SEQ_WINDOWS = 5

const EMPTY: L2BlockRef = {
  hash: `0x${'00'.repeat(32)}`,
  number: -1,
  parentHash: `0x${'00'.repeat(32)}`,
  timestamp: 0,
  l1origin: { hash: `0x${'00'.repeat(32)}`, number: 0 },
  sequenceNumber: 0,
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

export async function findL2Heads(cfg: SyncStartConfig, l1: L1Source, l2: L2Engine): Promise<L2Heads> {
  const current = l2.heads()
  const result: L2Heads = { ...current }
  const prevUnsafe = current.unsafe
  let unsafeFound = true
  let n = current.unsafe
  let highest: L2BlockRef | null = null
  let l1Block: L1BlockRef | null = null
  let ahead = false
  let ready = false
  for (;;) {
    if (l1Block === null || !same(n.l1origin.hash, l1Block.hash)) {
      try {
        l1Block = await l1.l1BlockRefByNumber(n.l1origin.number)
        ahead = false
      } catch (err) {
        if (!(err instanceof PipelineError && err.code === L1_BLOCK_NOT_FOUND)) throw err
        l1Block = null
        ahead = true
      }
    }
    if (n.number === cfg.genesisL2.number) {
      if (!same(n.hash, cfg.genesisL2.hash)) {
        throw PipelineError.crit('SYNC_WRONG_CHAIN', 'L2 walk-back reached a genesis that is not the configured one', {
          genesis: cfg.genesisL2,
          got: { number: n.number, hash: n.hash },
        })
      }
      if (!ahead && l1Block && !same(l1Block.hash, cfg.genesisL1.hash)) {
        throw PipelineError.crit('SYNC_WRONG_CHAIN', 'L1 genesis block is not the configured one: check the L1 RPC', {
          genesis: cfg.genesisL1,
          got: { number: l1Block.number, hash: l1Block.hash },
        })
      }
    }
    if (n.number === result.finalized.number && !same(n.hash, result.finalized.hash)) {
      throw PipelineError.crit('SYNC_REORG_FINALIZED', 'the L2 chain does not contain the finalized block', {
        finalized: { number: result.finalized.number, hash: result.finalized.hash },
        got: { number: n.number, hash: n.hash },
      })
    }
    if (!unsafeFound) {
      result.unsafe = n
      unsafeFound = true
      if (n.l1origin.number + MAX_REORG_SEQ_WINDOWS * cfg.seqWindowSize < prevUnsafe.l1origin.number) {
        throw PipelineError.crit('SYNC_REORG_TOO_DEEP', 'L2 reorg deeper than allowed: restart after checking L1', {
          unsafe: { number: n.number, hash: n.hash },
          previousUnsafe: { number: prevUnsafe.number, hash: prevUnsafe.hash },
        })
      }
    }
    if (ahead) {
      // keep the unsafe head: its L1 origin may become canonical
    } else if (l1Block && same(l1Block.hash, n.l1origin.hash)) {
      if (highest === null) highest = n
    } else {
      highest = null
      unsafeFound = false
      result.unsafe = EMPTY
    }
    if (
      highest !== null &&
      n.number <= result.safe.number &&
      n.l1origin.number + cfg.seqWindowSize < highest.l1origin.number &&
      n.sequenceNumber === 0
    ) {
      ready = true
    }
    if (n.number === result.finalized.number) {
      result.safe = n
      if (!unsafeFound) result.unsafe = n
      return result
    }
    const parent = await l2.l2BlockRefByHash(n.parentHash)
    if (parent.l1origin.number !== n.l1origin.number || !same(parent.l1origin.hash, n.l1origin.hash)) {
      if (parent.l1origin.number + 1 !== n.l1origin.number || n.sequenceNumber !== 0) {
        throw PipelineError.crit('SYNC_L2_INCOHERENT', 'L2 block and its parent have incoherent L1 origins', {
          l2: { number: n.number, hash: n.hash },
          parentOrigin: parent.l1origin,
          origin: n.l1origin,
        })
      }
      if (l1Block && same(l1Block.hash, n.l1origin.hash) && !same(l1Block.parentHash, parent.l1origin.hash)) {
        throw PipelineError.reset(
          'SYNC_L2_PARENT_ORIGIN',
          'L2 parent has an L1 origin that is not the canonical parent',
          {
            l2: { number: n.number, hash: n.hash },
            parentOrigin: parent.l1origin,
            expected: l1Block.parentHash,
          },
        )
      }
    } else if (parent.sequenceNumber + 1 !== n.sequenceNumber) {
      throw PipelineError.crit('SYNC_L2_INCOHERENT', 'L2 sequence numbers are not consecutive', {
        l2: { number: n.number, hash: n.hash },
      })
    }
    n = parent
    if (ready) {
      result.safe = n
      return result
    }
  }
}

/**
 * Where derivation restarts after a reset to `safe` (op-node initialReset): walk back from the safe head until its
 * L1 origin is a channel timeout behind the safe head's origin, so channels still open at the safe head are read
 * again. Returns that L1 block and the L2 block whose SystemConfig applies there.
 */
export async function pipelineResetBase(
  cfg: SyncStartConfig,
  l1: L1Source,
  l2: L2Engine,
  safe: L2BlockRef,
): Promise<{ l1Base: L1BlockRef; l2AtBase: L2BlockRef }> {
  let l2AtBase = safe
  let l1Base = await l1.l1BlockRefByHash(safe.l1origin.hash)
  for (;;) {
    const afterL2Genesis = l2AtBase.number > cfg.genesisL2.number
    const afterL1Genesis = l2AtBase.l1origin.number > cfg.genesisL1.number
    const afterTimeout = l2AtBase.l1origin.number + channelTimeout(cfg, l1Base.timestamp) > safe.l1origin.number
    if (!(afterL2Genesis && afterL1Genesis && afterTimeout)) return { l1Base, l2AtBase }
    l2AtBase = await l2.l2BlockRefByHash(l2AtBase.parentHash)
    if (!same(l2AtBase.l1origin.hash, l1Base.hash)) l1Base = await l1.l1BlockRefByHash(l2AtBase.l1origin.hash)
  }
}
