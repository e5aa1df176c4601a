import { describe, expect, it } from 'vitest'
import { bytesToHex, hexToBytes } from '../../../config/bytes.ts'
import {
  calcBaseFee,
  decodeEip1559Params,
  decodeHoloceneExtraData,
  Eip1559Error,
  eip1559ParamsForChild,
  encodeEip1559Params,
  encodeHoloceneExtraData,
  holoceneExtraDataFromAttributes,
  nextBaseFee,
  type OpEip1559Config,
  validateEip1559Params,
  validateHoloceneExtraData,
} from '../../../config/protocol/eip1559.ts'
import { rng } from '../../helpers/random.ts'

const OP: OpEip1559Config = { elasticity: 6n, denominator: 50n, denominatorCanyon: 250n }
const INITIAL_BASE_FEE = 1_000_000_000n

function expectCode(fn: () => unknown, code: string) {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(Eip1559Error)
    expect((err as Eip1559Error).code).toBe(code)
    return
  }
  throw new Error(`expected ${code}, nothing thrown`)
}

const parent = (
  gasLimit: bigint,
  gasUsed: bigint,
  baseFeePerGas = INITIAL_BASE_FEE,
  extraData: Uint8Array = new Uint8Array(0),
) => ({
  gasLimit,
  gasUsed,
  baseFeePerGas,
  extraData,
})

describe('EIP-1559 base fee with OP parameters', () => {
  it('go-ethereum TestCalcBaseFee (elasticity 2, denominator 8)', () => {
    const p = { elasticity: 2n, denominator: 8n }
    expect(calcBaseFee(parent(20_000_000n, 10_000_000n), p)).toBe(INITIAL_BASE_FEE) // == target
    expect(calcBaseFee(parent(20_000_000n, 9_000_000n), p)).toBe(987_500_000n) // below
    expect(calcBaseFee(parent(20_000_000n, 11_000_000n), p)).toBe(1_012_500_000n) // above
  })

  it('op-geth TestCalcBaseFeeOptimism: pre-Canyon denominator 50, Canyon 250, elasticity 6', () => {
    const cases: [bigint, boolean, bigint][] = [
      [5_000_000n, false, INITIAL_BASE_FEE],
      [4_000_000n, false, 996_000_000n],
      [10_000_000n, false, 1_020_000_000n],
      [5_000_000n, true, INITIAL_BASE_FEE],
      [4_000_000n, true, 999_200_000n],
      [10_000_000n, true, 1_004_000_000n],
    ]
    for (const [used, canyon, want] of cases) {
      expect(nextBaseFee(OP, parent(30_000_000n, used), false, canyon)).toBe(want)
    }
  })

  it('integer rounding: target = gasLimit / elasticity (floored); increase at least 1; never below 0', () => {
    // gasLimit 30,000,005 / 6 = 5,000,000 (floored), so 5,000,000 used is exactly the target
    expect(nextBaseFee(OP, parent(30_000_005n, 5_000_000n), false, true)).toBe(INITIAL_BASE_FEE)
    // above target by 1 gas with a tiny base fee: delta rounds to 0, raised to 1
    expect(nextBaseFee(OP, parent(30_000_000n, 5_000_001n, 7n), false, true)).toBe(8n)
    // below target: delta rounds down, an empty block on base fee 1 stays at 1 (1*5M/5M/250 = 0)
    expect(nextBaseFee(OP, parent(30_000_000n, 0n, 1n), false, true)).toBe(1n)
    expect(nextBaseFee(OP, parent(30_000_000n, 0n, 250n), false, true)).toBe(249n)
    // empty block with denominator 1 and elasticity 1: drops to exactly 0
    expect(calcBaseFee(parent(10n, 0n, 100n), { elasticity: 1n, denominator: 1n })).toBe(0n)
    // a full block at elasticity 6: +5/denominator
    expect(nextBaseFee(OP, parent(30_000_000n, 30_000_000n), false, true)).toBe(1_020_000_000n)
  })

  it('bounded change on random parents: rises iff above target, at most baseFee*(used-target)/target/den (min 1)', () => {
    const r = rng(31)
    for (let i = 0; i < 2000; i++) {
      const gasLimit = BigInt(6 + r.int(60_000_000))
      const gasUsed = BigInt(r.int(Number(gasLimit) + 1))
      const baseFee = r.bigint(80)
      const p = { elasticity: BigInt(1 + r.int(20)), denominator: BigInt(1 + r.int(300)) }
      const target = gasLimit / p.elasticity
      if (target === 0n && gasUsed !== 0n) continue
      const next = calcBaseFee({ gasLimit, gasUsed, baseFeePerGas: baseFee }, p)
      if (gasUsed === target) expect(next).toBe(baseFee)
      else if (gasUsed > target) {
        const bound = (baseFee * (gasUsed - target)) / target / p.denominator
        expect(next - baseFee).toBe(bound > 1n ? bound : 1n)
      } else {
        expect(next).toBeLessThanOrEqual(baseFee)
        expect(next).toBeGreaterThanOrEqual(0n)
        expect(baseFee - next).toBe((baseFee * (target - gasUsed)) / target / p.denominator)
      }
    }
  })

  it('rejects zero params and a zero gas target with gas used', () => {
    expectCode(() => calcBaseFee(parent(30_000_000n, 1n), { elasticity: 0n, denominator: 50n }), 'EIP1559_ZERO_PARAM')
    expectCode(() => calcBaseFee(parent(30_000_000n, 1n), { elasticity: 6n, denominator: 0n }), 'EIP1559_ZERO_PARAM')
    expectCode(() => calcBaseFee(parent(5n, 1n), { elasticity: 6n, denominator: 50n }), 'EIP1559_ZERO_GAS_TARGET')
    expect(calcBaseFee(parent(5n, 0n), { elasticity: 6n, denominator: 50n })).toBe(INITIAL_BASE_FEE)
  })
})

describe('Holocene eip1559Params and extraData', () => {
  it('extraData = 0x00 ++ be32(denominator) ++ be32(elasticity)', () => {
    expect(bytesToHex(encodeHoloceneExtraData({ denominator: 250n, elasticity: 6n }))).toBe('0x00000000fa00000006')
    // kona test_constructs_ecotone_system_config: extraData 0x000000beef0000babe → denominator 0xbeef, elasticity 0xbabe
    expect(decodeHoloceneExtraData(hexToBytes('0x000000beef0000babe'))).toEqual({
      denominator: 0xbeefn,
      elasticity: 0xbaben,
    })
    expect(bytesToHex(encodeEip1559Params({ denominator: 0xbeefn, elasticity: 0xbaben }))).toBe('0x0000beef0000babe')
    expect(decodeEip1559Params(hexToBytes('0xffffffff00000001'))).toEqual({ denominator: 0xffff_ffffn, elasticity: 1n })
  })

  it('strict extraData: 9 bytes, version 0; header validation also needs non-zero params', () => {
    expectCode(() => decodeHoloceneExtraData(new Uint8Array(8)), 'EIP1559_EXTRA_DATA_LENGTH')
    expectCode(() => decodeHoloceneExtraData(new Uint8Array(10)), 'EIP1559_EXTRA_DATA_LENGTH')
    expectCode(() => decodeHoloceneExtraData(hexToBytes('0x01000000fa00000006')), 'EIP1559_EXTRA_DATA_VERSION')
    expectCode(() => validateHoloceneExtraData(hexToBytes('0x000000000000000006')), 'EIP1559_ZERO_PARAM')
    expectCode(() => validateHoloceneExtraData(hexToBytes('0x00000000fa00000000')), 'EIP1559_ZERO_PARAM')
    expect(validateHoloceneExtraData(hexToBytes('0x00000000fa00000006'))).toEqual({ denominator: 250n, elasticity: 6n })
    expectCode(() => encodeEip1559Params({ denominator: 1n << 32n, elasticity: 1n }), 'EIP1559_PARAM_RANGE')
    expectCode(() => decodeEip1559Params(new Uint8Array(9)), 'EIP1559_PARAMS_LENGTH')
  })

  it('attributes params: all-zero means the Canyon constants; denominator 0 with elasticity ≠ 0 is invalid', () => {
    expect(bytesToHex(holoceneExtraDataFromAttributes(new Uint8Array(8), OP))).toBe('0x00000000fa00000006')
    expect(bytesToHex(holoceneExtraDataFromAttributes(hexToBytes('0x0000000a00000002'), OP))).toBe(
      '0x000000000a00000002',
    )
    expectCode(() => validateEip1559Params(hexToBytes('0x0000000000000002')), 'EIP1559_ZERO_PARAM')
    expect(validateEip1559Params(hexToBytes('0x0000000a00000000'))).toEqual({ denominator: 10n, elasticity: 0n })
  })

  it("a Holocene parent's extraData drives the child's base fee", () => {
    const extra = encodeHoloceneExtraData({ denominator: 10n, elasticity: 2n })
    // target 15M, used 25M: 1e9 + 1e9*10M/15M/10
    expect(nextBaseFee(OP, parent(30_000_000n, 25_000_000n, INITIAL_BASE_FEE, extra), true, true)).toBe(1_066_666_666n)
    // the same parent read as pre-Holocene ignores extraData and uses the Canyon constants
    expect(nextBaseFee(OP, parent(30_000_000n, 25_000_000n, INITIAL_BASE_FEE, extra), false, true)).toBe(
      1_016_000_000n, // target 5M: 1e9 + 1e9*20M/5M/250
    )
    // all-zero params in a Holocene parent mean the Canyon constants
    const zero = new Uint8Array(9)
    expect(nextBaseFee(OP, parent(30_000_000n, 10_000_000n, INITIAL_BASE_FEE, zero), true, true)).toBe(1_004_000_000n)
    expect(eip1559ParamsForChild(OP, zero, true, true)).toEqual({ denominator: 250n, elasticity: 6n })
    // malformed parent extraData is an error, not a silent default
    expectCode(
      () => nextBaseFee(OP, parent(30_000_000n, 1n, 1n, new Uint8Array(0)), true, true),
      'EIP1559_EXTRA_DATA_LENGTH',
    )
    expectCode(() => eip1559ParamsForChild(OP, hexToBytes('0x000000000a00000000'), true, true), 'EIP1559_ZERO_PARAM')
  })

  it('pre-Holocene: Canyon switches the denominator by the child block', () => {
    expect(eip1559ParamsForChild(OP, new Uint8Array(32), false, false)).toEqual({ denominator: 50n, elasticity: 6n })
    expect(eip1559ParamsForChild(OP, new Uint8Array(32), false, true)).toEqual({ denominator: 250n, elasticity: 6n })
  })
})
