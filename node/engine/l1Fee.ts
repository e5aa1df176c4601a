import { createAddressFromString } from '@ethereumjs/util'
import { flzCompressLen } from '../../config/protocol/fastlz.ts'
import type { OpForks } from './chainSpec.ts'
import type { L1CostFunction, L1CostResult } from './opTxProcessor.ts'
import { bytesToBigint } from './state/account.ts'
import type { StateDB } from './state/stateDB.ts'

// The L1 data fee charged to every non-deposit tx (opstack-spec §3.3), parameterised from L1Block storage
// after the block's deposits ran: slot 1 basefee, slot 3 scalars (bytes 16..20 base, 20..24 blob),
// slot 5 overhead, slot 6 scalar, slot 7 blobBaseFee.

export const L1_BLOCK = createAddressFromString('0x4200000000000000000000000000000000000015')

export interface L1FeeParams {
  l1BaseFee: bigint
  l1BlobBaseFee: bigint
  baseFeeScalar: bigint
  blobBaseFeeScalar: bigint
  overhead: bigint
  scalar: bigint
}

/** Per-block values op-geth also reports in receipts. */
export interface L1FeeReceiptFields {
  l1GasPrice: bigint
  l1BlobBaseFee?: bigint
  l1BaseFeeScalar?: bigint
  l1BlobBaseFeeScalar?: bigint
}

function slot(n: number): Uint8Array {
  const b = new Uint8Array(32)
  b[31] = n
  return b
}

function pad32(v: Uint8Array): Uint8Array {
  if (v.length === 32) return v
  const out = new Uint8Array(32)
  out.set(v, 32 - v.length)
  return out
}

export function l1FeeParamsFromSlots(
  s1: Uint8Array,
  s3: Uint8Array,
  s5: Uint8Array,
  s6: Uint8Array,
  s7: Uint8Array,
): L1FeeParams {
  const w3 = pad32(s3)
  return {
    l1BaseFee: bytesToBigint(s1),
    baseFeeScalar: bytesToBigint(w3.subarray(16, 20)),
    blobBaseFeeScalar: bytesToBigint(w3.subarray(20, 24)),
    overhead: bytesToBigint(s5),
    scalar: bytesToBigint(s6),
    l1BlobBaseFee: bytesToBigint(s7),
  }
}

export async function readL1FeeParams(state: StateDB): Promise<L1FeeParams> {
  const [s1, s3, s5, s6, s7] = await Promise.all([1, 3, 5, 6, 7].map((n) => state.getStorage(L1_BLOCK, slot(n))))
  return l1FeeParamsFromSlots(s1 as Uint8Array, s3 as Uint8Array, s5 as Uint8Array, s6 as Uint8Array, s7 as Uint8Array)
}

function calldataGas(tx: Uint8Array): bigint {
  let zeros = 0
  for (let i = 0; i < tx.length; i++) if (tx[i] === 0) zeros++
  return BigInt(zeros) * 4n + BigInt(tx.length - zeros) * 16n
}

export function bedrockL1Cost(p: L1FeeParams, regolith: boolean): L1CostFunction {
  return (tx) => {
    let gas = calldataGas(tx)
    if (!regolith) gas += 68n * 16n
    gas += p.overhead
    return { fee: (gas * p.l1BaseFee * p.scalar) / 1_000_000n, gasUsed: gas }
  }
}

export function ecotoneL1Cost(p: L1FeeParams): L1CostFunction {
  const perByte = 16n * p.l1BaseFee * p.baseFeeScalar + p.l1BlobBaseFee * p.blobBaseFeeScalar
  return (tx) => {
    const gas = calldataGas(tx)
    return { fee: (gas * perByte) / 16_000_000n, gasUsed: gas }
  }
}

export const FJORD_MIN_TX_SIZE_SCALED = 100_000_000n
export const FJORD_INTERCEPT = -42_585_600n
export const FJORD_FASTLZ_COEF = 836_500n

export function fjordEstimatedSize(fastlzLen: number): bigint {
  const est = FJORD_INTERCEPT + FJORD_FASTLZ_COEF * BigInt(fastlzLen)
  return est > FJORD_MIN_TX_SIZE_SCALED ? est : FJORD_MIN_TX_SIZE_SCALED
}

export function fjordL1Cost(p: L1FeeParams): L1CostFunction {
  const scaled = p.baseFeeScalar * p.l1BaseFee * 16n + p.blobBaseFeeScalar * p.l1BlobBaseFee
  return (tx): L1CostResult => {
    const est = fjordEstimatedSize(flzCompressLen(tx))
    return { fee: (est * scaled) / 1_000_000_000_000n, gasUsed: (est * 16n) / 1_000_000n }
  }
}

/** Chooses the cost function as op-geth does, including the first-Ecotone-block (Bedrock formula) edge case. */
export function selectL1CostFunction(p: L1FeeParams, forks: OpForks): L1CostFunction {
  if (!forks.ecotone) return bedrockL1Cost(p, forks.regolith)
  if (p.l1BlobBaseFee === 0n && p.baseFeeScalar === 0n && p.blobBaseFeeScalar === 0n) return bedrockL1Cost(p, true)
  if (forks.fjord) return fjordL1Cost(p)
  return ecotoneL1Cost(p)
}

export function l1ReceiptFields(p: L1FeeParams, forks: OpForks): L1FeeReceiptFields {
  if (!forks.ecotone) return { l1GasPrice: p.l1BaseFee }
  return {
    l1GasPrice: p.l1BaseFee,
    l1BlobBaseFee: p.l1BlobBaseFee,
    l1BaseFeeScalar: p.baseFeeScalar,
    l1BlobBaseFeeScalar: p.blobBaseFeeScalar,
  }
}
