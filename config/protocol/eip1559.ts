import { readU32BE, writeU32BE } from '../bytes.ts'
import { NodeError } from '../errors.ts'

// EIP-1559 next base fee with OP parameters (opstack-spec §3.1, §11): geth's CalcBaseFee integer arithmetic,
// the Canyon denominator from Canyon on, and Holocene's per-block params carried in the parent's extraData.

export type Eip1559ErrorCode =
  /** Holocene extraData is not 9 bytes. */
  | 'EIP1559_EXTRA_DATA_LENGTH'
  /** Holocene extraData version byte is not 0. */
  | 'EIP1559_EXTRA_DATA_VERSION'
  /** eip1559Params (payload attributes / SystemConfig) are not 8 bytes. */
  | 'EIP1559_PARAMS_LENGTH'
  /** A zero denominator with a non-zero elasticity (or vice versa), or zero params where they must be set. */
  | 'EIP1559_ZERO_PARAM'
  /** A parameter does not fit in u32. */
  | 'EIP1559_PARAM_RANGE'
  /** gasLimit / elasticity is 0 but the parent used gas (geth would divide by zero). */
  | 'EIP1559_ZERO_GAS_TARGET'

export class Eip1559Error extends NodeError<Eip1559ErrorCode> {}

export interface Eip1559Params {
  /** base fee max change denominator (u32 in Holocene encodings) */
  denominator: bigint
  /** elasticity multiplier (u32 in Holocene encodings) */
  elasticity: bigint
}

/** Chain constants from genesis `config.optimism`. */
export interface OpEip1559Config {
  elasticity: bigint
  denominator: bigint
  denominatorCanyon: bigint
}

export const HOLOCENE_EXTRA_DATA_VERSION = 0
export const HOLOCENE_EXTRA_DATA_LEN = 9

export interface ParentFeeFields {
  gasLimit: bigint
  gasUsed: bigint
  baseFeePerGas: bigint
}

/**
 * geth `CalcBaseFee` for a London+ parent: target = gasLimit / elasticity; equal → unchanged; above →
 * baseFee + max(1, baseFee * (used - target) / target / denominator); below →
 * max(0, baseFee - baseFee * (target - used) / target / denominator).
 */
export function calcBaseFee(parent: ParentFeeFields, params: Eip1559Params): bigint {
  if (params.elasticity <= 0n || params.denominator <= 0n) {
    throw new Eip1559Error('EIP1559_ZERO_PARAM', 'elasticity and denominator must be positive', {
      denominator: params.denominator.toString(),
      elasticity: params.elasticity.toString(),
    })
  }
  const target = parent.gasLimit / params.elasticity
  if (parent.gasUsed === target) return parent.baseFeePerGas
  if (target === 0n) {
    throw new Eip1559Error('EIP1559_ZERO_GAS_TARGET', 'gas target is 0 (gasLimit below elasticity)', {
      gasLimit: parent.gasLimit.toString(),
    })
  }
  if (parent.gasUsed > target) {
    const delta = (parent.baseFeePerGas * (parent.gasUsed - target)) / target / params.denominator
    return parent.baseFeePerGas + (delta < 1n ? 1n : delta)
  }
  const delta = (parent.baseFeePerGas * (target - parent.gasUsed)) / target / params.denominator
  const next = parent.baseFeePerGas - delta
  return next < 0n ? 0n : next
}

function checkU32(name: string, v: bigint): number {
  if (v < 0n || v > 0xffff_ffffn) {
    throw new Eip1559Error('EIP1559_PARAM_RANGE', `${name} does not fit in u32`, { [name]: v.toString() })
  }
  return Number(v)
}

/** 8 bytes be32(denominator) ++ be32(elasticity) (payload attributes `eip1559Params`, SystemConfig type 4). */
export function encodeEip1559Params(p: Eip1559Params): Uint8Array {
  const out = new Uint8Array(8)
  writeU32BE(out, 0, checkU32('denominator', p.denominator))
  writeU32BE(out, 4, checkU32('elasticity', p.elasticity))
  return out
}

export function decodeEip1559Params(b: Uint8Array): Eip1559Params {
  if (b.length !== 8) {
    throw new Eip1559Error('EIP1559_PARAMS_LENGTH', `eip1559Params must be 8 bytes, got ${b.length}`, {
      length: b.length,
    })
  }
  return { denominator: BigInt(readU32BE(b, 0)), elasticity: BigInt(readU32BE(b, 4)) }
}

/** Attributes-level rule (op-geth `ValidateHolocene1559Params`): denominator 0 is allowed only with elasticity 0. */
export function validateEip1559Params(b: Uint8Array): Eip1559Params {
  const p = decodeEip1559Params(b)
  if (p.denominator === 0n && p.elasticity !== 0n) {
    throw new Eip1559Error('EIP1559_ZERO_PARAM', 'denominator is 0 but elasticity is not', {
      elasticity: p.elasticity.toString(),
    })
  }
  return p
}

/** Holocene header extraData: 0x00 ++ be32(denominator) ++ be32(elasticity). */
export function encodeHoloceneExtraData(p: Eip1559Params): Uint8Array {
  const out = new Uint8Array(HOLOCENE_EXTRA_DATA_LEN)
  out[0] = HOLOCENE_EXTRA_DATA_VERSION
  out.set(encodeEip1559Params(p), 1)
  return out
}

/** Decodes Holocene extraData (length 9, version 0). The values are returned as stored, zeros included. */
export function decodeHoloceneExtraData(extra: Uint8Array): Eip1559Params {
  if (extra.length !== HOLOCENE_EXTRA_DATA_LEN) {
    throw new Eip1559Error('EIP1559_EXTRA_DATA_LENGTH', `Holocene extraData must be 9 bytes, got ${extra.length}`, {
      length: extra.length,
    })
  }
  if (extra[0] !== HOLOCENE_EXTRA_DATA_VERSION) {
    throw new Eip1559Error('EIP1559_EXTRA_DATA_VERSION', `Holocene extraData version ${extra[0]} is not 0`, {
      version: extra[0],
    })
  }
  return decodeEip1559Params(extra.subarray(1))
}

/** Header validation: well-formed Holocene extraData whose denominator and elasticity are both non-zero. */
export function validateHoloceneExtraData(extra: Uint8Array): Eip1559Params {
  const p = decodeHoloceneExtraData(extra)
  if (p.denominator === 0n || p.elasticity === 0n) {
    throw new Eip1559Error('EIP1559_ZERO_PARAM', 'Holocene extraData params must be non-zero', {
      denominator: p.denominator.toString(),
      elasticity: p.elasticity.toString(),
    })
  }
  return p
}

/** The pre-Holocene (static) params of a block: the Canyon denominator if the block is Canyon. */
export function staticEip1559Params(cfg: OpEip1559Config, isCanyon: boolean): Eip1559Params {
  return { denominator: isCanyon ? cfg.denominatorCanyon : cfg.denominator, elasticity: cfg.elasticity }
}

/**
 * Resolves the params that go into a Holocene block's extraData from the attributes' 8-byte `eip1559Params`:
 * all-zero (e.g. the Holocene activation block) means the Canyon constants.
 */
export function holoceneParamsFromAttributes(eip1559Params: Uint8Array, cfg: OpEip1559Config): Eip1559Params {
  const p = validateEip1559Params(eip1559Params)
  if (p.denominator === 0n && p.elasticity === 0n) return staticEip1559Params(cfg, true)
  return p
}

/** extraData for a Holocene block built from attributes' `eip1559Params`. */
export function holoceneExtraDataFromAttributes(eip1559Params: Uint8Array, cfg: OpEip1559Config): Uint8Array {
  return encodeHoloceneExtraData(holoceneParamsFromAttributes(eip1559Params, cfg))
}

/**
 * Params that determine a child's base fee. If the parent is a Holocene block its extraData params apply (all-zero
 * params mean the Canyon constants; a half-zero pair is an error); otherwise the chain constants, with the Canyon
 * denominator when the child is Canyon.
 */
export function eip1559ParamsForChild(
  cfg: OpEip1559Config,
  parentExtraData: Uint8Array,
  parentIsHolocene: boolean,
  childIsCanyon: boolean,
): Eip1559Params {
  if (parentIsHolocene) {
    const p = decodeHoloceneExtraData(parentExtraData)
    if (p.denominator === 0n && p.elasticity === 0n) return staticEip1559Params(cfg, true)
    if (p.denominator === 0n || p.elasticity === 0n) {
      throw new Eip1559Error('EIP1559_ZERO_PARAM', 'parent Holocene extraData has one zero param', {
        denominator: p.denominator.toString(),
        elasticity: p.elasticity.toString(),
      })
    }
    return p
  }
  return staticEip1559Params(cfg, childIsCanyon)
}

/** Next base fee of the child of `parent` under OP rules. */
export function nextBaseFee(
  cfg: OpEip1559Config,
  parent: ParentFeeFields & { extraData: Uint8Array },
  parentIsHolocene: boolean,
  childIsCanyon: boolean,
): bigint {
  return calcBaseFee(parent, eip1559ParamsForChild(cfg, parent.extraData, parentIsHolocene, childIsCanyon))
}
