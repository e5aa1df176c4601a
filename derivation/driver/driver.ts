import { bytesToHex } from '../../config/bytes.ts'
import type { ExecutionPayloadEnvelope } from '../../config/executionPayload.ts'
import type { Logger } from '../../config/logger.ts'
import type { L1BlockRef, L2BlockRef } from '../../config/types.ts'
import {
  createDerivationPipeline,
  type DerivationPipeline,
  type PipelineConfig,
  type PipelineDeps,
  type StepResult,
} from '../pipeline.ts'
import { isPipelineError, PipelineError } from '../pipelineErrors.ts'
import { attributesMismatch } from './attributesMatch.ts'
import { Finalizer } from './finalizer.ts'
import { findL2Heads, pipelineResetBase, type SyncStartConfig } from './findL2Heads.ts'
import type { L2Engine, SafeHeadListener } from './l2Engine.ts'
import { type SyncStatus, ZERO_L1_REF } from './syncStatus.ts'

// The derivation driver (op-node rollup/driver + engine controller + attributes handler + finalizer): steps the
// pipeline, consolidates derived attributes with unsafe blocks or inserts them as new safe blocks, imports gossiped
// unsafe payloads, resets on reorgs (FindL2Heads), follows L1 finality. Everything that touches the engine runs on
// the one loop, so heads change in one order; the hooks only record news and wake the loop.
//
// Errors are acted on in one place (`handle`): temporary -> retry with exponential backoff, reset -> find new heads
// and reset the pipeline, critical -> stop and reject the run promise. Engine errors that are not PipelineErrors
// count as temporary (op-node wraps engine RPC failures the same way).

export type DriverConfig = PipelineConfig & SyncStartConfig

export interface DriverDeps {
  engine: L2Engine
  /** The pipeline's L1 data sources; the L2 view is the engine. */
  sources: Omit<PipelineDeps, 'l2' | 'logger'>
  safeHeadListener?: SafeHeadListener | null
  logger: Logger
  /** Backoff for temporary errors and the L1 poll while idle (ms). */
  timing?: { backoffInitialMs?: number; backoffMaxMs?: number; idlePollMs?: number }
}

/** Unsafe payloads held for later (ahead of the unsafe head) beyond this are dropped oldest-first. */
const MAX_UNSAFE_QUEUE = 256

export class Driver {
  private readonly cfg: DriverConfig
  private readonly engine: L2Engine
  private readonly deps: DriverDeps
  private readonly log: Logger
  private readonly finalizer = new Finalizer()
  private pipeline: DerivationPipeline | null = null
  private needsReset = true
  private running: Promise<void> | null = null
  private stopping = false
  private wake: (() => void) | null = null
  private failures = 0
  private readonly unsafeQueue: ExecutionPayloadEnvelope[] = []
  private l1Head: L1BlockRef | null = null
  private l1Safe: L1BlockRef | null = null
  private l1Finalized: L1BlockRef | null = null
  /** The pipeline origin whose data the current safe head includes (for the safe-head listener). */
  private lastOrigin: L1BlockRef | null = null
  private readonly timing: Required<NonNullable<DriverDeps['timing']>>

  constructor(cfg: DriverConfig, deps: DriverDeps) {
    this.cfg = cfg
    this.engine = deps.engine
    this.deps = deps
    this.log = deps.logger.child({ module: 'driver' })
    this.timing = { backoffInitialMs: 50, backoffMaxMs: 10_000, idlePollMs: 1_000, ...deps.timing }
  }

  // --- lifecycle ---------------------------------------------------------------------------------------

  /** Starts the loop; the promise resolves after stop() and rejects on a critical error. */
  start(): Promise<void> {
    if (this.running) return this.running
    this.stopping = false
    this.running = this.loop().finally(() => {
      this.running = null
    })
    return this.running
  }

  async stop(): Promise<void> {
    this.stopping = true
    this.poke()
    await this.running?.catch(() => undefined)
  }

  // --- hooks (L1 watcher, P2P) ----------------------------------------------------------------------------

  onL1Head(ref: L1BlockRef): void {
    this.l1Head = ref
    this.poke()
  }

  onL1Safe(ref: L1BlockRef): void {
    this.l1Safe = ref
  }

  onL1Finalized(ref: L1BlockRef): void {
    this.l1Finalized = ref
    this.finalizer.onL1Finalized(ref)
    this.poke()
  }

  onUnsafePayload(envelope: ExecutionPayloadEnvelope): void {
    this.unsafeQueue.push(envelope)
    if (this.unsafeQueue.length > MAX_UNSAFE_QUEUE) this.unsafeQueue.shift()
    this.poke()
  }

  syncStatus(): SyncStatus {
    const h = this.engine.heads()
    return {
      current_l1: this.pipeline?.origin() ?? ZERO_L1_REF,
      current_l1_finalized: this.finalizer.lastActedOn() ?? ZERO_L1_REF,
      head_l1: this.l1Head ?? ZERO_L1_REF,
      safe_l1: this.l1Safe ?? ZERO_L1_REF,
      finalized_l1: this.l1Finalized ?? ZERO_L1_REF,
      unsafe_l2: h.unsafe,
      safe_l2: h.safe,
      finalized_l2: h.finalized,
      pending_safe_l2: h.safe,
    }
  }

  // --- the loop ----------------------------------------------------------------------------------------------

  private poke(): void {
    const w = this.wake
    this.wake = null
    w?.()
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = null
        resolve()
      }, ms)
      this.wake = () => {
        clearTimeout(t)
        resolve()
      }
    })
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let idle = false
      try {
        if (this.needsReset) await this.reset()
        await this.insertUnsafePayloads()
        await this.tryFinalize()
        idle = await this.stepOnce()
        this.failures = 0
      } catch (err) {
        await this.handle(err)
        continue
      }
      if (idle) await this.sleep(this.timing.idlePollMs)
      // Yield to timers and I/O between steps so hooks and RPC stay responsive.
      else await new Promise<void>((r) => setImmediate(r))
    }
  }

  /** The one place errors are acted on. */
  private async handle(err: unknown): Promise<void> {
    const kind = isPipelineError(err) ? err.kind : 'temporary'
    const info = isPipelineError(err) ? err.toObject() : { message: (err as Error)?.message ?? String(err) }
    if (kind === 'critical') {
      this.log.fatal({ err: info }, 'Critical derivation error: stopping the driver')
      this.stopping = true
      throw err
    }
    if (kind === 'reset') {
      this.log.warn({ err: info }, 'Derivation reset')
      this.needsReset = true
    }
    this.failures++
    const ms = Math.min(this.timing.backoffMaxMs, this.timing.backoffInitialMs * 2 ** Math.min(this.failures - 1, 20))
    if (kind === 'temporary') this.log.warn({ err: info, retryInMs: ms }, 'Temporary derivation error: retrying')
    if (kind === 'temporary' || this.failures > 1) await this.sleep(ms)
  }

  /** One pipeline step; true when there is nothing to do until L1 moves. */
  private async stepOnce(): Promise<boolean> {
    const pipeline = this.pipeline as DerivationPipeline
    const safe = this.engine.heads().safe
    const r: StepResult = await pipeline.step(safe)
    switch (r.kind) {
      case 'attributes':
        await this.processAttributes(r.attributes, safe)
        return false
      case 'advancedOrigin':
        await this.originDone(safe)
        this.lastOrigin = pipeline.origin()
        return false
      case 'originAdvanceErr':
        throw r.error
      case 'notEnoughData':
        return false
      case 'eof':
        return true
    }
  }

  /** The previous pipeline origin is fully derived: tell the listener the safe head it produced. */
  private async originDone(safe: L2BlockRef): Promise<void> {
    const done = this.lastOrigin
    if (done === null || this.deps.safeHeadListener == null) return
    await this.deps.safeHeadListener.safeHeadUpdated(
      { hash: done.hash, number: done.number },
      { hash: safe.hash, number: safe.number },
    )
  }

  private async processAttributes(
    attrs: Extract<StepResult, { kind: 'attributes' }>['attributes'],
    safe: L2BlockRef,
  ): Promise<void> {
    const heads = this.engine.heads()
    let newSafe: L2BlockRef | null = null
    if (heads.unsafe.number > safe.number) {
      const existing = await this.engine.blockForMatch(safe.number + 1)
      const why = existing === null ? 'no block' : attributesMismatch(attrs, safe.hash, existing)
      if (existing !== null && why === null) {
        await this.engine.promoteSafe(existing.ref)
        newSafe = existing.ref
        this.log.debug({ safe: { number: newSafe.number, hash: newSafe.hash } }, 'Consolidated unsafe block')
      } else {
        this.log.warn(
          { l2: safe.number + 1, unsafe: { number: heads.unsafe.number, hash: heads.unsafe.hash }, reason: why },
          'Derived attributes do not match the unsafe block: replacing the unsafe chain',
        )
      }
    }
    if (newSafe === null) {
      const res = await this.engine.insertSafe(attrs)
      if (res.kind === 'invalid') {
        // Pre-Holocene: the batch is dropped and derivation continues with the next one (spec §4.13).
        this.log.warn({ l2: safe.number + 1, err: res.reason }, 'Derived payload is invalid: dropping its batch')
        return
      }
      newSafe = res.ref
    }
    const origin = (this.pipeline as DerivationPipeline).origin()
    if (origin) this.finalizer.onDerived(newSafe, { hash: origin.hash, number: origin.number })
    this.log.info(
      { safe: { number: newSafe.number, hash: newSafe.hash }, l1: origin?.number, unsafe: heads.unsafe.number },
      'Safe head updated',
    )
  }

  private async insertUnsafePayloads(): Promise<void> {
    if (this.unsafeQueue.length === 0) return
    this.unsafeQueue.sort((a, b) => Number(a.executionPayload.blockNumber - b.executionPayload.blockNumber))
    while (this.unsafeQueue.length > 0) {
      const env = this.unsafeQueue[0] as ExecutionPayloadEnvelope
      const unsafe = this.engine.heads().unsafe
      const n = Number(env.executionPayload.blockNumber)
      if (n <= unsafe.number) {
        this.unsafeQueue.shift() // already have a block at that height (derivation decides which one is right)
        continue
      }
      if (n > unsafe.number + 1) return // a gap: wait for the missing payloads
      this.unsafeQueue.shift()
      const res = await this.engine.insertUnsafe(env)
      const l2 = { number: n, hash: bytesToHex(env.executionPayload.blockHash) }
      if (res === 'valid') this.log.debug({ unsafe: l2 }, 'Inserted unsafe payload')
      else this.log.warn({ l2, status: res }, 'Unsafe payload not inserted')
    }
  }

  private async tryFinalize(): Promise<void> {
    const l1 = this.finalizer.pending()
    if (l1 === null) return
    const heads = this.engine.heads()
    const f = this.finalizer.finalize(l1, heads.finalized.number)
    if (f === null) return
    // The L1 block the L2 block was derived from must still be canonical (else a reset is on its way).
    const canonical = await this.deps.sources.l1.l1BlockRefByNumber(f.derivedFrom.number)
    if (canonical.hash.toLowerCase() !== f.derivedFrom.hash.toLowerCase()) {
      throw PipelineError.reset('FINALITY_L1_REORGED', 'derived-from L1 block of a safe block is no longer canonical', {
        derivedFrom: f.derivedFrom,
      })
    }
    const h = this.engine.heads()
    await this.engine.updateSafety({ safe: h.safe.hash, finalized: f.l2.hash })
    this.log.info({ l1: l1.number, finalized: { number: f.l2.number, hash: f.l2.hash } }, 'Finalized L2 head')
  }

  /** Engine reset (op-node ResetEngine + pipeline reset): new heads from FindL2Heads, derivation from there. */
  private async reset(): Promise<void> {
    const { engine, cfg } = this
    const l1 = this.deps.sources.l1
    const heads = await findL2Heads(cfg, l1, engine)
    await engine.forkchoice({ unsafe: heads.unsafe.hash, safe: heads.safe.hash, finalized: heads.finalized.hash })
    const { l1Base, l2AtBase } = await pipelineResetBase(cfg, l1, engine, heads.safe)
    const baseSysCfg = await engine.systemConfigByL2Hash(l2AtBase.hash)
    const safeSysCfg =
      l2AtBase.hash === heads.safe.hash ? baseSysCfg : await engine.systemConfigByL2Hash(heads.safe.hash)
    if (this.pipeline === null) {
      this.pipeline = createDerivationPipeline(
        cfg,
        { ...this.deps.sources, l2: engine, logger: this.deps.logger },
        { l1Base, safeHead: heads.safe, sysCfg: baseSysCfg, safeSysCfg },
      )
    } else {
      this.pipeline.reset(l1Base, heads.safe, baseSysCfg, safeSysCfg)
    }
    this.finalizer.reset()
    this.lastOrigin = l1Base
    await this.deps.safeHeadListener?.safeHeadReset({ hash: heads.safe.hash, number: heads.safe.number })
    this.needsReset = false
    this.log.info(
      {
        unsafe: { number: heads.unsafe.number, hash: heads.unsafe.hash },
        safe: { number: heads.safe.number, hash: heads.safe.hash },
        l1: { number: l1Base.number, hash: l1Base.hash },
      },
      'Driver reset: derivation restarts',
    )
  }
}
