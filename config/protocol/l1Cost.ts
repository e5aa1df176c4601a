import { bytesToBigInt } from '../bytes.ts'
import { flzCompressLen } from './fastlz.ts'

// The L1 data fee of a non-deposit L2 tx, every fork (opstack-spec §3.3), and the GasPriceOracle view equivalents.
// All arithmetic is unbounded bigint with truncating division, as op-geth's big.Int code.

/** What the fee functions read from a tx: its full signed EIP-2718 encoding, summarised once (op-geth). */
export interface RollupCostData {
  zeroes: number
  ones: number
  fastLzSize: number
}

export interface L1CostResult {
  /** Wei. */
  fee: bigint
  /** Receipt `l1GasUsed` (RPC only, deprecated). */
  l1GasUsed: bigint
}

export type L1CostFunction = (costData: RollupCostData) => L1CostResult

/** L1Block values the fee functions use. */
export interface L1CostParams {
  /** slot 1 */
  l1BaseFee: bigint
  /** slot 3, bytes 16..20 */
  baseFeeScalar: bigint
  /** slot 3, bytes 20..24 */
  blobBaseFeeScalar: bigint
  /** slot 5 (pre-Ecotone) */
  overhead: bigint
  /** slot 6 (pre-Ecotone) */
  scalar: bigint
  /** slot 7 */
  l1BlobBaseFee: bigint
}

export type L1CostFormula = 'bedrock' | 'regolith' | 'ecotone' | 'fjord'

export const TX_DATA_ZERO_GAS = 4n
export const TX_DATA_NON_ZERO_GAS = 16n
/** Bytes a signature would add to an unsigned tx (pre-Regolith fee, GasPriceOracle views). */
export const SIGNATURE_BYTES_ALLOWANCE = 68n
export const FJORD_COST_INTERCEPT = -42_585_600n
export const FJORD_COST_FASTLZ_COEF = 836_500n
/** minTransactionSize 100, scaled by 1e6 (specs, GasPriceOracle; the pre-release 71 is obsolete). */
export const FJORD_MIN_TX_SIZE_SCALED = 100_000_000n

const ONE_MILLION = 1_000_000n
const ECOTONE_DIVISOR = 16_000_000n
const FJORD_DIVISOR = 1_000_000_000_000n

export function countZeroes(data: Uint8Array): number {
  let z = 0
  for (let i = 0; i < data.length; i++) if (data[i] === 0) z++
  return z
}

/** Zero/non-zero byte counts and the FastLZ length of a signed tx. */
export function rollupCostData(tx: Uint8Array): RollupCostData {
  const zeroes = countZeroes(tx)
  return { zeroes, ones: tx.length - zeroes, fastLzSize: flzCompressLen(tx) }
}

/** zeroes*4 + ones*16 */
export function calldataGas(costData: Pick<RollupCostData, 'zeroes' | 'ones'>): bigint {
  return BigInt(costData.zeroes) * TX_DATA_ZERO_GAS + BigInt(costData.ones) * TX_DATA_NON_ZERO_GAS
}

/**
 * Bedrock (pre-Regolith, `isRegolith` false: +68 non-zero bytes) and Regolith…Delta:
 * gas = calldataGas (+1088) + overhead; fee = gas * l1BaseFee * scalar / 1e6; l1GasUsed = gas.
 */
export function bedrockL1Cost(
  costData: RollupCostData,
  p: Pick<L1CostParams, 'l1BaseFee' | 'overhead' | 'scalar'>,
  isRegolith: boolean,
): L1CostResult {
  let gas = calldataGas(costData)
  if (!isRegolith) gas += SIGNATURE_BYTES_ALLOWANCE * TX_DATA_NON_ZERO_GAS
  gas += p.overhead
  return { fee: (gas * p.l1BaseFee * p.scalar) / ONE_MILLION, l1GasUsed: gas }
}

/** Ecotone: calldataGas * (16*l1BaseFee*baseFeeScalar + l1BlobBaseFee*blobBaseFeeScalar) / 16e6. */
export function ecotoneL1Cost(
  costData: RollupCostData,
  p: Pick<L1CostParams, 'l1BaseFee' | 'l1BlobBaseFee' | 'baseFeeScalar' | 'blobBaseFeeScalar'>,
): L1CostResult {
  const gas = calldataGas(costData)
  const perGas = 16n * p.l1BaseFee * p.baseFeeScalar + p.l1BlobBaseFee * p.blobBaseFeeScalar
  return { fee: (gas * perGas) / ECOTONE_DIVISOR, l1GasUsed: gas }
}

/** max(100e6, -42_585_600 + 836_500 * fastLzSize): the Fjord size estimate, scaled by 1e6. */
export function fjordEstimatedSizeScaled(fastLzSize: number | bigint): bigint {
  const est = FJORD_COST_INTERCEPT + FJORD_COST_FASTLZ_COEF * BigInt(fastLzSize)
  return est < FJORD_MIN_TX_SIZE_SCALED ? FJORD_MIN_TX_SIZE_SCALED : est
}

function fjordFeeScaled(p: Pick<L1CostParams, 'l1BaseFee' | 'l1BlobBaseFee' | 'baseFeeScalar' | 'blobBaseFeeScalar'>) {
  return p.baseFeeScalar * p.l1BaseFee * 16n + p.blobBaseFeeScalar * p.l1BlobBaseFee
}

/** Fjord+: fee = estimatedSize * l1FeeScaled / 1e12; l1GasUsed = estimatedSize * 16 / 1e6 (op-geth). */
export function fjordL1Cost(
  costData: Pick<RollupCostData, 'fastLzSize'>,
  p: Pick<L1CostParams, 'l1BaseFee' | 'l1BlobBaseFee' | 'baseFeeScalar' | 'blobBaseFeeScalar'>,
): L1CostResult {
  const est = fjordEstimatedSizeScaled(costData.fastLzSize)
  return { fee: (est * fjordFeeScaled(p)) / FJORD_DIVISOR, l1GasUsed: (est * TX_DATA_NON_ZERO_GAS) / ONE_MILLION }
}

function slotValue(v: Uint8Array | bigint): bigint {
  return typeof v === 'bigint' ? v : bytesToBigInt(v)
}

/**
 * Reads the fee parameters from L1Block (0x4200…0015) storage values: slot 1 basefee; slot 3 packs
 * baseFeeScalar at bytes 16..20 and blobBaseFeeScalar at bytes 20..24 (of the 32-byte word); slot 5 overhead;
 * slot 6 scalar; slot 7 blobBaseFee. Values may be bigint or big-endian bytes (leading zeros may be trimmed).
 */
export function l1CostParamsFromL1BlockSlots(
  slot1: Uint8Array | bigint,
  slot3: Uint8Array | bigint,
  slot5: Uint8Array | bigint,
  slot6: Uint8Array | bigint,
  slot7: Uint8Array | bigint,
): L1CostParams {
  const s3 = slotValue(slot3)
  return {
    l1BaseFee: slotValue(slot1),
    baseFeeScalar: (s3 >> 96n) & 0xffff_ffffn,
    blobBaseFeeScalar: (s3 >> 64n) & 0xffff_ffffn,
    overhead: slotValue(slot5),
    scalar: slotValue(slot6),
    l1BlobBaseFee: slotValue(slot7),
  }
}

/**
 * Which formula op-geth applies in a block. Pre-Ecotone: bedrock or regolith. From Ecotone, if slot 7 and both
 * scalars are zero this is the Ecotone activation block (L1Block not yet upgraded), which still uses the Regolith
 * formula; this check comes before the Fjord check.
 */
export function l1CostFormula(
  params: L1CostParams,
  isFjord: boolean,
  isEcotone: boolean,
  isRegolith: boolean,
): L1CostFormula {
  if (!isEcotone) return isRegolith ? 'regolith' : 'bedrock'
  if (params.l1BlobBaseFee === 0n && params.baseFeeScalar === 0n && params.blobBaseFeeScalar === 0n) {
    return 'regolith'
  }
  return isFjord ? 'fjord' : 'ecotone'
}

/** The block's L1 cost function (see `l1CostFormula`); params are read after the block's deposits ran. */
export function selectL1CostFunction(
  params: L1CostParams,
  isFjord: boolean,
  isEcotone: boolean,
  isRegolith: boolean,
): L1CostFunction {
  switch (l1CostFormula(params, isFjord, isEcotone, isRegolith)) {
    case 'bedrock':
      return (d) => bedrockL1Cost(d, params, false)
    case 'regolith':
      return (d) => bedrockL1Cost(d, params, true)
    case 'ecotone':
      return (d) => ecotoneL1Cost(d, params)
    case 'fjord':
      return (d) => fjordL1Cost(d, params)
  }
}

// ---- GasPriceOracle (0x4200…000F) view equivalents: input is the UNSIGNED RLP tx; 68 bytes are added ----

/** Bedrock-mode `getL1GasUsed`: zeroes*4 + ones*16 + 68*16 + overhead. */
export function gpoGetL1GasUsedBedrock(unsignedTx: Uint8Array, p: Pick<L1CostParams, 'overhead'>): bigint {
  return gpoCalldataGas(unsignedTx) + p.overhead
}

/** Bedrock-mode `getL1Fee`: getL1GasUsed * l1BaseFee * scalar / 1e6. */
export function gpoGetL1FeeBedrock(
  unsignedTx: Uint8Array,
  p: Pick<L1CostParams, 'l1BaseFee' | 'overhead' | 'scalar'>,
): bigint {
  return (gpoGetL1GasUsedBedrock(unsignedTx, p) * p.l1BaseFee * p.scalar) / ONE_MILLION
}

function gpoCalldataGas(unsignedTx: Uint8Array): bigint {
  const zeroes = countZeroes(unsignedTx)
  return calldataGas({ zeroes, ones: unsignedTx.length - zeroes }) + SIGNATURE_BYTES_ALLOWANCE * TX_DATA_NON_ZERO_GAS
}

/** Ecotone `getL1GasUsed`: zeroes*4 + ones*16 + 68*16. */
export function gpoGetL1GasUsedEcotone(unsignedTx: Uint8Array): bigint {
  return gpoCalldataGas(unsignedTx)
}

/** Ecotone `getL1Fee`: getL1GasUsed * (16*baseFeeScalar*l1BaseFee + blobBaseFeeScalar*blobBaseFee) / 16e6. */
export function gpoGetL1FeeEcotone(
  unsignedTx: Uint8Array,
  p: Pick<L1CostParams, 'l1BaseFee' | 'l1BlobBaseFee' | 'baseFeeScalar' | 'blobBaseFeeScalar'>,
): bigint {
  const gas = gpoCalldataGas(unsignedTx)
  return (gas * (16n * p.baseFeeScalar * p.l1BaseFee + p.blobBaseFeeScalar * p.l1BlobBaseFee)) / ECOTONE_DIVISOR
}

/** Fjord: fastLzSize = len(flzCompress(unsignedTx)) + 68. */
export function gpoFastLzSize(unsignedTx: Uint8Array): bigint {
  return BigInt(flzCompressLen(unsignedTx)) + SIGNATURE_BYTES_ALLOWANCE
}

/** Fjord `getL1GasUsed`: estimatedSize(fastLzSize + 68) * 16 / 1e6. */
export function gpoGetL1GasUsedFjord(unsignedTx: Uint8Array): bigint {
  return (fjordEstimatedSizeScaled(gpoFastLzSize(unsignedTx)) * TX_DATA_NON_ZERO_GAS) / ONE_MILLION
}

/** Fjord `getL1Fee`: estimatedSize(fastLzSize + 68) * l1FeeScaled / 1e12. */
export function gpoGetL1FeeFjord(
  unsignedTx: Uint8Array,
  p: Pick<L1CostParams, 'l1BaseFee' | 'l1BlobBaseFee' | 'baseFeeScalar' | 'blobBaseFeeScalar'>,
): bigint {
  return (fjordEstimatedSizeScaled(gpoFastLzSize(unsignedTx)) * fjordFeeScaled(p)) / FJORD_DIVISOR
}

/** Fjord `getL1FeeUpperBound(n)`: txSize = n + 68; flzUpperBound = txSize + txSize/255 + 16. */
export function gpoGetL1FeeUpperBound(
  unsignedTxSize: number | bigint,
  p: Pick<L1CostParams, 'l1BaseFee' | 'l1BlobBaseFee' | 'baseFeeScalar' | 'blobBaseFeeScalar'>,
): bigint {
  const txSize = BigInt(unsignedTxSize) + SIGNATURE_BYTES_ALLOWANCE
  const flzUpperBound = txSize + txSize / 255n + 16n
  return (fjordEstimatedSizeScaled(flzUpperBound) * fjordFeeScaled(p)) / FJORD_DIVISOR
}
