import { NodeError } from '../config/errors.ts'
import type { ExecutionPayloadEnvelope } from '../config/executionPayload.ts'
import type { Logger } from '../config/logger.ts'
import type { Hash, L1BlockRef, L2BlockRef } from '../config/types.ts'
import {
  type AttributesConfig,
  type AttributesL1Source,
  isActivationBlock,
  type PayloadAttributes,
  preparePayloadAttributes,
} from '../derivation/attributes/attributesBuilder.ts'
import { isPipelineError, PipelineError } from '../derivation/pipelineErrors.ts'
import type { SystemConfig } from '../derivation/protocol/systemConfig.ts'
import { type L1HeadView, L1OriginSelector, maxSequencerDrift, type OriginL1Source } from './originSelector.ts'
import type { SequencerStateStore } from './sequencerState.ts'
import type { UnsafeBlockPublisher } from './unsafePublisher.ts'

// op-node's sequencer (op-node/rollup/sequencing/sequencer.go): every block_time it picks an L1 origin, prepares
// the payload attributes exactly as derivation will (preparePayloadAttributes: L1-info deposit, user deposits,
// upgrade txs), lets the engine fill the block from the tx pool, and hands the sealed block to P2P. Failures are
// typed by kind: temporary -> retry with backoff, reset -> drop cached L1 views and re-select, critical -> stop.

/** The engine as the sequencer drives it (implemented in node/ over the ExecutionEngine). */
export interface SequencerEngine {
  /** The current unsafe head. */
  unsafeHead(): L2BlockRef
  /** The SystemConfig a block was built with (recovered from its L1-info deposit, or genesis). */
  systemConfigOf(ref: L2BlockRef): Promise<SystemConfig>
  /** Builds, inserts and makes canonical the block of `attrs` on the unsafe head. */
  build(attrs: PayloadAttributes): Promise<{ envelope: ExecutionPayloadEnvelope; ref: L2BlockRef }>
}

export interface SequencerConfig {
  attributes: AttributesConfig
  maxSequencerDrift: number
  /** op-node --sequencer.l1-confs. */
  sequencerConfDepth: number
  /** First retry delay after a temporary or reset error; doubles up to `maxRetryDelayMs`. */
  retryDelayMs?: number
  maxRetryDelayMs?: number
}

export interface SequencerDeps {
  config: SequencerConfig
  engine: SequencerEngine
  /** L1 refs for origin selection. */
  l1: OriginL1Source
  /** L1 headers and receipts for attributes. */
  l1Info: AttributesL1Source
  l1Head: L1HeadView
  publisher: UnsafeBlockPublisher
  state: SequencerStateStore
  log: Logger
  /** Told about reset-kind errors so the node can reset its derivation/engine view (op-node ResetEvent). */
  onReset?: (err: PipelineError) => void
  /** Told when a critical error stopped the sequencer (op-node CriticalErrorEvent): the node should shut down. */
  onCritical?: (err: unknown) => void
  /** Milliseconds since the epoch; injectable for schedule tests. */
  now?: () => number
}

export type SequencerErrorCode =
  | 'SEQUENCER_ALREADY_STARTED'
  | 'SEQUENCER_ALREADY_STOPPED'
  | 'SEQUENCER_HEAD_MISMATCH'
  | 'SEQUENCER_PERSIST_FAILED'

/** Admin-level sequencer errors; messages match op-node's (op-conductor matches on them). */
export class SequencerError extends NodeError<SequencerErrorCode> {}

/** What one build step produced. */
export interface SequencedBlock {
  ref: L2BlockRef
  envelope: ExecutionPayloadEnvelope
  origin: L1BlockRef
  noTxPool: boolean
}

const DEFAULT_RETRY_MS = 1000
const DEFAULT_MAX_RETRY_MS = 10_000

export class Sequencer {
  private readonly selector: L1OriginSelector
  private readonly now: () => number
  private active = false
  private closed = false
  private timer: NodeJS.Timeout | undefined
  private inflight: Promise<unknown> | undefined
  private failures = 0
  /** Set once a critical error stopped sequencing. */
  private criticalError: unknown

  constructor(private readonly d: SequencerDeps) {
    const a = d.config.attributes
    this.selector = new L1OriginSelector(
      {
        blockTime: a.blockTime,
        maxSequencerDrift: d.config.maxSequencerDrift,
        fjordTime: a.fjordTime,
        sequencerConfDepth: d.config.sequencerConfDepth,
      },
      d.l1,
      d.l1Head,
      d.log,
    )
    this.now = d.now ?? Date.now
  }

  /**
   * Restores the persisted on/off state (op-node Sequencer.Init): 'started' starts, 'stopped' stays stopped, and
   * 'unset' follows `activeByDefault` (the node's --sequencer.stopped flag negated) without persisting it.
   */
  async init(activeByDefault: boolean): Promise<void> {
    const persisted = await this.d.state.load()
    const activate = persisted === 'started' || (persisted === 'unset' && activeByDefault)
    if (activate) this.activate()
    this.d.log.info({ persisted, active: this.active }, 'Sequencer initialised')
  }

  isActive(): boolean {
    return this.active
  }

  /** The critical error that stopped sequencing, if any. */
  get stoppedBy(): unknown {
    return this.criticalError
  }

  /** admin_startSequencer: only on top of the head the caller saw, so no block is built on a stale view. */
  async startSequencer(unsafeHeadHash: Hash): Promise<void> {
    if (this.active) throw new SequencerError('SEQUENCER_ALREADY_STARTED', 'sequencer already running')
    const head = this.d.engine.unsafeHead()
    if (head.hash.toLowerCase() !== unsafeHeadHash.toLowerCase()) {
      throw new SequencerError(
        'SEQUENCER_HEAD_MISMATCH',
        `block hash does not match: head ${head.hash}, received ${unsafeHeadHash}`,
        { head: head.hash, received: unsafeHeadHash },
      )
    }
    await this.persist(true)
    this.activate()
    this.d.log.info({ unsafe: { number: head.number, hash: head.hash } }, 'Sequencer started')
  }

  /** admin_stopSequencer: stops after any block being built and returns the resulting unsafe head hash. */
  async stopSequencer(): Promise<Hash> {
    if (!this.active) throw new SequencerError('SEQUENCER_ALREADY_STOPPED', 'sequencer not running')
    await this.persist(false)
    this.deactivate()
    await this.inflight
    const head = this.d.engine.unsafeHead()
    this.d.log.info({ unsafe: { number: head.number, hash: head.hash } }, 'Sequencer stopped')
    return head.hash
  }

  /** Stops the schedule for shutdown without touching the persisted state. */
  async close(): Promise<void> {
    this.closed = true
    this.deactivate()
    await this.inflight
  }

  /**
   * Builds the next block now, regardless of the clock, on a stopped sequencer (step-by-step action tests; the
   * running schedule owns the engine otherwise). Throws PipelineErrors by kind.
   */
  async buildNext(): Promise<SequencedBlock> {
    if (this.active) {
      throw new SequencerError('SEQUENCER_ALREADY_STARTED', 'sequencer already running: stop it to build by hand')
    }
    return this.buildTracked()
  }

  private buildTracked(): Promise<SequencedBlock> {
    const run = this.buildNextInner()
    this.inflight = run.catch(() => undefined)
    return run
  }

  private async buildNextInner(): Promise<SequencedBlock> {
    const { engine, config, log } = this.d
    const a = config.attributes
    const parent = engine.unsafeHead()
    const origin = await this.selector.findL1Origin(parent)
    const parentOrigin = parent.l1origin.hash.toLowerCase()
    if (origin.hash.toLowerCase() !== parentOrigin && origin.parentHash.toLowerCase() !== parentOrigin) {
      throw PipelineError.reset(
        'SEQUENCER_INCONSISTENT_L1_ORIGIN',
        `cannot build new L2 block with L1 origin ${origin.number} on current L2 head ${parent.number} with L1 origin ${parent.l1origin.number}`,
        { origin, parentL1Origin: parent.l1origin },
      )
    }
    const sysCfg = await engine.systemConfigOf(parent)
    const attrs = await preparePayloadAttributes(a, this.d.l1Info, parent, sysCfg, {
      hash: origin.hash,
      number: origin.number,
    })
    const t = Number(attrs.timestamp)
    // Past the drift only deposits go in; activation blocks carry only the upgrade txs (op-node sequencer).
    attrs.noTxPool =
      t >
        origin.timestamp +
          maxSequencerDrift(
            { maxSequencerDrift: config.maxSequencerDrift, fjordTime: a.fjordTime },
            origin.timestamp,
          ) ||
      isActivationBlock(a.ecotoneTime, t, a.blockTime) ||
      isActivationBlock(a.fjordTime, t, a.blockTime) ||
      isActivationBlock(a.isthmusTime, t, a.blockTime)
    const { envelope, ref } = await engine.build(attrs)
    log.info(
      {
        l2: { number: ref.number, hash: ref.hash },
        l1: { number: origin.number, hash: origin.hash },
        seq: ref.sequenceNumber,
        txs: envelope.executionPayload.transactions.length,
        noTxPool: attrs.noTxPool,
      },
      'Sequenced block',
    )
    this.d.publisher.publish(envelope).catch((err) => {
      log.warn({ err, l2: { number: ref.number, hash: ref.hash } }, 'Failed to publish unsafe block')
    })
    return { ref, envelope, origin, noTxPool: attrs.noTxPool }
  }

  private async persist(active: boolean): Promise<void> {
    try {
      await this.d.state.save(active)
    } catch (err) {
      throw new SequencerError(
        'SEQUENCER_PERSIST_FAILED',
        `failed to notify sequencer-state listener of ${active ? 'start' : 'stop'}: check the sequencer state file`,
        {},
        { cause: err },
      )
    }
  }

  private activate(): void {
    if (this.closed) return
    this.active = true
    this.criticalError = undefined
    this.failures = 0
    this.schedule(0)
  }

  private deactivate(): void {
    this.active = false
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.tick(), Math.max(0, delayMs))
  }

  /** One scheduler step: build when the next timestamp is due (never ahead of the wall clock), else wait. */
  private async tick(): Promise<void> {
    this.timer = undefined
    if (!this.active) return
    const blockTime = this.d.config.attributes.blockTime
    const due = (this.d.engine.unsafeHead().timestamp + blockTime) * 1000
    const wait = due - this.now()
    if (wait > 0) return this.schedule(wait)
    try {
      await this.buildTracked()
      this.failures = 0
    } catch (err) {
      if (!this.onBuildError(err)) return
    }
    if (!this.active) return
    // Behind the clock (catching up), the next block is due at once.
    const nextDue = (this.d.engine.unsafeHead().timestamp + blockTime) * 1000
    this.schedule(this.failures > 0 ? this.retryDelay() : nextDue - this.now())
  }

  /** Acts on a failed build by kind; false when sequencing stopped. */
  private onBuildError(err: unknown): boolean {
    const log = this.d.log
    if (isPipelineError(err) && err.kind === 'reset') {
      this.failures++
      log.warn({ err }, 'Sequencer L1 view is inconsistent, re-selecting the origin')
      this.d.onReset?.(err)
      return true
    }
    if (isPipelineError(err) && err.kind === 'critical') {
      this.criticalError = err
      this.deactivate()
      log.error({ err }, 'Sequencer hit a critical error and stopped: fix the cause, then admin_startSequencer')
      this.d.onCritical?.(err)
      return false
    }
    // Temporary pipeline errors and engine failures: back off and try again.
    this.failures++
    log.error({ err, attempt: this.failures }, 'Sequencer failed to build a block, retrying')
    return true
  }

  private retryDelay(): number {
    const base = this.d.config.retryDelayMs ?? DEFAULT_RETRY_MS
    const max = this.d.config.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_MS
    return Math.min(max, base * 2 ** Math.min(this.failures - 1, 20))
  }
}
