import { RLP } from '@ethereumjs/rlp'
import { bigIntToMinimalBytes, bytesEqual, bytesToBigInt } from '../../../config/bytes.ts'
import { keccak256 as keccak_256 } from '../../../config/keccak.ts'
import { EMPTY_TRIE_ROOT } from '../header.ts'

export const KECCAK_EMPTY = keccak_256(new Uint8Array(0))

/** Account as stored in the state trie. Treated as immutable: updates create a new record. */
export interface AccountRecord {
  readonly nonce: bigint
  readonly balance: bigint
  readonly storageRoot: Uint8Array
  readonly codeHash: Uint8Array
}

export const EMPTY_ACCOUNT: AccountRecord = Object.freeze({
  nonce: 0n,
  balance: 0n,
  storageRoot: EMPTY_TRIE_ROOT,
  codeHash: KECCAK_EMPTY,
})

// Byte helpers shared with the codecs (config/bytes.ts), under the names the engine uses.
export const bigintToBytes = bigIntToMinimalBytes
export const bytesToBigint = (b: Uint8Array): bigint => bytesToBigInt(b)
export { bytesEqual }

export function encodeAccount(a: AccountRecord): Uint8Array {
  return RLP.encode([bigintToBytes(a.nonce), bigintToBytes(a.balance), a.storageRoot, a.codeHash])
}

export function decodeAccount(raw: Uint8Array): AccountRecord {
  const f = RLP.decode(raw) as Uint8Array[]
  if (!Array.isArray(f) || f.length !== 4) throw new Error('state: account RLP must be a 4-item list')
  return {
    nonce: bytesToBigint(f[0] as Uint8Array),
    balance: bytesToBigint(f[1] as Uint8Array),
    storageRoot: f[2] as Uint8Array,
    codeHash: f[3] as Uint8Array,
  }
}

export function isEmptyAccount(a: AccountRecord): boolean {
  return a.nonce === 0n && a.balance === 0n && bytesEqual(a.codeHash, KECCAK_EMPTY)
}

/** Strips leading zero bytes (storage values are stored unpadded, zero = empty). */
export function unpad(b: Uint8Array): Uint8Array {
  let i = 0
  while (i < b.length && b[i] === 0) i++
  return i === 0 ? b : b.subarray(i)
}
