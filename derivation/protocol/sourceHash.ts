import { keccak_256 } from '@noble/hashes/sha3.js'
import { writeUintBE } from '../../config/bytes.ts'
import { DepositTxError } from './errors.ts'

// Deposit source hashes (opstack-spec §1.2): keccak256(word(domain) ++ innerHash).

export const SourceHashDomain = {
  UserDeposit: 0,
  L1InfoDeposit: 1,
  Upgrade: 2,
  AfterForceInclude: 3,
} as const
export type SourceHashDomain = (typeof SourceHashDomain)[keyof typeof SourceHashDomain]

const utf8 = new TextEncoder()

/** keccak256(word(domain) ++ innerHash). */
export function depositSourceHash(domain: SourceHashDomain, innerHash: Uint8Array): Uint8Array {
  if (innerHash.length !== 32) {
    throw new DepositTxError('DEPOSIT_TX_INVALID_FIELD', 'source hash inner hash must be 32 bytes', {
      length: innerHash.length,
    })
  }
  const buf = new Uint8Array(64)
  buf[31] = domain
  buf.set(innerHash, 32)
  return keccak_256(buf)
}

/** keccak256(l1BlockHash ++ word(index)). */
function blockHashAndIndex(l1BlockHash: Uint8Array, index: bigint | number): Uint8Array {
  if (l1BlockHash.length !== 32) {
    throw new DepositTxError('DEPOSIT_TX_INVALID_FIELD', 'L1 block hash must be 32 bytes', {
      length: l1BlockHash.length,
    })
  }
  const buf = new Uint8Array(64)
  buf.set(l1BlockHash, 0)
  writeUintBE(buf, 32, 32, BigInt(index))
  return keccak_256(buf)
}

/** Domain 0: a user deposit; `logIndex` is the log's index within the whole L1 block. */
export function userDepositSourceHash(l1BlockHash: Uint8Array, logIndex: bigint | number): Uint8Array {
  return depositSourceHash(SourceHashDomain.UserDeposit, blockHashAndIndex(l1BlockHash, logIndex))
}

/** Domain 1: the L1 attributes deposit; `seqNumber` is the L2 block's position within its epoch. */
export function l1InfoDepositSourceHash(l1BlockHash: Uint8Array, seqNumber: bigint | number): Uint8Array {
  return depositSourceHash(SourceHashDomain.L1InfoDeposit, blockHashAndIndex(l1BlockHash, seqNumber))
}

/** Domain 2: a network-upgrade deposit, inner hash = keccak256(utf8(intent)). */
export function upgradeDepositSourceHash(intent: string): Uint8Array {
  return depositSourceHash(SourceHashDomain.Upgrade, keccak_256(utf8.encode(intent)))
}

/** Domain 3 (interop only): same inner hash as the L1-info domain. */
export function afterForceIncludeSourceHash(l1BlockHash: Uint8Array, seqNumber: bigint | number): Uint8Array {
  return depositSourceHash(SourceHashDomain.AfterForceInclude, blockHashAndIndex(l1BlockHash, seqNumber))
}
