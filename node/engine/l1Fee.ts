import { createAddressFromString } from '@ethereumjs/util'
import {
  type L1CostParams,
  l1CostParamsFromL1BlockSlots,
  rollupCostData,
  selectL1CostFunction,
} from '../../config/protocol/l1Cost.ts'
import type { OpForks } from './chainSpec.ts'
import type { L1CostFunction } from './opTxProcessor.ts'
import type { StateDB } from './state/stateDB.ts'

// The engine side of the L1 data fee (opstack-spec §3.3): read the parameters from L1Block storage after the
// block's deposits ran (slots 1, 3, 5, 6, 7), pick the fork's formula (config/protocol/l1Cost.ts), and add the
// per-block values op-geth reports in receipts.

export const L1_BLOCK = createAddressFromString('0x4200000000000000000000000000000000000015')

function slot(n: number): Uint8Array {
  const b = new Uint8Array(32)
  b[31] = n
  return b
}

export async function readL1FeeParams(state: StateDB): Promise<L1CostParams> {
  const [s1, s3, s5, s6, s7] = await Promise.all([1, 3, 5, 6, 7].map((n) => state.getStorage(L1_BLOCK, slot(n))))
  return l1CostParamsFromL1BlockSlots(
    s1 as Uint8Array,
    s3 as Uint8Array,
    s5 as Uint8Array,
    s6 as Uint8Array,
    s7 as Uint8Array,
  )
}

/** The block's L1 fee function over signed tx bytes, with the receipt fields op-geth serves. */
export function l1FeeFunction(p: L1CostParams, forks: OpForks): L1CostFunction {
  const fn = selectL1CostFunction(p, forks.fjord, forks.ecotone, forks.regolith)
  const fields = forks.ecotone
    ? {
        l1GasPrice: p.l1BaseFee,
        l1BlobBaseFee: p.l1BlobBaseFee,
        l1BaseFeeScalar: p.baseFeeScalar,
        l1BlobBaseFeeScalar: p.blobBaseFeeScalar,
      }
    : { l1GasPrice: p.l1BaseFee }
  return (raw) => {
    const r = fn(rollupCostData(raw))
    return { fee: r.fee, gasUsed: r.l1GasUsed, ...fields }
  }
}
