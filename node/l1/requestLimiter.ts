// Bounds outgoing requests: at most `maxConcurrent` in flight, and starts spaced so that no more than
// `requestsPerSecond` begin in any second (a provider's rate limit answers 429 past it).

export interface RequestLimiterOptions {
  maxConcurrent: number
  /** `Infinity` for no rate limit. */
  requestsPerSecond: number
}

export class RequestLimiter {
  private active = 0
  private readonly waiting: (() => void)[] = []
  private nextStartAt = 0
  private readonly spacingMs: number

  constructor(private readonly opts: RequestLimiterOptions) {
    if (!(opts.maxConcurrent >= 1)) throw new RangeError('maxConcurrent must be >= 1')
    if (!(opts.requestsPerSecond > 0)) throw new RangeError('requestsPerSecond must be > 0')
    this.spacingMs = Number.isFinite(opts.requestsPerSecond) ? 1000 / opts.requestsPerSecond : 0
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire()
    try {
      await this.pace()
      return await fn()
    } finally {
      this.release()
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.opts.maxConcurrent) {
      this.active++
      return Promise.resolve()
    }
    // The slot is handed over by release(), so `active` stays counted.
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  private release(): void {
    const next = this.waiting.shift()
    if (next) next()
    else this.active--
  }

  private async pace(): Promise<void> {
    if (this.spacingMs === 0) return
    const now = Date.now()
    const startAt = Math.max(now, this.nextStartAt)
    this.nextStartAt = startAt + this.spacingMs
    if (startAt > now) await new Promise((r) => setTimeout(r, startAt - now))
  }
}
