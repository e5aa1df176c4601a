import { describe, expect, it } from 'vitest'
import { LruCache } from '../../../node/l1/lruCache.ts'
import { RequestLimiter } from '../../../node/l1/requestLimiter.ts'
import { backoffDelayMs, withRetry } from '../../../node/l1/rpcRetry.ts'

describe('RequestLimiter', () => {
  it('never runs more than maxConcurrent at once and runs every task', async () => {
    const limiter = new RequestLimiter({ maxConcurrent: 3, requestsPerSecond: Number.POSITIVE_INFINITY })
    let inFlight = 0
    let peak = 0
    let finished = 0
    const gates: (() => void)[] = []
    const tasks = Array.from({ length: 10 }, (_, i) =>
      limiter.run(async () => {
        inFlight++
        peak = Math.max(peak, inFlight)
        await new Promise<void>((r) => gates.push(r))
        inFlight--
        finished++
        return i
      }),
    )
    // Release tasks one by one as they start; each release lets exactly one waiting task in.
    while (finished < 10) {
      await new Promise((r) => setImmediate(r))
      gates.shift()?.()
    }
    expect(await Promise.all(tasks)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(peak).toBe(3)
  })

  it('a failing task frees its slot', async () => {
    const limiter = new RequestLimiter({ maxConcurrent: 1, requestsPerSecond: 1000 })
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(await limiter.run(async () => 'next')).toBe('next')
  })

  it('rejects nonsensical limits', () => {
    expect(() => new RequestLimiter({ maxConcurrent: 0, requestsPerSecond: 1 })).toThrow(RangeError)
    expect(() => new RequestLimiter({ maxConcurrent: 1, requestsPerSecond: 0 })).toThrow(RangeError)
  })
})

describe('LruCache', () => {
  it('evicts the least recently used entry past capacity', () => {
    const c = new LruCache<string, number>(2)
    c.set('a', 1)
    c.set('b', 2)
    expect(c.get('a')).toBe(1) // a is now the most recent
    c.set('c', 3)
    expect(c.get('b')).toBeUndefined()
    expect(c.get('a')).toBe(1)
    expect(c.get('c')).toBe(3)
    expect(c.size).toBe(2)
  })
})

describe('withRetry', () => {
  it('stops at once on a non-transient error and retries transient ones up to the attempts', async () => {
    let calls = 0
    await expect(
      withRetry(
        async () => {
          calls++
          throw new Error('bad params')
        },
        { attempts: 5, baseDelayMs: 1, maxDelayMs: 1 },
      ),
    ).rejects.toThrow('bad params')
    expect(calls).toBe(1)
    calls = 0
    const transient = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })
    await expect(
      withRetry(
        async () => {
          calls++
          throw transient
        },
        { attempts: 4, baseDelayMs: 1, maxDelayMs: 1 },
      ),
    ).rejects.toBe(transient)
    expect(calls).toBe(4)
  })

  it('backoff grows exponentially up to the cap', () => {
    const opts = { attempts: 10, baseDelayMs: 100, maxDelayMs: 1000 }
    for (let i = 0; i < 50; i++) {
      expect(backoffDelayMs(0, opts)).toBeGreaterThanOrEqual(50)
      expect(backoffDelayMs(0, opts)).toBeLessThanOrEqual(100)
      expect(backoffDelayMs(2, opts)).toBeGreaterThanOrEqual(200)
      expect(backoffDelayMs(8, opts)).toBeLessThanOrEqual(1000)
    }
  })
})
