import { describe, expect, it } from 'vitest'
import type { Hash } from '../../../config/types.ts'
import type { PayloadAttributes } from '../../../derivation/attributes/attributesBuilder.ts'
import { attributesMismatch } from '../../../derivation/driver/attributesMatch.ts'
import type { L2BlockForMatch } from '../../../derivation/driver/l2Engine.ts'

// Consolidation's AttributesMatchBlock: every compared field, one at a time.

const PARENT: Hash = `0x${'11'.repeat(32)}`
const fill = (n: number, b: number) => new Uint8Array(n).fill(b)

function attrs(): PayloadAttributes {
  return {
    timestamp: 1002n,
    prevRandao: fill(32, 2),
    suggestedFeeRecipient: fill(20, 3),
    withdrawals: [],
    parentBeaconBlockRoot: fill(32, 4),
    transactions: [Uint8Array.of(0x7e, 1), Uint8Array.of(2, 5)],
    noTxPool: true,
    gasLimit: 30_000_000n,
  }
}

function block(): L2BlockForMatch {
  return {
    ref: {
      hash: `0x${'22'.repeat(32)}`,
      number: 1,
      parentHash: PARENT,
      timestamp: 1002,
      l1origin: { hash: `0x${'33'.repeat(32)}`, number: 0 },
      sequenceNumber: 1,
    },
    prevRandao: fill(32, 2),
    feeRecipient: fill(20, 3),
    gasLimit: 30_000_000n,
    transactions: [Uint8Array.of(0x7e, 1), Uint8Array.of(2, 5)],
    hasWithdrawals: true,
    parentBeaconBlockRoot: fill(32, 4),
  }
}

describe('attributesMismatch', () => {
  it('matches a block built from the same attributes', () => {
    expect(attributesMismatch(attrs(), PARENT, block())).toBeNull()
  })

  const cases: [string, (a: PayloadAttributes, b: L2BlockForMatch) => void, RegExp][] = [
    ['parent hash', (_a, b) => (b.ref.parentHash = `0x${'99'.repeat(32)}`), /parent hash/],
    ['timestamp', (a) => (a.timestamp = 1004n), /timestamp/],
    ['prevRandao', (_a, b) => (b.prevRandao = fill(32, 9)), /random/],
    ['tx count', (a) => a.transactions.push(Uint8Array.of(2, 6)), /transaction count/],
    ['tx bytes', (a) => (a.transactions[1] = Uint8Array.of(2, 6)), /transaction 1/],
    ['gas limit', (a) => (a.gasLimit = 1n), /gas limit/],
    ['withdrawals', (a) => delete a.withdrawals, /withdrawals/],
    ['beacon root', (_a, b) => (b.parentBeaconBlockRoot = fill(32, 8)), /beacon/],
    ['beacon root absent', (_a, b) => (b.parentBeaconBlockRoot = undefined), /beacon/],
    ['fee recipient', (_a, b) => (b.feeRecipient = fill(20, 7)), /fee recipient/],
  ]
  for (const [name, mutate, msg] of cases) {
    it(`reports a different ${name}`, () => {
      const a = attrs()
      const b = block()
      mutate(a, b)
      expect(attributesMismatch(a, PARENT, b)).toMatch(msg)
    })
  }
})
