import { EVMError, type ExecResult, type PrecompileInput } from '@ethereumjs/evm'
import { p256 } from '@noble/curves/nist.js'

// RIP-7212 P256VERIFY at 0x…0100, active from Fjord (opstack-spec §0). Gas is a flat 3450 (RIP-7212; not the
// 6900 of EIP-7951). Input: hash(32) r(32) s(32) x(32) y(32). Output: 32-byte 1 when valid, empty otherwise.
export const P256VERIFY_ADDRESS = '0000000000000000000000000000000000000100'
export const P256VERIFY_GAS = 3450n

const ONE = (() => {
  const b = new Uint8Array(32)
  b[31] = 1
  return b
})()

export function p256Verify(input: Uint8Array): boolean {
  if (input.length !== 160) return false
  const hash = input.subarray(0, 32)
  const sig = input.subarray(32, 96)
  const pub = new Uint8Array(65)
  pub[0] = 0x04
  pub.set(input.subarray(96, 160), 1)
  try {
    return p256.verify(sig, hash, pub, { prehash: false, lowS: false, format: 'compact' })
  } catch {
    return false
  }
}

export function p256VerifyPrecompile(opts: PrecompileInput): ExecResult {
  if (opts.gasLimit < P256VERIFY_GAS) {
    return {
      returnValue: new Uint8Array(0),
      executionGasUsed: opts.gasLimit,
      exceptionError: new EVMError(EVMError.errorMessages.OUT_OF_GAS),
    }
  }
  return { executionGasUsed: P256VERIFY_GAS, returnValue: p256Verify(opts.data) ? ONE : new Uint8Array(0) }
}
