import { type Common, createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common'
import type { OpEip1559Config } from '../../config/protocol/eip1559.ts'
import { nativeCrypto } from './crypto.ts'

/** The L2 execution parameters the engine needs (the `config` of an op-geth genesis). */
export interface ChainSpec {
  chainId: bigint
  regolithTime?: bigint
  canyonTime?: bigint
  deltaTime?: bigint
  ecotoneTime?: bigint
  fjordTime?: bigint
  graniteTime?: bigint
  holoceneTime?: bigint
  isthmusTime?: bigint
  eip1559Elasticity: bigint
  eip1559Denominator: bigint
  eip1559DenominatorCanyon: bigint
}

export interface OpForks {
  regolith: boolean
  canyon: boolean
  delta: boolean
  ecotone: boolean
  fjord: boolean
  granite: boolean
  holocene: boolean
  isthmus: boolean
}

const active = (t: bigint, at?: bigint) => at !== undefined && t >= at

export function forksAt(spec: ChainSpec, timestamp: bigint): OpForks {
  return {
    regolith: active(timestamp, spec.regolithTime),
    canyon: active(timestamp, spec.canyonTime),
    delta: active(timestamp, spec.deltaTime),
    ecotone: active(timestamp, spec.ecotoneTime),
    fjord: active(timestamp, spec.fjordTime),
    granite: active(timestamp, spec.graniteTime),
    holocene: active(timestamp, spec.holoceneTime),
    isthmus: active(timestamp, spec.isthmusTime),
  }
}

/** The chain's EIP-1559 constants in config/protocol/eip1559.ts's shape. */
export function opEip1559Config(spec: ChainSpec): OpEip1559Config {
  return {
    elasticity: spec.eip1559Elasticity,
    denominator: spec.eip1559Denominator,
    denominatorCanyon: spec.eip1559DenominatorCanyon,
  }
}

/** The L1 (EVM) hardfork an OP fork set implies: Canyon = Shanghai, Ecotone = Cancun, Isthmus = Prague. */
export function evmHardfork(f: OpForks): Hardfork {
  if (f.isthmus) return Hardfork.Prague
  if (f.ecotone) return Hardfork.Cancun
  if (f.canyon) return Hardfork.Shanghai
  return Hardfork.Paris
}

/** One ethereumjs Common per EVM hardfork for this chain, using native signature recovery. */
export class CommonCache {
  private readonly byFork = new Map<string, Common>()
  constructor(private readonly spec: ChainSpec) {}

  at(timestamp: bigint): Common {
    const hf = evmHardfork(forksAt(this.spec, timestamp))
    let c = this.byFork.get(hf)
    if (!c) {
      c = createCustomCommon({ chainId: Number(this.spec.chainId), name: `op-l2-${this.spec.chainId}` }, Mainnet, {
        hardfork: hf,
        customCrypto: nativeCrypto,
      })
      this.byFork.set(hf, c)
    }
    return c
  }
}
