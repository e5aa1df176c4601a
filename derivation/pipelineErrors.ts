import { NodeError } from '../config/errors.ts'

// Pipeline errors (architecture §2.5): every failure that leaves a derivation stage carries a kind, decided where
// the problem is understood, and the driver acts on the kind in one place:
//   temporary -> back off and call again (RPC timeouts, data not available yet);
//   reset     -> find a new sync start and signal a reset down the pipeline (L1 reorg, missing block);
//   critical  -> stop derivation (invalid config, impossible state).
// Flow control is not an error: EOF (this L1 block is exhausted, advance the origin) and NOT_ENOUGH_DATA (progress
// was made, call again at once) are preallocated sentinels returned by the pull methods, so no stack is captured on
// the hot path.

export type PipelineErrorKind = 'temporary' | 'reset' | 'critical'

export class PipelineError<Code extends string = string> extends NodeError<Code> {
  readonly kind: PipelineErrorKind

  constructor(
    kind: PipelineErrorKind,
    code: Code,
    message: string,
    meta: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, meta, options)
    this.kind = kind
  }

  static temp<C extends string>(code: C, message: string, meta?: Record<string, unknown>, cause?: unknown) {
    return new PipelineError('temporary', code, message, meta, cause === undefined ? undefined : { cause })
  }

  static reset<C extends string>(code: C, message: string, meta?: Record<string, unknown>, cause?: unknown) {
    return new PipelineError('reset', code, message, meta, cause === undefined ? undefined : { cause })
  }

  static crit<C extends string>(code: C, message: string, meta?: Record<string, unknown>, cause?: unknown) {
    return new PipelineError('critical', code, message, meta, cause === undefined ? undefined : { cause })
  }

  override toObject(): Record<string, unknown> {
    return { kind: this.kind, ...super.toObject() }
  }
}

export function isPipelineError(e: unknown): e is PipelineError {
  return e instanceof PipelineError
}

export function isTemporary(e: unknown): e is PipelineError {
  return e instanceof PipelineError && e.kind === 'temporary'
}

export function isReset(e: unknown): e is PipelineError {
  return e instanceof PipelineError && e.kind === 'reset'
}

export function isCritical(e: unknown): e is PipelineError {
  return e instanceof PipelineError && e.kind === 'critical'
}

/** The stage's current L1 block has no more data: the pipeline advances the origin (op-node io.EOF). */
export const EOF: unique symbol = Symbol('derivation.EOF')
/** The stage made progress but has nothing to return yet: call it again at once (op-node NotEnoughData). */
export const NOT_ENOUGH_DATA: unique symbol = Symbol('derivation.NOT_ENOUGH_DATA')

export type Eof = typeof EOF
export type NotEnoughData = typeof NOT_ENOUGH_DATA
/** What a pull method may return instead of a value. */
export type Flow = Eof | NotEnoughData

export function isFlow(v: unknown): v is Flow {
  return v === EOF || v === NOT_ENOUGH_DATA
}
