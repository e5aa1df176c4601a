import { BaseError, HttpRequestError, TimeoutError } from 'viem'

// Which L1 RPC failures are worth retrying, and the retry loop (exponential backoff with full jitter).

export interface RetryOptions {
  /** Total attempts including the first; 1 disables retries. */
  attempts: number
  baseDelayMs: number
  maxDelayMs: number
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 5, baseDelayMs: 100, maxDelayMs: 5_000 }

/** JSON-RPC error codes providers use for overload: -32005 limit exceeded, -32603 internal error. */
const TRANSIENT_RPC_CODES = new Set([-32005, -32603])

function walk(err: unknown, pred: (e: unknown) => boolean): boolean {
  if (err instanceof BaseError) return err.walk(pred) !== null
  let e: unknown = err
  for (let depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    if (pred(e)) return true
    e = (e as { cause?: unknown }).cause
  }
  return false
}

/** Timeouts, connection failures, HTTP 408/429/5xx and provider overload codes. */
export function isTransientRpcError(err: unknown): boolean {
  return walk(err, (e) => {
    if (e instanceof TimeoutError) return true
    if (e instanceof HttpRequestError) {
      // No status: the request never got an HTTP answer (connection refused/reset, DNS).
      const s = e.status
      return s === undefined || s === 408 || s === 429 || s >= 500
    }
    const code = (e as { code?: unknown }).code
    if (typeof code === 'number' && TRANSIENT_RPC_CODES.has(code)) return true
    return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'ETIMEDOUT'
  })
}

/** The server does not implement the method (JSON-RPC -32601, or a provider's wording of it). */
export function isMethodNotFound(err: unknown): boolean {
  return walk(err, (e) => {
    if ((e as { code?: unknown }).code === -32601) return true
    const msg = e instanceof Error ? e.message : ''
    return /method not found|not supported|does not exist\/is not available|unknown method/i.test(msg)
  })
}

export function backoffDelayMs(attempt: number, opts: RetryOptions): number {
  const cap = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** attempt)
  return Math.floor(cap / 2 + (Math.random() * cap) / 2)
}

/** Calls `fn` until it succeeds, a failure is not transient, or the attempts are used up; throws the last error. */
export async function withRetry<T>(
  fn: () => Promise<T>,
  opts: RetryOptions,
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void,
  isTransient: (err: unknown) => boolean = isTransientRpcError,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn()
    } catch (err) {
      if (attempt + 1 >= opts.attempts || !isTransient(err)) throw err
      const delay = backoffDelayMs(attempt, opts)
      onRetry?.(err, attempt + 1, delay)
      await new Promise((r) => setTimeout(r, delay))
    }
  }
}
