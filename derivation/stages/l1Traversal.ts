import type { Logger } from '../../config/logger.ts'
import type { Address, L1BlockRef } from '../../config/types.ts'
import { EOF, type Eof, isPipelineError, PipelineError } from '../pipelineErrors.ts'
import { applySystemConfigLogs, type SystemConfig, SystemConfigError } from '../protocol/systemConfig.ts'
import { L1_BLOCK_NOT_FOUND, type L1Source } from '../providers.ts'
import type { L1RetrievalProvider } from './l1Retrieval.ts'

// L1 traversal (spec §4.11, op-node l1_traversal.go): the first stage. It holds the current L1 block and the
// SystemConfig as of that block (after its own ConfigUpdate logs), hands the block to L1 retrieval once, and moves
// to the next L1 block when asked, checking that it extends the current one.

export interface L1TraversalConfig {
  l1SystemConfigAddress: Address
  ecotoneTime?: number | undefined
}

export type L1TraversalSource = Pick<L1Source, 'l1BlockRefByNumber' | 'receiptsByHash'>

/** Errors from the source keep their kind; anything else is a transient transport failure. */
function asPipelineError(err: unknown, what: string, meta: Record<string, unknown>): PipelineError {
  if (isPipelineError(err)) return err
  return PipelineError.temp('L1_FETCH_FAILED', `failed to fetch ${what}`, meta, err)
}

export class L1Traversal implements L1RetrievalProvider {
  private block: L1BlockRef | null = null
  private done = false
  private sysCfg: SystemConfig

  constructor(
    private readonly cfg: L1TraversalConfig,
    private readonly l1: L1TraversalSource,
    initialSystemConfig: SystemConfig,
    private readonly logger?: Logger,
  ) {
    this.sysCfg = initialSystemConfig
  }

  origin(): L1BlockRef | null {
    return this.block
  }

  systemConfig(): SystemConfig {
    return this.sysCfg
  }

  batcherAddr(): Address {
    return this.sysCfg.batcherAddr
  }

  /** The current block, once; EOF until the traversal advances (op-node NextL1Block). */
  async nextL1Block(): Promise<L1BlockRef | Eof> {
    if (this.done || this.block === null) return EOF
    this.done = true
    return this.block
  }

  /**
   * Moves to block N+1. EOF when it does not exist yet; a reset error when it does not extend the current block
   * (L1 reorg); a critical error when its ConfigUpdate logs are malformed. Source errors keep their kind.
   */
  async advanceL1Block(): Promise<undefined | Eof> {
    const cur = this.block
    if (cur === null) throw PipelineError.crit('L1_TRAVERSAL_NOT_RESET', 'L1 traversal has no origin; reset it first')
    let next: L1BlockRef
    try {
      next = await this.l1.l1BlockRefByNumber(cur.number + 1)
    } catch (err) {
      if (isPipelineError(err) && err.code === L1_BLOCK_NOT_FOUND) return EOF
      throw asPipelineError(err, 'next L1 block', { number: cur.number + 1 })
    }
    if (next.parentHash.toLowerCase() !== cur.hash.toLowerCase()) {
      throw PipelineError.reset('L1_REORG', 'L1 reorg: next L1 block does not extend the current origin', {
        origin: { number: cur.number, hash: cur.hash },
        next: { number: next.number, hash: next.hash, parentHash: next.parentHash },
      })
    }
    let receipts: Awaited<ReturnType<L1Source['receiptsByHash']>>
    try {
      receipts = await this.l1.receiptsByHash(next.hash)
    } catch (err) {
      throw asPipelineError(err, 'L1 receipts', { number: next.number, hash: next.hash })
    }
    let sysCfg: SystemConfig
    try {
      sysCfg = applySystemConfigLogs(this.sysCfg, receipts, this.cfg.l1SystemConfigAddress, next.timestamp, this.cfg)
    } catch (err) {
      if (!(err instanceof SystemConfigError)) throw err
      throw PipelineError.crit(
        'L1_SYSCFG_UPDATE_INVALID',
        `failed to update the SystemConfig with the receipts of L1 block ${next.number}: ${err.message}`,
        { number: next.number, hash: next.hash, ...err.meta },
        err,
      )
    }
    if (sysCfg.batcherAddr !== this.sysCfg.batcherAddr) {
      this.logger?.info({ l1: next.number, batcher: sysCfg.batcherAddr }, 'Batcher address changed')
    }
    this.sysCfg = sysCfg
    this.block = next
    this.done = false
    return undefined
  }

  /** op-node Reset: start again from `base` with its SystemConfig. */
  reset(base: L1BlockRef, sysCfg: SystemConfig): void {
    this.block = base
    this.done = false
    this.sysCfg = sysCfg
  }
}
