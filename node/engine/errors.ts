import { NodeError } from '../../config/errors.ts'

/** A transaction that cannot be included in a block (nonce, balance, gas, signature, type...). */
export class InvalidTransactionError extends NodeError<'TX_INVALID'> {
  constructor(
    readonly reason: string,
    meta: Record<string, unknown> = {},
  ) {
    super('TX_INVALID', reason, meta)
  }
}

/** A payload that fails validation (wrong roots, bad tx, bad parent...). */
export class InvalidPayloadError extends NodeError<'PAYLOAD_INVALID'> {
  constructor(reason: string, meta: Record<string, unknown> = {}) {
    super('PAYLOAD_INVALID', reason, meta)
  }
}

/** The engine cannot proceed (missing parent state, database failure): not the payload's fault. */
export class EngineError extends NodeError<'ENGINE_ERROR'> {
  constructor(reason: string, meta: Record<string, unknown> = {}, cause?: unknown) {
    super('ENGINE_ERROR', reason, meta, { cause })
  }
}
