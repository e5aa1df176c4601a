import { EVMError, type ExecResult, type PrecompileFunc, type PrecompileInput } from '@ethereumjs/evm'

// Granite caps the bn256Pairing precompile (0x08) input at 112687 bytes; longer inputs fail and consume all
// gas (op-geth: "bad elliptic curve pairing input size"). Below the cap the standard precompile runs unchanged.
export const BN256_PAIRING_ADDRESS = '0000000000000000000000000000000000000008'
export const BN256_PAIRING_MAX_INPUT_GRANITE = 112687

export function graniteBn256Pairing(standard: PrecompileFunc) {
  return (opts: PrecompileInput): ExecResult | Promise<ExecResult> => {
    if (opts.data.length > BN256_PAIRING_MAX_INPUT_GRANITE) {
      return {
        returnValue: new Uint8Array(0),
        executionGasUsed: opts.gasLimit,
        exceptionError: new EVMError(EVMError.errorMessages.OUT_OF_GAS),
      }
    }
    return standard(opts)
  }
}
