import type { ChainSpec, OpForks } from './chainSpec.ts'

// EIP-1559 base fee of a child block with OP parameters (opstack-spec §3.1): geth's CalcBaseFee integer math,
// the Canyon denominator from Canyon on, and Holocene's per-block params from the parent's extraData.

export interface Eip1559Params {
  denominator: bigint
  elasticity: bigint
}

/** Holocene extraData: 0x00 ++ be32(denominator) ++ be32(elasticity). */
export function decodeHoloceneExtraData(extra: Uint8Array): Eip1559Params {
  if (extra.length !== 9 || extra[0] !== 0) throw new Error('holocene extraData must be 9 bytes starting with 0x00')
  const v = new DataView(extra.buffer, extra.byteOffset, 9)
  return { denominator: BigInt(v.getUint32(1)), elasticity: BigInt(v.getUint32(5)) }
}

export function encodeHoloceneExtraData(p: Eip1559Params): Uint8Array {
  const out = new Uint8Array(9)
  const v = new DataView(out.buffer)
  v.setUint32(1, Number(p.denominator))
  v.setUint32(5, Number(p.elasticity))
  return out
}

export function eip1559ParamsFor(spec: ChainSpec, forks: OpForks, parentExtra: Uint8Array, parentHolocene: boolean) {
  if (parentHolocene) {
    const p = decodeHoloceneExtraData(parentExtra)
    if (p.denominator !== 0n && p.elasticity !== 0n) return p
  }
  return {
    denominator: forks.canyon ? spec.eip1559DenominatorCanyon : spec.eip1559Denominator,
    elasticity: spec.eip1559Elasticity,
  }
}

export function nextBaseFee(
  parent: { gasLimit: bigint; gasUsed: bigint; baseFeePerGas: bigint },
  p: Eip1559Params,
): bigint {
  const target = parent.gasLimit / p.elasticity
  if (parent.gasUsed === target) return parent.baseFeePerGas
  if (parent.gasUsed > target) {
    const delta = (parent.baseFeePerGas * (parent.gasUsed - target)) / target / p.denominator
    return parent.baseFeePerGas + (delta > 1n ? delta : 1n)
  }
  const delta = (parent.baseFeePerGas * (target - parent.gasUsed)) / target / p.denominator
  const next = parent.baseFeePerGas - delta
  return next > 0n ? next : 0n
}
