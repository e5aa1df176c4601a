import { RLP } from '@ethereumjs/rlp'
import { keccak256 } from '../../config/keccak.ts'
import { L1_INFO_DEPOSITOR, PREDEPLOYS } from '../../config/protocol/addresses.ts'
import { bigintToBytes } from '../engine/state/account.ts'

// The L1 attributes deposit (opstack-spec §2): Ecotone calldata layout, source hash domain 1, from the
// depositor to L1Block with 1,000,000 gas. Used by the single-node dev chain; derivation builds the same
// transaction from the L1 origin.

export interface L1Origin {
  number: bigint
  timestamp: bigint
  baseFee: bigint
  blobBaseFee: bigint
  hash: Uint8Array
  mixHash: Uint8Array
  parentBeaconBlockRoot?: Uint8Array
}

export interface L1InfoParams extends L1Origin {
  sequenceNumber: bigint
  batcher: Uint8Array
  baseFeeScalar: number
  blobBaseFeeScalar: number
}

/** EIP-4844 fake exponential (blob base fee from excess blob gas). */
export function fakeExponential(factor: bigint, numerator: bigint, denominator: bigint): bigint {
  let i = 1n
  let output = 0n
  let acc = factor * denominator
  while (acc > 0n) {
    output += acc
    acc = (acc * numerator) / (denominator * i)
    i++
  }
  return output / denominator
}

export const BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN = 3338477n
export const BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE = 5007716n

export function l1InfoCalldataEcotone(p: L1InfoParams): Uint8Array {
  const b = Buffer.alloc(164)
  b.write('440a5e20', 0, 'hex')
  b.writeUInt32BE(p.baseFeeScalar, 4)
  b.writeUInt32BE(p.blobBaseFeeScalar, 8)
  b.writeBigUInt64BE(p.sequenceNumber, 12)
  b.writeBigUInt64BE(p.timestamp, 20)
  b.writeBigUInt64BE(p.number, 28)
  Buffer.from(p.baseFee.toString(16).padStart(64, '0'), 'hex').copy(b, 36)
  Buffer.from(p.blobBaseFee.toString(16).padStart(64, '0'), 'hex').copy(b, 68)
  Buffer.from(p.hash).copy(b, 100)
  Buffer.from(p.batcher).copy(b, 144)
  return b
}

export function l1InfoSourceHash(l1Hash: Uint8Array, seq: bigint): Uint8Array {
  const inner = keccak256(Buffer.concat([l1Hash, Buffer.from(seq.toString(16).padStart(64, '0'), 'hex')]))
  const domain = Buffer.alloc(32)
  domain[31] = 1
  return keccak256(Buffer.concat([domain, inner]))
}

export function l1InfoDepositTx(p: L1InfoParams): Uint8Array {
  const body = RLP.encode([
    l1InfoSourceHash(p.hash, p.sequenceNumber),
    Buffer.from(L1_INFO_DEPOSITOR.slice(2), 'hex'),
    Buffer.from(PREDEPLOYS.L1Block.slice(2), 'hex'),
    new Uint8Array(0),
    new Uint8Array(0),
    bigintToBytes(1_000_000n),
    new Uint8Array(0),
    l1InfoCalldataEcotone(p),
  ])
  return Buffer.concat([Uint8Array.of(0x7e), body])
}
