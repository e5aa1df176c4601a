import type { Logger } from '../config/logger.ts'
import type { L1BlockRef, L2BlockRef } from '../config/types.ts'
import { forkActive } from '../derivation/params.ts'
import { isPipelineError, PipelineError } from '../derivation/pipelineErrors.ts'
import { L1_BLOCK_NOT_FOUND, type L1Source } from '../derivation/providers.ts'

// op-node's L1OriginSelector (op-node/rollup/sequencing/origin_selector.go) with its confDepth shim
// (rollup/confdepth.go): the sequencer keeps the current L1 origin unless the next L1 block (far enough behind the
// L1 head) is already old enough for the new L2 block; past the max sequencer drift it must move on or fail.

/**
 * The node's view of the L1 head (op-node l1State.L1Head); undefined before the first head is known. The node's
 * L1HeadTracker (its `head` getter) satisfies it as it is.
 */
export interface L1HeadView {
  readonly head: L1BlockRef | undefined
}

/** The L1 lookups the selector makes (a subset of derivation's L1Source, same error contract). */
export type OriginL1Source = Pick<L1Source, 'l1BlockRefByHash' | 'l1BlockRefByNumber'>

export interface OriginSelectorConfig {
  blockTime: number
  /** rollup.json max_sequencer_drift, used before Fjord. */
  maxSequencerDrift: number
  fjordTime?: number | undefined
  /** Only L1 blocks at least this many blocks behind the L1 head are used as origins (op-node sequencer.l1-confs). */
  sequencerConfDepth: number
}

/** Fjord makes the max sequencer drift a constant (spec: Fjord "Constant maximum sequencer drift"). */
export const FJORD_MAX_SEQUENCER_DRIFT = 1800

/** op-node ChainSpec.MaxSequencerDrift: keyed on the L1 origin's timestamp. */
export function maxSequencerDrift(cfg: Pick<OriginSelectorConfig, 'maxSequencerDrift' | 'fjordTime'>, l1Time: number) {
  return forkActive(cfg.fjordTime, l1Time) ? FJORD_MAX_SEQUENCER_DRIFT : cfg.maxSequencerDrift
}

function isNotFound(err: unknown): boolean {
  return isPipelineError(err) && err.code === L1_BLOCK_NOT_FOUND
}

export class L1OriginSelector {
  constructor(
    private readonly cfg: OriginSelectorConfig,
    private readonly l1: OriginL1Source,
    private readonly l1Head: L1HeadView,
    private readonly log: Logger,
  ) {}

  /**
   * The L1 origin of the L2 block after `l2Head`. Errors: the L1 source's own (a current origin that is gone is
   * a reset), and a temporary SEQUENCER_DRIFT_EXCEEDED when the drift is exceeded and the next origin cannot be
   * found (retry: it appears once L1 advances).
   */
  async findL1Origin(l2Head: L2BlockRef): Promise<L1BlockRef> {
    const current = await this.l1.l1BlockRefByHash(l2Head.l1origin.hash)
    const nextTime = l2Head.timestamp + this.cfg.blockTime
    const msd = maxSequencerDrift(this.cfg, current.timestamp)
    const pastSeqDrift = nextTime - current.timestamp > msd
    const ctx = { l1: { number: current.number, hash: current.hash }, l2: { number: l2Head.number }, maxDrift: msd }
    if (pastSeqDrift) this.log.warn(ctx, 'Next L2 block time is past the sequencer drift + current origin time')

    let next: L1BlockRef
    try {
      next = await this.confirmedByNumber(current.number + 1)
    } catch (err) {
      if (pastSeqDrift) {
        throw PipelineError.temp(
          'SEQUENCER_DRIFT_EXCEEDED',
          `cannot build next L2 block past current L1 origin ${current.number} by more than sequencer time drift, and failed to find next L1 origin: wait for L1 to advance`,
          { current: current.number, nextTime, maxDrift: msd },
          err,
        )
      }
      if (isNotFound(err)) this.log.debug(ctx, 'No next L1 block found, repeating current origin')
      else this.log.error({ ...ctx, err }, 'Failed to get next origin, falling back to current origin')
      return current
    }
    // Always move on as soon as the next origin is old enough (op-node: simplest policy, keeps L2 close to L1).
    return nextTime >= next.timestamp ? next : current
  }

  /** op-node confDepth.L1BlockRefByNumber: blocks within `depth` of the head look absent (no head: no shim). */
  private async confirmedByNumber(num: number): Promise<L1BlockRef> {
    const head = this.l1Head.head
    const depth = this.cfg.sequencerConfDepth
    if (head !== undefined && depth > 0 && num + depth > head.number) {
      throw PipelineError.reset(L1_BLOCK_NOT_FOUND, `L1 block ${num} is not ${depth} blocks behind the L1 head`, {
        number: num,
        head: head.number,
      })
    }
    return this.l1.l1BlockRefByNumber(num)
  }
}
