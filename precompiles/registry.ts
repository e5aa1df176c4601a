import type { Common } from '@ethereumjs/common'
import { type CustomPrecompile, getActivePrecompiles, type PrecompileFunc } from '@ethereumjs/evm'
import { Address } from '@ethereumjs/util'
import { BN256_PAIRING_ADDRESS, graniteBn256Pairing } from './08-bn256PairingGranite.ts'
import { P256VERIFY_ADDRESS, p256VerifyPrecompile } from './0100-p256verify.ts'

/** OP forks that change the precompile set (opstack-spec §0). */
export interface PrecompileForks {
  fjord: boolean
  granite: boolean
}

/** Extra native precompiles contributed by extensions (e.g. attribution), chosen per block. */
export interface PrecompileExtension {
  precompiles(forks: PrecompileForks): CustomPrecompile[]
}

function addr(hex: string): Address {
  return new Address(Buffer.from(hex, 'hex'))
}

/**
 * The OP precompile overrides for a fork, on top of the L1 set ethereumjs activates for `common`'s hardfork:
 * RIP-7212 P256VERIFY from Fjord, the Granite bn256Pairing input cap, then any extensions.
 */
export function opPrecompiles(
  common: Common,
  forks: PrecompileForks,
  extensions: readonly PrecompileExtension[] = [],
): CustomPrecompile[] {
  const out: CustomPrecompile[] = []
  if (forks.fjord) out.push({ address: addr(P256VERIFY_ADDRESS), function: p256VerifyPrecompile })
  if (forks.granite) {
    const standard = getActivePrecompiles(common).get(BN256_PAIRING_ADDRESS) as PrecompileFunc
    out.push({ address: addr(BN256_PAIRING_ADDRESS), function: graniteBn256Pairing(standard) })
  }
  for (const ext of extensions) out.push(...ext.precompiles(forks))
  return out
}
