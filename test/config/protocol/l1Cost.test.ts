import { calculateL1Fee, calculateL1GasUsed, calldataCost, zeroesAndOnes } from '@eth-optimism/core-utils'
import { describe, expect, it } from 'vitest'
import { bytesToHex, hexToBytes, uintToBytes } from '../../../config/bytes.ts'
import {
  bedrockL1Cost,
  ecotoneL1Cost,
  fjordEstimatedSizeScaled,
  fjordL1Cost,
  gpoGetL1FeeBedrock,
  gpoGetL1FeeEcotone,
  gpoGetL1FeeFjord,
  gpoGetL1FeeUpperBound,
  gpoGetL1GasUsedBedrock,
  gpoGetL1GasUsedEcotone,
  gpoGetL1GasUsedFjord,
  type L1CostParams,
  l1CostFormula,
  l1CostParamsFromL1BlockSlots,
  rollupCostData,
  selectL1CostFunction,
} from '../../../config/protocol/l1Cost.ts'
import { fixtureJson, rng } from '../../helpers/random.ts'

interface FeeFixture {
  flz_compress_len: { input_hex: string | null; expected_len: number }[]
  l1_cost_functions: {
    tx_zero_bytes: number
    tx_nonzero_bytes: number
    fastlz_len: number
    params: Record<
      'l1BaseFee' | 'overhead' | 'scalar' | 'l1BlobBaseFee' | 'baseFeeScalar' | 'blobBaseFeeScalar',
      number
    >
    expected: Record<'bedrock' | 'regolith' | 'ecotone' | 'fjord', { fee: number; l1GasUsed: number }>
  }
  gas_price_oracle: {
    l1_block_values: Record<'l1BaseFee' | 'l1BlobBaseFee' | 'baseFeeScalar' | 'blobBaseFeeScalar', number> & {
      l1FeeOverhead_legacy: number
      l1FeeScalar_legacy: number
    }
    cases: {
      fork: 'ecotone' | 'fjord'
      data: string
      getL1GasUsed: number
      getL1Fee: number
      getL1FeeUpperBound_of_len?: { len: number; result: number }
    }[]
  }
}

const fx = fixtureJson<FeeFixture>('fees/fastlz_l1cost_vectors.json')
const EMPTY_TX = hexToBytes(fx.flz_compress_len.find((v) => v.expected_len === 31)!.input_hex!)
const lc = fx.l1_cost_functions
const P: L1CostParams = {
  l1BaseFee: BigInt(lc.params.l1BaseFee),
  overhead: BigInt(lc.params.overhead),
  scalar: BigInt(lc.params.scalar),
  l1BlobBaseFee: BigInt(lc.params.l1BlobBaseFee),
  baseFeeScalar: BigInt(lc.params.baseFeeScalar),
  blobBaseFeeScalar: BigInt(lc.params.blobBaseFeeScalar),
}
const gv = fx.gas_price_oracle.l1_block_values
const GPO: L1CostParams = {
  l1BaseFee: BigInt(gv.l1BaseFee),
  l1BlobBaseFee: BigInt(gv.l1BlobBaseFee),
  baseFeeScalar: BigInt(gv.baseFeeScalar),
  blobBaseFeeScalar: BigInt(gv.blobBaseFeeScalar),
  overhead: BigInt(gv.l1FeeOverhead_legacy),
  scalar: BigInt(gv.l1FeeScalar_legacy),
}

/** L1Block slot 3 word: baseFeeScalar at bytes 16..20, blobBaseFeeScalar at 20..24, sequenceNumber at 24..32. */
function slot3(baseFeeScalar: bigint, blobBaseFeeScalar: bigint, sequenceNumber: bigint): Uint8Array {
  const w = new Uint8Array(32)
  w.set(uintToBytes(baseFeeScalar, 4), 16)
  w.set(uintToBytes(blobBaseFeeScalar, 4), 20)
  w.set(uintToBytes(sequenceNumber, 8), 24)
  return w
}

describe('L1 data fee (op-geth rollup_cost_test.go emptyTx)', () => {
  const cd = rollupCostData(EMPTY_TX)

  it('summarises the tx: zero/non-zero bytes and FastLZ length', () => {
    expect(cd).toEqual({ zeroes: lc.tx_zero_bytes, ones: lc.tx_nonzero_bytes, fastLzSize: lc.fastlz_len })
  })

  it('Bedrock (pre-Regolith: +68 bytes)', () => {
    const e = lc.expected.bedrock
    expect(bedrockL1Cost(cd, P, false)).toEqual({ fee: BigInt(e.fee), l1GasUsed: BigInt(e.l1GasUsed) })
  })
  it('Regolith … Delta', () => {
    const e = lc.expected.regolith
    expect(bedrockL1Cost(cd, P, true)).toEqual({ fee: BigInt(e.fee), l1GasUsed: BigInt(e.l1GasUsed) })
  })
  it('Ecotone', () => {
    const e = lc.expected.ecotone
    expect(ecotoneL1Cost(cd, P)).toEqual({ fee: BigInt(e.fee), l1GasUsed: BigInt(e.l1GasUsed) })
  })
  it('Fjord: fee 3,203,000 with minTransactionSize 100 (not the obsolete 2,274,130); l1GasUsed 1600', () => {
    expect(BigInt(lc.expected.fjord.fee)).toBe(3_203_000n)
    const r = fjordL1Cost(cd, P)
    expect(r.fee).toBe(3_203_000n)
    expect(r.fee).not.toBe(2_274_130n)
    // released op-geth: estimatedSize*16/1e6 = 100e6*16/1e6 (the fixture's 480 is from an older op-geth)
    expect(r.l1GasUsed).toBe(1600n)
  })

  it('Fjord estimate: minimum 100e6, then -42,585,600 + 836,500·size', () => {
    expect(fjordEstimatedSizeScaled(0)).toBe(100_000_000n)
    expect(fjordEstimatedSizeScaled(170)).toBe(100_000_000n) // 99,619,400 < 100e6
    expect(fjordEstimatedSizeScaled(171)).toBe(100_455_900n)
    expect(fjordEstimatedSizeScaled(1000)).toBe(793_914_400n)
  })

  it('selectL1CostFunction applies the formula of the active fork', () => {
    const s = selectL1CostFunction
    expect(s(P, false, false, false)(cd)).toEqual(bedrockL1Cost(cd, P, false))
    expect(s(P, false, false, true)(cd)).toEqual(bedrockL1Cost(cd, P, true))
    expect(s(P, false, true, true)(cd)).toEqual(ecotoneL1Cost(cd, P))
    expect(s(P, true, true, true)(cd)).toEqual(fjordL1Cost(cd, P))
    expect(s(P, true, true, true)(cd).fee).toBe(3_203_000n)
  })
})

describe('L1Block storage slots and the first-Ecotone-block rule', () => {
  it('reads basefee (1), scalars at bytes 16..20 / 20..24 of slot 3, overhead (5), scalar (6), blobBaseFee (7)', () => {
    const p = l1CostParamsFromL1BlockSlots(
      uintToBytes(1_000_000_000n, 32),
      slot3(1368n, 810_949n, 5n),
      hexToBytes('0xbc'), // trimmed storage value
      684_000n,
      1n,
    )
    expect(p).toEqual({
      l1BaseFee: 1_000_000_000n,
      baseFeeScalar: 1368n,
      blobBaseFeeScalar: 810_949n,
      overhead: 188n,
      scalar: 684_000n,
      l1BlobBaseFee: 1n,
    })
    // a trimmed slot-3 value (no leading zero bytes) reads the same
    const trimmed = slot3(7n, 9n, 1n).subarray(16)
    expect(l1CostParamsFromL1BlockSlots(0n, trimmed, 0n, 0n, 0n)).toMatchObject({
      baseFeeScalar: 7n,
      blobBaseFeeScalar: 9n,
    })
  })

  it('Ecotone activation block (slot 7 = 0 and both scalars 0) uses the Regolith formula, even under Fjord', () => {
    // the sequence number shares slot 3 and must not count as a scalar
    const p = l1CostParamsFromL1BlockSlots(1_000_000_000n, slot3(0n, 0n, 3n), 50n, 7_000_000n, 0n)
    expect(l1CostFormula(p, false, true, true)).toBe('regolith')
    expect(l1CostFormula(p, true, true, true)).toBe('regolith')
    const cd = rollupCostData(EMPTY_TX)
    expect(selectL1CostFunction(p, true, true, true)(cd)).toEqual({
      fee: BigInt(lc.expected.regolith.fee),
      l1GasUsed: BigInt(lc.expected.regolith.l1GasUsed),
    })
  })

  it('any non-zero Ecotone value means the Ecotone/Fjord formula', () => {
    const withBlob = l1CostParamsFromL1BlockSlots(1n, slot3(0n, 0n, 0n), 0n, 0n, 1n)
    const withBase = l1CostParamsFromL1BlockSlots(1n, slot3(1n, 0n, 0n), 0n, 0n, 0n)
    const withBlobScalar = l1CostParamsFromL1BlockSlots(1n, slot3(0n, 1n, 0n), 0n, 0n, 0n)
    for (const p of [withBlob, withBase, withBlobScalar]) {
      expect(l1CostFormula(p, false, true, true)).toBe('ecotone')
      expect(l1CostFormula(p, true, true, true)).toBe('fjord')
    }
    // before Ecotone the slots do not matter
    expect(l1CostFormula(withBlob, false, false, false)).toBe('bedrock')
    expect(l1CostFormula(withBlob, false, false, true)).toBe('regolith')
  })
})

describe('GasPriceOracle view equivalents (GasPriceOracle.t.sol)', () => {
  for (const c of fx.gas_price_oracle.cases) {
    it(`${c.fork} ${c.data.slice(0, 14)}… (${(c.data.length - 2) / 2} bytes)`, () => {
      const data = hexToBytes(c.data)
      if (c.fork === 'ecotone') {
        expect(gpoGetL1GasUsedEcotone(data)).toBe(BigInt(c.getL1GasUsed))
        expect(gpoGetL1FeeEcotone(data, GPO)).toBe(BigInt(c.getL1Fee))
      } else {
        expect(gpoGetL1GasUsedFjord(data)).toBe(BigInt(c.getL1GasUsed))
        expect(gpoGetL1FeeFjord(data, GPO)).toBe(BigInt(c.getL1Fee))
        const ub = c.getL1FeeUpperBound_of_len!
        expect(ub.len).toBe(data.length)
        expect(gpoGetL1FeeUpperBound(ub.len, GPO)).toBe(BigInt(ub.result))
        expect(gpoGetL1FeeUpperBound(ub.len, GPO)).toBeGreaterThanOrEqual(gpoGetL1FeeFjord(data, GPO))
      }
    })
  }

  it('the +68 bytes: GPO Ecotone gas equals the engine formula on data plus 68 non-zero bytes', () => {
    const data = hexToBytes('0x0000010203')
    const padded = new Uint8Array([...data, ...new Uint8Array(68).fill(1)])
    expect(gpoGetL1GasUsedEcotone(data)).toBe(ecotoneL1Cost(rollupCostData(padded), GPO).l1GasUsed)
  })

  it('Bedrock-mode views agree with @eth-optimism/core-utils on random data', () => {
    const r = rng(12)
    for (let i = 0; i < 200; i++) {
      const data = r.bytes(r.int(400))
      for (let k = 0; k < data.length; k++) if (r.int(3) === 0) data[k] = 0
      // core-utils takes JS numbers here; keep them below 2^53
      const overheadN = r.int(5000)
      const l1BaseFeeN = r.u32() * 1024 + r.int(1024)
      const scalarN = r.int(10_000_000)
      const p = { l1BaseFee: BigInt(l1BaseFeeN), overhead: BigInt(overheadN), scalar: BigInt(scalarN) }
      const hex = bytesToHex(data)
      expect(gpoGetL1GasUsedBedrock(data, p)).toBe(BigInt(calculateL1GasUsed(hex, overheadN).toString()))
      const coreFee = calculateL1Fee(hex, overheadN, l1BaseFeeN, scalarN, 6)
      expect(gpoGetL1FeeBedrock(data, p)).toBe(BigInt(coreFee.toString()))
      // engine Bedrock on a signed tx == GPO Bedrock on the same bytes (both add 68 bytes pre-Regolith)
      expect(bedrockL1Cost(rollupCostData(data), p, false).fee).toBe(BigInt(coreFee.toString()))
      const [zeroes, ones] = zeroesAndOnes(hex)
      expect(rollupCostData(data)).toMatchObject({ zeroes, ones })
      expect(ecotoneL1Cost(rollupCostData(data), { ...GPO }).l1GasUsed).toBe(BigInt(calldataCost(hex).toString()))
    }
  })
})
