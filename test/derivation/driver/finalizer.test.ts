import { describe, expect, it } from 'vitest'
import type { L1BlockRef, L2BlockRef } from '../../../config/types.ts'
import { Finalizer } from '../../../derivation/driver/finalizer.ts'

const h = (tag: string, n: number) => `0x${tag.repeat(2)}${n.toString(16).padStart(62, '0')}` as `0x${string}`
const l1 = (n: number): L1BlockRef => ({ hash: h('a', n), number: n, parentHash: h('a', n - 1), timestamp: n * 12 })
const l2 = (n: number, origin: number): L2BlockRef => ({
  hash: h('b', n),
  number: n,
  parentHash: h('b', n - 1),
  timestamp: n * 2,
  l1origin: { hash: h('a', origin), number: origin },
  sequenceNumber: 0,
})

describe('Finalizer', () => {
  it('finalizes the highest L2 block derived from L1 data at or before the finalized L1 block', () => {
    const f = new Finalizer()
    f.onDerived(l2(1, 0), l1(3))
    f.onDerived(l2(2, 0), l1(3))
    f.onDerived(l2(3, 1), l1(5))
    expect(f.finalize(l1(2), 0)).toBeNull()
    expect(f.finalize(l1(4), 0)?.l2.number).toBe(2)
    expect(f.finalize(l1(9), 2)?.l2.number).toBe(3)
    expect(f.finalize(l1(10), 3)).toBeNull() // records were consumed
  })

  it('acts once per finalized L1 block and forgets records on reset', () => {
    const f = new Finalizer()
    f.onL1Finalized(l1(4))
    expect(f.pending()?.number).toBe(4)
    f.onDerived(l2(1, 0), l1(3))
    f.finalize(l1(4), 0)
    expect(f.pending()).toBeNull()
    expect(f.lastActedOn()?.number).toBe(4)
    f.onL1Finalized(l1(3)) // older: ignored
    expect(f.pending()).toBeNull()
    f.onDerived(l2(2, 0), l1(5))
    f.reset()
    expect(f.finalize(l1(6), 0)).toBeNull()
  })
})
