import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { flzCompressLen } from '../../../config/protocol/fastlz.ts'
import { forksAt } from '../../../node/engine/chainSpec.ts'
import {
  bedrockL1Cost,
  ecotoneL1Cost,
  fjordL1Cost,
  type L1FeeParams,
  selectL1CostFunction,
} from '../../../node/engine/l1Fee.ts'

// Vectors: op-geth core/types/rollup_cost_test.go and contracts-bedrock GasPriceOracle.t.sol, via
// shared/vectors/opstack/fees (see test/fixtures/opstack/README.md).
const v = JSON.parse(
  readFileSync(new URL('../../fixtures/opstack/fees/fastlz_l1cost_vectors.json', import.meta.url), 'utf8'),
)

function input(c: { input_hex: string | null; input_repeat?: { byte: string; count: number } }): Uint8Array {
  if (c.input_repeat) return new Uint8Array(c.input_repeat.count).fill(Number.parseInt(c.input_repeat.byte, 16))
  return Buffer.from(c.input_hex ?? '', 'hex')
}

describe('FastLZ length (op-geth FlzCompressLen)', () => {
  it('matches every upstream vector', () => {
    expect(v.flz_compress_len.length).toBeGreaterThanOrEqual(5)
    for (const c of v.flz_compress_len) expect(flzCompressLen(input(c))).toBe(c.expected_len)
  })
})

describe('L1 data fee per fork (op-geth rollup_cost_test.go)', () => {
  const c = v.l1_cost_functions
  const tx = Buffer.from(v.flz_compress_len[3].input_hex, 'hex')
  const p: L1FeeParams = {
    l1BaseFee: BigInt(c.params.l1BaseFee),
    l1BlobBaseFee: BigInt(c.params.l1BlobBaseFee),
    baseFeeScalar: BigInt(c.params.baseFeeScalar),
    blobBaseFeeScalar: BigInt(c.params.blobBaseFeeScalar),
    overhead: BigInt(c.params.overhead),
    scalar: BigInt(c.params.scalar),
  }
  it('bedrock and regolith', () => {
    expect(bedrockL1Cost(p, false)(tx)).toEqual({
      fee: BigInt(c.expected.bedrock.fee),
      gasUsed: BigInt(c.expected.bedrock.l1GasUsed),
    })
    expect(bedrockL1Cost(p, true)(tx)).toEqual({
      fee: BigInt(c.expected.regolith.fee),
      gasUsed: BigInt(c.expected.regolith.l1GasUsed),
    })
  })
  it('ecotone', () => {
    expect(ecotoneL1Cost(p)(tx)).toEqual({
      fee: BigInt(c.expected.ecotone.fee),
      gasUsed: BigInt(c.expected.ecotone.l1GasUsed),
    })
  })
  it('fjord uses minTransactionSize 100 (fee 3,203,000; l1GasUsed = estimatedSize*16/1e6 = 1600)', () => {
    expect(fjordL1Cost(p)(tx)).toEqual({ fee: BigInt(c.expected.fjord.fee), gasUsed: 1600n })
  })
  it('uses the Bedrock formula in the first Ecotone block (L1Block not yet upgraded)', () => {
    const spec = {
      chainId: 1n,
      regolithTime: 0n,
      canyonTime: 0n,
      ecotoneTime: 0n,
      fjordTime: 0n,
      eip1559Elasticity: 6n,
      eip1559Denominator: 50n,
      eip1559DenominatorCanyon: 250n,
    }
    const forks = forksAt(spec, 1n)
    const legacy = { ...p, l1BlobBaseFee: 0n, baseFeeScalar: 0n, blobBaseFeeScalar: 0n }
    expect(selectL1CostFunction(legacy, forks)(tx)).toEqual(bedrockL1Cost(legacy, true)(tx))
    expect(selectL1CostFunction(p, forks)(tx)).toEqual(fjordL1Cost(p)(tx))
  })
  it('agrees with the GasPriceOracle Fjord view values (unsigned tx + 68 bytes)', () => {
    const g = v.gas_price_oracle
    const q: L1FeeParams = {
      l1BaseFee: BigInt(g.l1_block_values.l1BaseFee),
      l1BlobBaseFee: BigInt(g.l1_block_values.l1BlobBaseFee),
      baseFeeScalar: BigInt(g.l1_block_values.baseFeeScalar),
      blobBaseFeeScalar: BigInt(g.l1_block_values.blobBaseFeeScalar),
      overhead: 0n,
      scalar: 0n,
    }
    for (const k of g.cases.filter((x: { fork: string }) => x.fork === 'fjord')) {
      const data = Buffer.from(k.data.slice(2), 'hex')
      // GasPriceOracle: fastlz(len(flz(data)) + 68) — compress the data, then add the signature allowance.
      const flz = flzCompressLen(data) + 68
      expect(flz).toBe(k.flz_len_plus_68)
      const scaled = q.baseFeeScalar * q.l1BaseFee * 16n + q.blobBaseFeeScalar * q.l1BlobBaseFee
      const est = BigInt(Math.max(100e6, -42_585_600 + 836_500 * flz))
      expect((est * scaled) / 1_000_000_000_000n).toBe(BigInt(k.getL1Fee))
      expect((est * 16n) / 1_000_000n).toBe(BigInt(k.getL1GasUsed))
    }
  })
})
