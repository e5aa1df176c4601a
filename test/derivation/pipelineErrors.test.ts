import { describe, expect, it } from 'vitest'
import { NodeError } from '../../config/errors.ts'
import {
  EOF,
  isCritical,
  isFlow,
  isPipelineError,
  isReset,
  isTemporary,
  NOT_ENOUGH_DATA,
  PipelineError,
} from '../../derivation/pipelineErrors.ts'

describe('PipelineError', () => {
  it('carries a kind, a code and metadata, and is a NodeError', () => {
    const cause = new Error('socket hang up')
    const e = PipelineError.temp('L1_FETCH_FAILED', 'fetching block failed', { number: 5 }, cause)
    expect(e).toBeInstanceOf(NodeError)
    expect(e.kind).toBe('temporary')
    expect(e.code).toBe('L1_FETCH_FAILED')
    expect(e.cause).toBe(cause)
    expect(e.toObject()).toEqual({
      kind: 'temporary',
      code: 'L1_FETCH_FAILED',
      message: 'fetching block failed',
      number: 5,
    })
    expect([isTemporary(e), isReset(e), isCritical(e), isPipelineError(e)]).toEqual([true, false, false, true])
    expect(isReset(PipelineError.reset('X', 'x'))).toBe(true)
    expect(isCritical(PipelineError.crit('X', 'x'))).toBe(true)
    expect(isTemporary(new Error('plain'))).toBe(false)
  })

  it('flow sentinels are preallocated, distinct and not errors', () => {
    expect(EOF).not.toBe(NOT_ENOUGH_DATA)
    expect(isFlow(EOF) && isFlow(NOT_ENOUGH_DATA)).toBe(true)
    expect(isFlow(new Uint8Array())).toBe(false)
    expect(isPipelineError(EOF)).toBe(false)
    expect(typeof EOF).toBe('symbol')
  })
})
