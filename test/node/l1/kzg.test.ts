import { describe, expect, it } from 'vitest'
import { bytesToHex } from '../../../config/bytes.ts'
import { BLOB_SIZE, kzgToVersionedHash, nodeKzg } from '../../../node/l1/kzg.ts'

// Cross-check of the pure-JS KZG against c-kzg-4844: the expected versioned hash was computed with kzg-wasm 1.0.0
// (c-kzg-4844 compiled to WASM, mainnet trusted setup) for the blob whose only non-zero byte is blob[1] = 5.

describe('nodeKzg', () => {
  it('matches c-kzg-4844 on a known blob', () => {
    const blob = new Uint8Array(BLOB_SIZE)
    blob[1] = 5
    const commitment = nodeKzg().blobToKzgCommitment(blob)
    expect(kzgToVersionedHash(commitment)).toBe('0x01d6090a870ee97c240bf67dad1b8ce530f66548b92b8ad76000aa9f0e1889ab')
  })

  it('the zero blob commits to the point at infinity; a proof that is not for the blob fails', () => {
    const kzg = nodeKzg()
    const zero = new Uint8Array(BLOB_SIZE)
    const infinity = `0xc0${'00'.repeat(47)}`
    expect(bytesToHex(kzg.blobToKzgCommitment(zero))).toBe(infinity)
    const blob = new Uint8Array(BLOB_SIZE)
    blob[33] = 1
    // The zero blob's proof (infinity) does not open another blob's commitment.
    expect(kzg.verifyBlobKzgProof(blob, kzg.blobToKzgCommitment(blob), kzg.blobToKzgCommitment(zero))).toBe(false)
    // A field element >= the BLS modulus is not a blob: a failed check, not a throw.
    const bad = new Uint8Array(BLOB_SIZE).fill(0xff)
    expect(kzg.verifyBlobKzgProof(bad, kzg.blobToKzgCommitment(zero), kzg.blobToKzgCommitment(zero))).toBe(false)
  })
})
