import type { Logger } from '../config/logger.ts'
import type { RollupConfig } from '../config/rollupConfig.ts'
import type { L1BlockRef, L2BlockRef } from '../config/types.ts'
import {
  type AttributesConfig,
  type AttributesL1Source,
  attributesConfigFromRollup,
  type PayloadAttributes,
} from './attributes/attributesBuilder.ts'
import type { L2ChainSource } from './l2Source.ts'
import { EOF, isPipelineError, NOT_ENOUGH_DATA, type PipelineError } from './pipelineErrors.ts'
import type { SingularBatch } from './protocol/singularBatch.ts'
import type { SystemConfig } from './protocol/systemConfig.ts'
import type { BlobSource, DASource, L1Source } from './providers.ts'
import { AttributesQueue } from './stages/attributesQueue.ts'
import { type BatchQueueConfig, batchQueueConfigFromRollup } from './stages/batchChecks.ts'
import { BatchQueue } from './stages/batchQueue.ts'
import { ChannelBank } from './stages/channelBank.ts'
import { ChannelInReader } from './stages/channelInReader.ts'
import { FrameQueue } from './stages/frameQueue.ts'
import { L1Retrieval } from './stages/l1Retrieval.ts'
import { L1Traversal, type L1TraversalConfig } from './stages/l1Traversal.ts'

// The derivation pipeline (spec §4, op-node derivation_pipeline.go, pre-Holocene): the stages wired in order
//   L1Traversal -> L1Retrieval -> FrameQueue -> ChannelBank -> ChannelInReader -> BatchQueue -> AttributesQueue
// and driven by `step`: pull the next payload attributes for the safe head; when every stage is out of data for the
// current L1 block (EOF), advance the L1 traversal by one block. PipelineErrors thrown by the stages propagate with
// their kind (temporary / reset / critical) for the driver to act on.

/** Everything the stages read from the rollup config. */
export type PipelineConfig = BatchQueueConfig & AttributesConfig & L1TraversalConfig

export function pipelineConfigFromRollup(cfg: RollupConfig, l1PragueTime?: number): PipelineConfig {
  return { ...batchQueueConfigFromRollup(cfg), ...attributesConfigFromRollup(cfg, l1PragueTime) }
}

export interface PipelineDeps {
  l1: L1Source
  l1Info: AttributesL1Source
  blobs: BlobSource | null
  l2: L2ChainSource
  /** Alt-DA mode (spec §8); omitted or null when the chain does not use it. */
  altDA?: DASource | null
  logger: Logger
}

export interface PipelineStart {
  /** The L1 block to start reading from (the safe head's L1 origin, or earlier to re-read open channels). */
  l1Base: L1BlockRef
  safeHead: L2BlockRef
  /** The SystemConfig as of `l1Base`. */
  sysCfg: SystemConfig
  /** The SystemConfig the safe head was built with, when it differs from `sysCfg` (l1Base before the safe head's origin). */
  safeSysCfg?: SystemConfig | undefined
}

export type StepResult =
  /** Attributes for the block after the safe head; the caller builds it and moves the safe head. */
  | { kind: 'attributes'; attributes: PayloadAttributes; batch: SingularBatch }
  /** The stages were out of data and the traversal moved to the next L1 block. */
  | { kind: 'advancedOrigin' }
  /** Moving to the next L1 block failed (reorg, fetch failure, bad ConfigUpdate log). */
  | { kind: 'originAdvanceErr'; error: PipelineError }
  /** Progress was made, nothing to return yet: step again at once. */
  | { kind: 'notEnoughData' }
  /** Out of data and the next L1 block does not exist yet: wait for L1. */
  | { kind: 'eof' }

export interface DerivationPipeline {
  step(safeHead: L2BlockRef): Promise<StepResult>
  /**
   * Reset every stage, first to last, to start from `l1Base` (SystemConfig `sysCfg`) with `safeHead` as the safe head
   * (built with `safeSysCfg`, default `sysCfg`).
   */
  reset(l1Base: L1BlockRef, safeHead: L2BlockRef, sysCfg: SystemConfig, safeSysCfg?: SystemConfig): void
  /** The L1 block the pipeline is reading. */
  origin(): L1BlockRef | null
  /** The SystemConfig as of the L1 origin. */
  systemConfig(): SystemConfig
}

export function createDerivationPipeline(
  cfg: PipelineConfig,
  deps: PipelineDeps,
  start: PipelineStart,
): DerivationPipeline {
  const logger = deps.logger.child({ module: 'derivation' })
  const mods = { logger }
  const traversal = new L1Traversal(cfg, deps.l1, start.sysCfg, logger)
  const retrieval = new L1Retrieval(cfg, traversal, {
    l1: deps.l1,
    blobs: deps.blobs,
    altDA: deps.altDA ?? null,
    logger,
  })
  const frames = new FrameQueue(retrieval, mods)
  const bank = new ChannelBank(cfg, frames, mods)
  const reader = new ChannelInReader(cfg, bank, mods)
  const batches = new BatchQueue(cfg, reader, deps.l2, mods)
  const l2SysCfg = deps.l2.systemConfigByL2Hash?.bind(deps.l2)
  const attributes = new AttributesQueue(cfg, batches, deps.l1Info, mods, l2SysCfg)

  const reset = (l1Base: L1BlockRef, safeHead: L2BlockRef, sysCfg: SystemConfig, safeSysCfg?: SystemConfig): void => {
    traversal.reset(l1Base, sysCfg)
    retrieval.reset(l1Base, sysCfg.batcherAddr)
    // L1 retrieval has opened the base block's data itself; mark the traversal's copy of it as handed out so the
    // base block is not read a second time.
    void traversal.nextL1Block()
    frames.reset()
    bank.reset()
    reader.reset()
    batches.reset(l1Base)
    attributes.reset(safeHead, safeSysCfg ?? sysCfg)
    logger.info(
      {
        l1Base: { number: l1Base.number, hash: l1Base.hash },
        safeHead: { number: safeHead.number, hash: safeHead.hash },
      },
      'Derivation pipeline reset',
    )
  }

  const step = async (safeHead: L2BlockRef): Promise<StepResult> => {
    const out = await attributes.nextAttributes(safeHead)
    if (out === NOT_ENOUGH_DATA) return { kind: 'notEnoughData' }
    if (out !== EOF) return { kind: 'attributes', attributes: out.attributes, batch: out.batch }
    let advanced: undefined | typeof EOF
    try {
      advanced = await traversal.advanceL1Block()
    } catch (err) {
      if (!isPipelineError(err)) throw err
      return { kind: 'originAdvanceErr', error: err }
    }
    if (advanced === EOF) return { kind: 'eof' }
    const o = traversal.origin()!
    logger.debug({ origin: { number: o.number, hash: o.hash } }, 'Advanced L1 origin')
    return { kind: 'advancedOrigin' }
  }

  reset(start.l1Base, start.safeHead, start.sysCfg, start.safeSysCfg)
  return {
    step,
    reset,
    origin: () => traversal.origin(),
    systemConfig: () => traversal.systemConfig(),
  }
}
