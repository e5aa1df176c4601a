import type { CustomCrypto } from '@ethereumjs/common'
import secp256k1 from 'secp256k1'
import { keccak256 as keccak_256 } from '../../config/keccak.ts'

// Native secp256k1 (prebuilt binary) recovers ~20x faster than the pure-JS curve ethereumjs uses by default.

const sigBuf = new Uint8Array(64)

function pad32(b: Uint8Array): Uint8Array {
  if (b.length === 32) return b
  const out = new Uint8Array(32)
  out.set(b.subarray(Math.max(0, b.length - 32)), 32 - Math.min(32, b.length))
  return out
}

/** Recovers the 64-byte uncompressed public key (without the 0x04 prefix). Throws on an invalid signature. */
export function recoverPublicKey(msgHash: Uint8Array, recid: number, r: Uint8Array, s: Uint8Array): Uint8Array {
  if (recid !== 0 && recid !== 1) throw new Error('invalid signature recovery id')
  sigBuf.set(pad32(r), 0)
  sigBuf.set(pad32(s), 32)
  const pub = secp256k1.ecdsaRecover(sigBuf, recid, msgHash, false)
  return pub.subarray(1)
}

export function publicKeyToAddress(pub64: Uint8Array): Uint8Array {
  return keccak_256(pub64).subarray(12)
}

export function recoverAddress(msgHash: Uint8Array, recid: number, r: Uint8Array, s: Uint8Array): Uint8Array {
  return publicKeyToAddress(recoverPublicKey(msgHash, recid, r, s))
}

/** Recovery id from a tx `v` (legacy 27/28, EIP-155, or typed 0/1). */
export function recoveryId(v: bigint, chainId?: bigint): number {
  if (v === 0n || v === 1n) return Number(v)
  if (v === 27n || v === 28n) return Number(v - 27n)
  if (chainId !== undefined) return Number(v - chainId * 2n - 35n)
  throw new Error(`invalid signature v ${v}`)
}

/** ethereumjs customCrypto hooks: native ecrecover, noble keccak. */
export const nativeCrypto: CustomCrypto = {
  keccak256: keccak_256,
  ecrecover: (msgHash: Uint8Array, v: bigint, r: Uint8Array, s: Uint8Array, chainId?: bigint) =>
    recoverPublicKey(msgHash, recoveryId(v, chainId), r, s),
}
