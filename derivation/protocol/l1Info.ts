import {
  bytesEqual,
  bytesToBigInt,
  hexToBytes,
  isZeroRange,
  readU32BE,
  readU64BE,
  writeUintBE,
} from '../../config/bytes.ts'
import { L1_INFO_DEPOSITOR, PREDEPLOYS } from '../../config/protocol/addresses.ts'
import type { DepositTx } from './depositTx.ts'
import { L1InfoError } from './errors.ts'
import { l1InfoDepositSourceHash } from './sourceHash.ts'

// The L1 attributes deposit (opstack-spec §2): calldata formats, the deposit tx itself, the blob base fee the
// Ecotone format carries, and the SystemConfig scalar encoding (§4.12).

export const L1_INFO_BEDROCK_SELECTOR = hexToBytes('0x015d8eb9')
export const L1_INFO_ECOTONE_SELECTOR = hexToBytes('0x440a5e20')
export const L1_INFO_ISTHMUS_SELECTOR = hexToBytes('0x098999be')
export const L1_INFO_BEDROCK_LEN = 260
export const L1_INFO_ECOTONE_LEN = 164
export const L1_INFO_ISTHMUS_LEN = 176

export const L1_INFO_DEPOSITOR_BYTES = hexToBytes(L1_INFO_DEPOSITOR)
export const L1_BLOCK_ADDRESS_BYTES = hexToBytes(PREDEPLOYS.L1Block)
/** Gas of the L1-info deposit from Regolith. */
export const REGOLITH_SYSTEM_TX_GAS = 1_000_000n
/** Gas of the L1-info deposit before Regolith. */
export const PRE_REGOLITH_SYSTEM_TX_GAS = 150_000_000n

/** EIP-4844 constants for the L1 blob base fee. */
export const MIN_BLOB_BASE_FEE = 1n
export const BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN = 3_338_477n
export const BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE = 5_007_716n

const U32_MAX = 0xffff_ffffn
const U64_MAX = 0xffff_ffff_ffff_ffffn
const U256_MAX = (1n << 256n) - 1n

interface L1BlockInfoBase {
  /** L1 origin number (u64). */
  number: bigint
  /** L1 origin timestamp (u64). */
  time: bigint
  /** L1 origin base fee (u256). */
  baseFee: bigint
  /** L1 origin hash (32 bytes). */
  blockHash: Uint8Array
  /** Position of the L2 block in its epoch (u64). */
  sequenceNumber: bigint
  /** Batcher address (20 bytes); encoded as a version-0 batcherHash (12 zero bytes ++ address). */
  batcherAddr: Uint8Array
}

/** `setL1BlockValues` (Bedrock … Delta, and the Ecotone activation block). */
export interface BedrockL1BlockInfo extends L1BlockInfoBase {
  kind: 'bedrock'
  /** SystemConfig overhead (uint256 word). */
  l1FeeOverhead: bigint
  /** SystemConfig scalar (uint256 word). */
  l1FeeScalar: bigint
}

/** `setL1BlockValuesEcotone` (Ecotone … Holocene, and the Isthmus activation block). */
export interface EcotoneL1BlockInfo extends L1BlockInfoBase {
  kind: 'ecotone'
  /** u256 */
  blobBaseFee: bigint
  /** u32 */
  baseFeeScalar: bigint
  /** u32 */
  blobBaseFeeScalar: bigint
}

/** `setL1BlockValuesIsthmus` (Isthmus+). */
export interface IsthmusL1BlockInfo extends Omit<EcotoneL1BlockInfo, 'kind'> {
  kind: 'isthmus'
  /** u32 */
  operatorFeeScalar: bigint
  /** u64 */
  operatorFeeConstant: bigint
}

export type L1BlockInfo = BedrockL1BlockInfo | EcotoneL1BlockInfo | IsthmusL1BlockInfo
export type L1InfoFormat = L1BlockInfo['kind']

function invalid(field: string, reason: string): L1InfoError {
  return new L1InfoError('L1_INFO_INVALID_FIELD', `L1 info ${field}: ${reason}`, { field })
}

function checkRange(field: string, v: bigint, max: bigint): void {
  if (v < 0n || v > max) throw invalid(field, 'out of range')
}

function checkCommon(info: L1BlockInfoBase): void {
  checkRange('number', info.number, U64_MAX)
  checkRange('time', info.time, U64_MAX)
  checkRange('baseFee', info.baseFee, U256_MAX)
  checkRange('sequenceNumber', info.sequenceNumber, U64_MAX)
  if (info.blockHash.length !== 32) throw invalid('blockHash', 'must be 32 bytes')
  if (info.batcherAddr.length !== 20) throw invalid('batcherAddr', 'must be 20 bytes')
}

/** 260-byte `setL1BlockValues` calldata. */
export function encodeL1InfoBedrock(info: Omit<BedrockL1BlockInfo, 'kind'>): Uint8Array {
  checkCommon(info)
  checkRange('l1FeeOverhead', info.l1FeeOverhead, U256_MAX)
  checkRange('l1FeeScalar', info.l1FeeScalar, U256_MAX)
  const out = new Uint8Array(L1_INFO_BEDROCK_LEN)
  out.set(L1_INFO_BEDROCK_SELECTOR, 0)
  writeUintBE(out, 4, 32, info.number)
  writeUintBE(out, 36, 32, info.time)
  writeUintBE(out, 68, 32, info.baseFee)
  out.set(info.blockHash, 100)
  writeUintBE(out, 132, 32, info.sequenceNumber)
  out.set(info.batcherAddr, 164 + 12)
  writeUintBE(out, 196, 32, info.l1FeeOverhead)
  writeUintBE(out, 228, 32, info.l1FeeScalar)
  return out
}

function writeEcotoneBody(out: Uint8Array, info: Omit<EcotoneL1BlockInfo, 'kind'>): void {
  checkCommon(info)
  checkRange('baseFeeScalar', info.baseFeeScalar, U32_MAX)
  checkRange('blobBaseFeeScalar', info.blobBaseFeeScalar, U32_MAX)
  checkRange('blobBaseFee', info.blobBaseFee, U256_MAX)
  writeUintBE(out, 4, 4, info.baseFeeScalar)
  writeUintBE(out, 8, 4, info.blobBaseFeeScalar)
  writeUintBE(out, 12, 8, info.sequenceNumber)
  writeUintBE(out, 20, 8, info.time)
  writeUintBE(out, 28, 8, info.number)
  writeUintBE(out, 36, 32, info.baseFee)
  writeUintBE(out, 68, 32, info.blobBaseFee)
  out.set(info.blockHash, 100)
  out.set(info.batcherAddr, 132 + 12)
}

/** 164-byte tightly packed `setL1BlockValuesEcotone` calldata. */
export function encodeL1InfoEcotone(info: Omit<EcotoneL1BlockInfo, 'kind'>): Uint8Array {
  const out = new Uint8Array(L1_INFO_ECOTONE_LEN)
  out.set(L1_INFO_ECOTONE_SELECTOR, 0)
  writeEcotoneBody(out, info)
  return out
}

/** 176-byte `setL1BlockValuesIsthmus` calldata: the Ecotone layout plus operator fee scalar (u32) and constant (u64). */
export function encodeL1InfoIsthmus(info: Omit<IsthmusL1BlockInfo, 'kind'>): Uint8Array {
  checkRange('operatorFeeScalar', info.operatorFeeScalar, U32_MAX)
  checkRange('operatorFeeConstant', info.operatorFeeConstant, U64_MAX)
  const out = new Uint8Array(L1_INFO_ISTHMUS_LEN)
  out.set(L1_INFO_ISTHMUS_SELECTOR, 0)
  writeEcotoneBody(out, info)
  writeUintBE(out, 164, 4, info.operatorFeeScalar)
  writeUintBE(out, 168, 8, info.operatorFeeConstant)
  return out
}

export function encodeL1Info(info: L1BlockInfo): Uint8Array {
  switch (info.kind) {
    case 'bedrock':
      return encodeL1InfoBedrock(info)
    case 'ecotone':
      return encodeL1InfoEcotone(info)
    case 'isthmus':
      return encodeL1InfoIsthmus(info)
  }
}

function wordU64(data: Uint8Array, off: number, field: string): bigint {
  if (!isZeroRange(data, off, off + 24)) {
    throw new L1InfoError('L1_INFO_BAD_PADDING', `L1 info ${field}: uint64 word has non-zero padding`, { field })
  }
  return readU64BE(data, off + 24)
}

function wordAddress(data: Uint8Array, off: number, field: string): Uint8Array {
  if (!isZeroRange(data, off, off + 12)) {
    throw new L1InfoError('L1_INFO_BAD_PADDING', `L1 info ${field}: address word has non-zero padding`, { field })
  }
  return data.slice(off + 12, off + 32)
}

function expectLength(data: Uint8Array, len: number, format: L1InfoFormat): void {
  if (data.length !== len) {
    throw new L1InfoError('L1_INFO_BAD_LENGTH', `${format} L1 info calldata must be ${len} bytes, got ${data.length}`, {
      format,
      length: data.length,
    })
  }
}

function decodeBedrock(data: Uint8Array): BedrockL1BlockInfo {
  expectLength(data, L1_INFO_BEDROCK_LEN, 'bedrock')
  return {
    kind: 'bedrock',
    number: wordU64(data, 4, 'number'),
    time: wordU64(data, 36, 'time'),
    baseFee: bytesToBigInt(data, 68, 100),
    blockHash: data.slice(100, 132),
    sequenceNumber: wordU64(data, 132, 'sequenceNumber'),
    batcherAddr: wordAddress(data, 164, 'batcherHash'),
    l1FeeOverhead: bytesToBigInt(data, 196, 228),
    l1FeeScalar: bytesToBigInt(data, 228, 260),
  }
}

function decodeEcotoneBody(data: Uint8Array): Omit<EcotoneL1BlockInfo, 'kind'> {
  return {
    baseFeeScalar: BigInt(readU32BE(data, 4)),
    blobBaseFeeScalar: BigInt(readU32BE(data, 8)),
    sequenceNumber: readU64BE(data, 12),
    time: readU64BE(data, 20),
    number: readU64BE(data, 28),
    baseFee: bytesToBigInt(data, 36, 68),
    blobBaseFee: bytesToBigInt(data, 68, 100),
    blockHash: data.slice(100, 132),
    batcherAddr: wordAddress(data, 132, 'batcherHash'),
  }
}

/**
 * Decodes L1-info calldata by selector, strictly: exact length per format, zero padding in ABI uint64 and address
 * words. Throws L1InfoError.
 */
export function decodeL1Info(data: Uint8Array): L1BlockInfo {
  if (data.length < 4) throw new L1InfoError('L1_INFO_BAD_LENGTH', 'L1 info calldata shorter than a selector')
  const sel = data.subarray(0, 4)
  if (bytesEqual(sel, L1_INFO_BEDROCK_SELECTOR)) return decodeBedrock(data)
  if (bytesEqual(sel, L1_INFO_ECOTONE_SELECTOR)) {
    expectLength(data, L1_INFO_ECOTONE_LEN, 'ecotone')
    return { kind: 'ecotone', ...decodeEcotoneBody(data) }
  }
  if (bytesEqual(sel, L1_INFO_ISTHMUS_SELECTOR)) {
    expectLength(data, L1_INFO_ISTHMUS_LEN, 'isthmus')
    return {
      kind: 'isthmus',
      ...decodeEcotoneBody(data),
      operatorFeeScalar: BigInt(readU32BE(data, 164)),
      operatorFeeConstant: readU64BE(data, 168),
    }
  }
  throw new L1InfoError('L1_INFO_UNKNOWN_SELECTOR', 'unknown L1 info selector', {
    selector: Array.from(sel, (b) => b.toString(16).padStart(2, '0')).join(''),
  })
}

/**
 * The L1-info deposit tx for `info` (sourceHash domain 1 from the L1 hash and sequence number, from the depositor
 * to L1Block, no mint, no value). Pre-Regolith: gas 150,000,000 and isSystemTx true; from Regolith: gas 1,000,000
 * and isSystemTx false.
 */
export function l1InfoDepositTx(info: L1BlockInfo, regolith: boolean): DepositTx {
  return {
    sourceHash: l1InfoDepositSourceHash(info.blockHash, info.sequenceNumber),
    from: L1_INFO_DEPOSITOR_BYTES.slice(),
    to: L1_BLOCK_ADDRESS_BYTES.slice(),
    mint: 0n,
    value: 0n,
    gas: regolith ? REGOLITH_SYSTEM_TX_GAS : PRE_REGOLITH_SYSTEM_TX_GAS,
    isSystemTx: !regolith,
    data: encodeL1Info(info),
  }
}

/**
 * Which calldata format an L2 block's L1-info tx uses. The Ecotone (Isthmus) activation block still uses the
 * previous format because L1Block is upgraded later in that block; a fork active at genesis has no activation block.
 */
export function l1InfoFormatFor(forks: {
  ecotone: boolean
  ecotoneActivationBlock: boolean
  isthmus: boolean
  isthmusActivationBlock: boolean
}): L1InfoFormat {
  if (!forks.ecotone || forks.ecotoneActivationBlock) return 'bedrock'
  if (!forks.isthmus || forks.isthmusActivationBlock) return 'ecotone'
  return 'isthmus'
}

/** The L1 origin header fields the L1-info tx needs. */
export interface L1InfoOrigin {
  number: bigint
  timestamp: bigint
  baseFeePerGas: bigint
  hash: Uint8Array
  /** Absent when the L1 block predates Cancun (then the blob base fee is 1). */
  excessBlobGas?: bigint | undefined
}

/** The SystemConfig fields the L1-info tx needs. */
export interface L1InfoSystemConfig {
  batcherAddr: Uint8Array
  /** bytes32 */
  overhead: Uint8Array
  /** bytes32, versioned from Ecotone (§4.12) */
  scalar: Uint8Array
  /** Isthmus: u32 */
  operatorFeeScalar?: bigint | undefined
  /** Isthmus: u64 */
  operatorFeeConstant?: bigint | undefined
}

/**
 * Builds the L1BlockInfo of an L2 block (op-node `L1InfoDeposit`). `blobBaseFeeUpdateFraction` is the L1 fork's
 * EIP-4844 update fraction at the origin (Cancun by default, Prague from L1 Prague).
 */
export function buildL1BlockInfo(
  format: L1InfoFormat,
  origin: L1InfoOrigin,
  sequenceNumber: bigint,
  sysCfg: L1InfoSystemConfig,
  blobBaseFeeUpdateFraction: bigint = BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN,
): L1BlockInfo {
  const base = {
    number: origin.number,
    time: origin.timestamp,
    baseFee: origin.baseFeePerGas,
    blockHash: origin.hash,
    sequenceNumber,
    batcherAddr: sysCfg.batcherAddr,
  }
  if (format === 'bedrock') {
    if (sysCfg.overhead.length !== 32) throw invalid('overhead', 'must be 32 bytes')
    if (sysCfg.scalar.length !== 32) throw invalid('scalar', 'must be 32 bytes')
    return {
      kind: 'bedrock',
      ...base,
      l1FeeOverhead: bytesToBigInt(sysCfg.overhead),
      l1FeeScalar: bytesToBigInt(sysCfg.scalar),
    }
  }
  const scalars = ecotoneScalarsForL1Info(sysCfg.scalar)
  const ecotone = {
    ...base,
    blobBaseFee: blobBaseFee(origin.excessBlobGas, blobBaseFeeUpdateFraction),
    baseFeeScalar: scalars.baseFeeScalar,
    blobBaseFeeScalar: scalars.blobBaseFeeScalar,
  }
  if (format === 'ecotone') return { kind: 'ecotone', ...ecotone }
  return {
    kind: 'isthmus',
    ...ecotone,
    operatorFeeScalar: sysCfg.operatorFeeScalar ?? 0n,
    operatorFeeConstant: sysCfg.operatorFeeConstant ?? 0n,
  }
}

/** EIP-4844 `fake_exponential(factor, numerator, denominator)` ≈ factor · e^(numerator/denominator). */
export function fakeExponential(factor: bigint, numerator: bigint, denominator: bigint): bigint {
  let i = 1n
  let output = 0n
  let acc = factor * denominator
  while (acc > 0n) {
    output += acc
    acc = (acc * numerator) / (denominator * i)
    i++
  }
  return output / denominator
}

/** L1 blob base fee from the origin's excessBlobGas; 1 when the L1 block has no blob fields. */
export function blobBaseFee(
  excessBlobGas: bigint | undefined,
  updateFraction: bigint = BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN,
): bigint {
  if (excessBlobGas === undefined) return MIN_BLOB_BASE_FEE
  return fakeExponential(MIN_BLOB_BASE_FEE, excessBlobGas, updateFraction)
}

// ---- SystemConfig scalar (Ecotone+, §4.12) ----

export interface EcotoneScalars {
  /** u32 */
  baseFeeScalar: bigint
  /** u32 */
  blobBaseFeeScalar: bigint
}

export const SCALAR_VERSION_BEDROCK = 0
export const SCALAR_VERSION_ECOTONE = 1

/** Version-1 scalar: 0x01 ++ 23 zero bytes ++ be32(blobBaseFeeScalar) ++ be32(baseFeeScalar). */
export function encodeEcotoneScalar(s: EcotoneScalars): Uint8Array {
  checkRange('baseFeeScalar', s.baseFeeScalar, U32_MAX)
  checkRange('blobBaseFeeScalar', s.blobBaseFeeScalar, U32_MAX)
  const out = new Uint8Array(32)
  out[0] = SCALAR_VERSION_ECOTONE
  writeUintBE(out, 24, 4, s.blobBaseFeeScalar)
  writeUintBE(out, 28, 4, s.baseFeeScalar)
  return out
}

/**
 * Strict decode (op-node `CheckEcotoneL1SystemConfigScalar` + `DecodeScalar`): v0 needs bytes 1..27 zero and has no
 * blob scalar; v1 needs bytes 1..23 zero. An invalid scalar in a GAS_CONFIG update is ignored by derivation.
 */
export function decodeEcotoneScalar(scalar: Uint8Array): EcotoneScalars {
  if (scalar.length !== 32) throw invalid('scalar', 'must be 32 bytes')
  switch (scalar[0]) {
    case SCALAR_VERSION_BEDROCK:
      if (!isZeroRange(scalar, 1, 28)) {
        throw new L1InfoError('L1_INFO_SCALAR_V0_PADDING', 'scalar v0 has non-zero bytes 1..27')
      }
      return { baseFeeScalar: BigInt(readU32BE(scalar, 28)), blobBaseFeeScalar: 0n }
    case SCALAR_VERSION_ECOTONE:
      if (!isZeroRange(scalar, 1, 24)) {
        throw new L1InfoError('L1_INFO_SCALAR_V1_PADDING', 'scalar v1 has non-zero bytes 1..23')
      }
      return { baseFeeScalar: BigInt(readU32BE(scalar, 28)), blobBaseFeeScalar: BigInt(readU32BE(scalar, 24)) }
    default:
      throw new L1InfoError('L1_INFO_SCALAR_UNKNOWN_VERSION', `unknown scalar version ${scalar[0]}`, {
        version: scalar[0],
      })
  }
}

/**
 * The scalars the L1-info tx carries (op-node `SystemConfig.EcotoneScalars`): a v0 scalar with non-zero padding
 * (e.g. a large pre-Ecotone scalar) becomes baseFeeScalar = MaxUint32, blobBaseFeeScalar = 0; other invalid
 * scalars throw.
 */
export function ecotoneScalarsForL1Info(scalar: Uint8Array): EcotoneScalars {
  try {
    return decodeEcotoneScalar(scalar)
  } catch (err) {
    if (err instanceof L1InfoError && err.code === 'L1_INFO_SCALAR_V0_PADDING') {
      return { baseFeeScalar: U32_MAX, blobBaseFeeScalar: 0n }
    }
    throw err
  }
}

/**
 * SystemConfig overhead and scalar recovered from an L2 block's L1-info (used on reset): Bedrock-format values as
 * stored; Ecotone+ gives overhead 0 and a v1 scalar.
 */
export function systemConfigFeesFromL1Info(info: L1BlockInfo): { overhead: Uint8Array; scalar: Uint8Array } {
  if (info.kind === 'bedrock') {
    const overhead = new Uint8Array(32)
    const scalar = new Uint8Array(32)
    writeUintBE(overhead, 0, 32, info.l1FeeOverhead)
    writeUintBE(scalar, 0, 32, info.l1FeeScalar)
    return { overhead, scalar }
  }
  return { overhead: new Uint8Array(32), scalar: encodeEcotoneScalar(info) }
}
