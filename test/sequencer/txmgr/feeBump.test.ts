import { describe, expect, it } from 'vitest'
import { bumpFees, initialFees } from '../../../sequencer/txmgr/feeBump.ts'

describe('fee bump', () => {
  it('starts at base fee * 2 + tip, blob fee cap at twice the blob base fee', () => {
    expect(initialFees(10n, 3n)).toEqual({ tip: 3n, feeCap: 23n })
    expect(initialFees(10n, 3n, 5n)).toEqual({ tip: 3n, feeCap: 23n, blobFeeCap: 10n })
    expect(initialFees(10n, 3n, 0n).blobFeeCap).toBe(1n)
  })

  it('bumps tip and fee cap by at least 10% (rounded up) and the blob fee cap by 100%', () => {
    const prev = { tip: 1_000_000_000n, feeCap: 21_000_000_001n, blobFeeCap: 7n }
    const same = { tip: 1n, feeCap: 1n, blobFeeCap: 1n }
    const next = bumpFees(prev, same)
    expect(next.tip).toBe(1_100_000_000n)
    expect(next.feeCap).toBe(23_100_000_002n)
    expect(next.blobFeeCap).toBe(14n)
    // tiny values still grow
    expect(bumpFees({ tip: 1n, feeCap: 1n }, { tip: 0n, feeCap: 0n })).toEqual({ tip: 2n, feeCap: 2n })
  })

  it('follows the market when it rose more than the bump, and never lets the fee cap fall below the tip', () => {
    const next = bumpFees({ tip: 10n, feeCap: 30n }, { tip: 50n, feeCap: 40n })
    expect(next).toEqual({ tip: 50n, feeCap: 50n })
    expect(
      bumpFees({ tip: 10n, feeCap: 30n, blobFeeCap: 4n }, { tip: 1n, feeCap: 1n, blobFeeCap: 100n }).blobFeeCap,
    ).toBe(100n)
  })
})
