import { describe, expect, it } from 'vitest'
import { bytesToHex, hexToBytes, uintToBytes } from '../../../config/bytes.ts'
import { L1_INFO_DEPOSITOR, PREDEPLOYS } from '../../../config/protocol/addresses.ts'
import { decodeDepositTx, depositTxHash, encodeDepositTx } from '../../../derivation/protocol/depositTx.ts'
import { L1InfoError } from '../../../derivation/protocol/errors.ts'
import {
  type BedrockL1BlockInfo,
  BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN,
  BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE,
  blobBaseFee,
  buildL1BlockInfo,
  decodeEcotoneScalar,
  decodeL1Info,
  type EcotoneL1BlockInfo,
  ecotoneScalarsForL1Info,
  encodeEcotoneScalar,
  encodeL1Info,
  encodeL1InfoBedrock,
  fakeExponential,
  type IsthmusL1BlockInfo,
  type L1BlockInfo,
  l1InfoDepositTx,
  l1InfoFormatFor,
  systemConfigFeesFromL1Info,
} from '../../../derivation/protocol/l1Info.ts'
import { l1InfoDepositSourceHash } from '../../../derivation/protocol/sourceHash.ts'
import { fixtureJson, type Rng, rng } from '../../helpers/random.ts'

interface Expected {
  number: number
  time: number
  base_fee: number
  block_hash: string
  sequence_number: number
  batcher_address: string
  l1_fee_overhead?: number
  l1_fee_scalar?: number
  base_fee_scalar?: number
  blob_base_fee_scalar?: number
  blob_base_fee?: number
  operator_fee_scalar?: number
  operator_fee_constant?: number
}
interface Vector {
  name: string
  selector: string
  calldata: string
  length: number
  expected_decoded: Expected
  expected_system_config_scalar?: string
  independently_computed_deposit?: { sourceHash: string; tx_eip2718: string; tx_hash: string }
}

const [bedrockV, ecotoneV, isthmusV] = fixtureJson<{ vectors: Vector[] }>('l1_info/l1_info_calldata.json').vectors as [
  Vector,
  Vector,
  Vector,
]

function expectCode(fn: () => unknown, code: string) {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(L1InfoError)
    expect((err as L1InfoError).code).toBe(code)
    return
  }
  throw new Error(`expected ${code}, nothing thrown`)
}

function checkCommon(info: L1BlockInfo, e: Expected) {
  expect(info.number).toBe(BigInt(e.number))
  expect(info.time).toBe(BigInt(e.time))
  expect(info.baseFee).toBe(BigInt(e.base_fee))
  expect(bytesToHex(info.blockHash)).toBe(e.block_hash)
  expect(info.sequenceNumber).toBe(BigInt(e.sequence_number))
  expect(bytesToHex(info.batcherAddr)).toBe(e.batcher_address)
}

function randomInfo(r: Rng): L1BlockInfo {
  const base = {
    number: r.bigint(64),
    time: r.bigint(64),
    baseFee: r.bigint(256),
    blockHash: r.bytes(32),
    sequenceNumber: r.bigint(64),
    batcherAddr: r.bytes(20),
  }
  const kind = r.int(3)
  if (kind === 0) return { kind: 'bedrock', ...base, l1FeeOverhead: r.bigint(256), l1FeeScalar: r.bigint(256) }
  const ecotone = { ...base, blobBaseFee: r.bigint(256), baseFeeScalar: r.bigint(32), blobBaseFeeScalar: r.bigint(32) }
  if (kind === 1) return { kind: 'ecotone', ...ecotone }
  return { kind: 'isthmus', ...ecotone, operatorFeeScalar: r.bigint(32), operatorFeeConstant: r.bigint(64) }
}

describe('L1 attributes deposit', () => {
  it('decodes the Bedrock vector (OP Mainnet, L1 block 18334955) and re-encodes it', () => {
    const data = hexToBytes(bedrockV.calldata)
    expect(data.length).toBe(260)
    const info = decodeL1Info(data) as BedrockL1BlockInfo
    expect(info.kind).toBe('bedrock')
    checkCommon(info, bedrockV.expected_decoded)
    expect(info.l1FeeOverhead).toBe(188n)
    expect(info.l1FeeScalar).toBe(684_000n)
    expect(encodeL1Info(info)).toEqual(data)
  })

  it('decodes the Ecotone vector (OP Mainnet, L1 block 19655712) and re-encodes it', () => {
    const data = hexToBytes(ecotoneV.calldata)
    expect(data.length).toBe(164)
    const info = decodeL1Info(data) as EcotoneL1BlockInfo
    expect(info.kind).toBe('ecotone')
    checkCommon(info, ecotoneV.expected_decoded)
    expect(info.baseFeeScalar).toBe(1368n)
    expect(info.blobBaseFeeScalar).toBe(810_949n)
    expect(info.blobBaseFee).toBe(1n)
    expect(encodeL1Info(info)).toEqual(data)
  })

  it('decodes the Isthmus vector and re-encodes it', () => {
    const data = hexToBytes(isthmusV.calldata)
    expect(data.length).toBe(176)
    const info = decodeL1Info(data) as IsthmusL1BlockInfo
    expect(info.kind).toBe('isthmus')
    checkCommon(info, isthmusV.expected_decoded)
    expect(info.baseFeeScalar).toBe(1368n)
    expect(info.operatorFeeScalar).toBe(0xabcdn)
    expect(info.operatorFeeConstant).toBe(0xdcban)
    expect(encodeL1Info(info)).toEqual(data)
  })

  for (const v of [bedrockV, ecotoneV]) {
    it(`builds the full post-Regolith L1-info deposit tx (${v.selector})`, () => {
      const info = decodeL1Info(hexToBytes(v.calldata))
      const tx = l1InfoDepositTx(info, true)
      const dep = v.independently_computed_deposit!
      expect(bytesToHex(tx.sourceHash)).toBe(dep.sourceHash)
      expect(bytesToHex(encodeDepositTx(tx))).toBe(dep.tx_eip2718)
      expect(bytesToHex(depositTxHash(tx))).toBe(dep.tx_hash)
      expect(bytesToHex(tx.from)).toBe(L1_INFO_DEPOSITOR.toLowerCase())
      expect(bytesToHex(tx.to!)).toBe(PREDEPLOYS.L1Block.toLowerCase())
      expect(tx.gas).toBe(1_000_000n)
      expect(tx.isSystemTx).toBe(false)
      expect(tx.mint).toBe(0n)
      expect(tx.value).toBe(0n)
      expect(tx.sourceHash).toEqual(l1InfoDepositSourceHash(info.blockHash, info.sequenceNumber))
      // and back: the deposit's calldata decodes to the same info
      expect(decodeL1Info(decodeDepositTx(encodeDepositTx(tx)).data)).toEqual(info)
    })
  }

  it('pre-Regolith L1-info tx: gas 150,000,000 and isSystemTx true', () => {
    const tx = l1InfoDepositTx(decodeL1Info(hexToBytes(bedrockV.calldata)), false)
    expect(tx.gas).toBe(150_000_000n)
    expect(tx.isSystemTx).toBe(true)
  })

  it('recovers the SystemConfig scalar kona asserts from the Ecotone calldata', () => {
    const info = decodeL1Info(hexToBytes(ecotoneV.calldata))
    const { overhead, scalar } = systemConfigFeesFromL1Info(info)
    expect(bytesToHex(scalar)).toBe(ecotoneV.expected_system_config_scalar)
    expect(overhead).toEqual(new Uint8Array(32))
    const bedrock = systemConfigFeesFromL1Info(decodeL1Info(hexToBytes(bedrockV.calldata)))
    expect(bedrock.overhead).toEqual(uintToBytes(0xbcn, 32))
    expect(bedrock.scalar).toEqual(uintToBytes(0xa6fe0n, 32))
  })

  it('buildL1BlockInfo reproduces the vectors from an L1 header and a SystemConfig', () => {
    const e = bedrockV.expected_decoded
    const origin = {
      number: BigInt(e.number),
      timestamp: BigInt(e.time),
      baseFeePerGas: BigInt(e.base_fee),
      hash: hexToBytes(e.block_hash),
    }
    const sysCfg = {
      batcherAddr: hexToBytes(e.batcher_address),
      overhead: uintToBytes(0xbcn, 32),
      scalar: uintToBytes(0xa6fe0n, 32),
    }
    expect(encodeL1Info(buildL1BlockInfo('bedrock', origin, 4n, sysCfg))).toEqual(hexToBytes(bedrockV.calldata))

    const x = ecotoneV.expected_decoded
    const ecoOrigin = {
      number: BigInt(x.number),
      timestamp: BigInt(x.time),
      baseFeePerGas: BigInt(x.base_fee),
      hash: hexToBytes(x.block_hash),
      excessBlobGas: 0n,
    }
    const ecoCfg = {
      batcherAddr: hexToBytes(x.batcher_address),
      overhead: new Uint8Array(32),
      scalar: hexToBytes(ecotoneV.expected_system_config_scalar!),
      operatorFeeScalar: 0xabcdn,
      operatorFeeConstant: 0xdcban,
    }
    expect(encodeL1Info(buildL1BlockInfo('ecotone', ecoOrigin, 5n, ecoCfg))).toEqual(hexToBytes(ecotoneV.calldata))
    expect(encodeL1Info(buildL1BlockInfo('isthmus', ecoOrigin, 5n, ecoCfg))).toEqual(hexToBytes(isthmusV.calldata))
    // no blob fields on the L1 block → blob base fee 1 as well
    const noBlob = buildL1BlockInfo('ecotone', { ...ecoOrigin, excessBlobGas: undefined }, 5n, ecoCfg)
    expect((noBlob as EcotoneL1BlockInfo).blobBaseFee).toBe(1n)
    // a large excess gives a larger fee, Cancun vs Prague fraction
    const busy = { ...ecoOrigin, excessBlobGas: 10n * 1024n * 1024n }
    expect((buildL1BlockInfo('ecotone', busy, 5n, ecoCfg) as EcotoneL1BlockInfo).blobBaseFee).toBe(23n)
    expect(
      (buildL1BlockInfo('ecotone', busy, 5n, ecoCfg, BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE) as EcotoneL1BlockInfo)
        .blobBaseFee,
    ).toBe(8n)
  })

  it('round-trips random infos of every format (encode → decode)', () => {
    const r = rng(11)
    for (let i = 0; i < 600; i++) {
      const info = randomInfo(r)
      const data = encodeL1Info(info)
      expect(data.length).toBe(info.kind === 'bedrock' ? 260 : info.kind === 'ecotone' ? 164 : 176)
      expect(decodeL1Info(data)).toEqual(info)
      const tx = l1InfoDepositTx(info, r.bool())
      expect(decodeL1Info(decodeDepositTx(encodeDepositTx(tx)).data)).toEqual(info)
    }
  })

  it('selects the calldata format per block (activation blocks keep the previous format)', () => {
    const f = (ecotone: boolean, ecoAct: boolean, isthmus: boolean, isAct: boolean) =>
      l1InfoFormatFor({ ecotone, ecotoneActivationBlock: ecoAct, isthmus, isthmusActivationBlock: isAct })
    expect(f(false, false, false, false)).toBe('bedrock')
    expect(f(true, true, false, false)).toBe('bedrock')
    expect(f(true, false, false, false)).toBe('ecotone')
    expect(f(true, false, true, true)).toBe('ecotone')
    expect(f(true, false, true, false)).toBe('isthmus')
  })

  describe('strict decoding', () => {
    it('unknown selector and wrong lengths', () => {
      expectCode(() => decodeL1Info(hexToBytes('0xdeadbeef')), 'L1_INFO_UNKNOWN_SELECTOR')
      expectCode(() => decodeL1Info(new Uint8Array(3)), 'L1_INFO_BAD_LENGTH')
      for (const v of [bedrockV, ecotoneV, isthmusV]) {
        const data = hexToBytes(v.calldata)
        expectCode(() => decodeL1Info(data.subarray(0, data.length - 1)), 'L1_INFO_BAD_LENGTH')
        expectCode(() => decodeL1Info(new Uint8Array([...data, 0])), 'L1_INFO_BAD_LENGTH')
      }
    })
    it('non-zero padding in Bedrock uint64 and address words, and in the Ecotone batcher word', () => {
      const bedrock = hexToBytes(bedrockV.calldata)
      for (const off of [4, 36, 132, 164]) {
        const d = bedrock.slice()
        d[off] = 1
        expectCode(() => decodeL1Info(d), 'L1_INFO_BAD_PADDING')
      }
      // basefee / hash / overhead / scalar are full words: no padding rule
      const d = bedrock.slice()
      d[68] = 1
      d[196] = 1
      expect(() => decodeL1Info(d)).not.toThrow()
      const eco = hexToBytes(ecotoneV.calldata)
      eco[132] = 1
      expectCode(() => decodeL1Info(eco), 'L1_INFO_BAD_PADDING')
    })
    it('rejects out-of-range fields on encode', () => {
      const info = decodeL1Info(hexToBytes(bedrockV.calldata)) as BedrockL1BlockInfo
      expectCode(() => encodeL1InfoBedrock({ ...info, number: 1n << 64n }), 'L1_INFO_INVALID_FIELD')
      expectCode(() => encodeL1InfoBedrock({ ...info, batcherAddr: new Uint8Array(32) }), 'L1_INFO_INVALID_FIELD')
      const eco = decodeL1Info(hexToBytes(ecotoneV.calldata)) as EcotoneL1BlockInfo
      expectCode(() => encodeL1Info({ ...eco, baseFeeScalar: 1n << 32n }), 'L1_INFO_INVALID_FIELD')
    })
  })

  describe('SystemConfig scalar (Ecotone rules)', () => {
    it('v1 encodes blob scalar at bytes 24..28 and base scalar at 28..32', () => {
      const s = encodeEcotoneScalar({ baseFeeScalar: 1368n, blobBaseFeeScalar: 810_949n })
      expect(bytesToHex(s)).toBe(ecotoneV.expected_system_config_scalar)
      expect(decodeEcotoneScalar(s)).toEqual({ baseFeeScalar: 1368n, blobBaseFeeScalar: 810_949n })
    })
    it('v0: base scalar only; bytes 1..27 must be zero', () => {
      expect(decodeEcotoneScalar(uintToBytes(684_000n, 32))).toEqual({ baseFeeScalar: 684_000n, blobBaseFeeScalar: 0n })
      const bad = uintToBytes(1n << 32n, 32) // a pre-Ecotone scalar above u32
      expectCode(() => decodeEcotoneScalar(bad), 'L1_INFO_SCALAR_V0_PADDING')
      // …which the L1-info tx turns into MaxUint32 / 0
      expect(ecotoneScalarsForL1Info(bad)).toEqual({ baseFeeScalar: 0xffff_ffffn, blobBaseFeeScalar: 0n })
    })
    it('v1 with non-zero bytes 1..23 and unknown versions are errors (not defaulted)', () => {
      const v1 = encodeEcotoneScalar({ baseFeeScalar: 1n, blobBaseFeeScalar: 1n })
      v1[23] = 1
      expectCode(() => decodeEcotoneScalar(v1), 'L1_INFO_SCALAR_V1_PADDING')
      expectCode(() => ecotoneScalarsForL1Info(v1), 'L1_INFO_SCALAR_V1_PADDING')
      const v2 = new Uint8Array(32)
      v2[0] = 2
      expectCode(() => decodeEcotoneScalar(v2), 'L1_INFO_SCALAR_UNKNOWN_VERSION')
    })
  })

  describe('blob base fee (EIP-4844)', () => {
    it('fake_exponential matches the go-ethereum TestFakeExponential table', () => {
      const cases: [bigint, bigint, bigint, bigint][] = [
        [1n, 0n, 1n, 1n],
        [38493n, 0n, 1000n, 38493n],
        [0n, 1234n, 2345n, 0n],
        [1n, 2n, 1n, 6n],
        [1n, 4n, 2n, 6n],
        [1n, 3n, 1n, 16n],
        [1n, 6n, 2n, 18n],
        [1n, 4n, 1n, 49n],
        [1n, 8n, 2n, 50n],
        [10n, 8n, 2n, 542n],
        [11n, 8n, 2n, 596n],
        [1n, 5n, 1n, 136n],
        [1n, 5n, 2n, 11n],
        [2n, 5n, 2n, 23n],
        [1n, 50_000_000n, 2_225_652n, 5_709_098_764n],
      ]
      for (const [f, n, d, want] of cases) expect(fakeExponential(f, n, d)).toBe(want)
    })
    it('blob base fee with the Cancun fraction matches go-ethereum TestCalcBlobFee', () => {
      expect(blobBaseFee(0n)).toBe(1n)
      expect(blobBaseFee(2_314_057n)).toBe(1n)
      expect(blobBaseFee(2_314_058n)).toBe(2n)
      expect(blobBaseFee(10n * 1024n * 1024n, BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN)).toBe(23n)
      expect(blobBaseFee(undefined)).toBe(1n)
    })
    it('tracks e^(excess/fraction) for both fractions', () => {
      const r = rng(5)
      for (let i = 0; i < 100; i++) {
        const excess = BigInt(r.int(60_000_000))
        for (const frac of [BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN, BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE]) {
          const approx = Math.exp(Number(excess) / Number(frac))
          const got = Number(blobBaseFee(excess, frac))
          // the Taylor series with integer division lands just below the true value
          expect(got).toBeLessThanOrEqual(approx + 1e-9 * approx)
          expect(got).toBeGreaterThanOrEqual(Math.floor(approx * (1 - 1e-6)) - 1)
        }
      }
    })
  })
})
