import { readFileSync } from 'node:fs'
import { bigIntToMinimalBytes, bytesToHex } from '../../config/bytes.ts'
import type { EigenDACert, G1Point, G2Point, NonSignerStakesAndSignature } from '../../da-eigen/index.ts'

// Loads the EigenDA vectors copied into test/fixtures/eigenda (see its README for their origins), and maps a
// decoded cert to the JSON shape of `expected_cert_fields` so whole certs can be compared field by field.

const dir = new URL('../fixtures/eigenda/', import.meta.url)

export function fixtureJson<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as T
}

export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(name, dir)))
}

export interface V3Vector {
  name: string
  l1_tx_hash: string
  raw_l1_tx_eip1559: string
  batcher_inbox_calldata: string
  altda_commitment: string
  expected_commitment_parse: Record<string, unknown> & { rlp_cert_len: number; cert_version_byte: number }
  expected_cert_fields: unknown
  encoded_payload: string
  expected_encoded_payload_header: {
    byte0: number
    payload_encoding_version: number
    payload_length: number
    len_symbols: number
  }
  expected_decoded_payload: string
  expected_payload_frame: {
    derivation_version: number
    channel_id: string
    frame_number: number
    frame_data_length: number
    is_last: number
  }
}

export interface V2Vector {
  name: string
  batcher_inbox_calldata?: string
  file?: string
  file_len?: number
  expected_commitment_parse: unknown
  expected_cert_fields: unknown
}

export const v3Vectors = (): V3Vector[] => fixtureJson<{ vectors: V3Vector[] }>('hokulea_sepolia_v3_certs.json').vectors
export const v2Vectors = (): V2Vector[] => fixtureJson<{ vectors: V2Vector[] }>('hokulea_sepolia_v2_certs.json').vectors

const int = (v: bigint): string => bytesToHex(bigIntToMinimalBytes(v))
const g1 = (p: G1Point) => ({ X: int(p.x), Y: int(p.y) })
const g2 = (p: G2Point) => ({ X: [int(p.x[0]), int(p.x[1])], Y: [int(p.y[0]), int(p.y[1])] })
const nss = (n: NonSignerStakesAndSignature) => ({
  nonSignerQuorumBitmapIndices: n.nonSignerQuorumBitmapIndices,
  nonSignerPubkeys: n.nonSignerPubkeys.map(g1),
  quorumApks: n.quorumApks.map(g1),
  apkG2: g2(n.apkG2),
  sigma: g1(n.sigma),
  quorumApkIndices: n.quorumApkIndices,
  totalStakeIndices: n.totalStakeIndices,
  nonSignerStakeIndices: n.nonSignerStakeIndices,
})

/** A V2/V3 cert in the vectors' JSON shape (hex strings, minimal-integer coordinates). */
export function certToVectorShape(cert: EigenDACert): unknown {
  if (cert.versionByte === 0x00) throw new Error('no V1 vectors')
  const b = cert.blobInclusionInfo
  const h = b.blobCertificate.blobHeader
  return {
    batchHeader: {
      batchRoot: bytesToHex(cert.batchHeader.batchRoot),
      referenceBlockNumber: cert.batchHeader.referenceBlockNumber,
    },
    blobInclusionInfo: {
      blobCertificate: {
        blobHeader: {
          version: h.version,
          quorumNumbers: bytesToHex(h.quorumNumbers),
          commitment: {
            commitment: g1(h.commitment.commitment),
            lengthCommitment: g2(h.commitment.lengthCommitment),
            lengthProof: g2(h.commitment.lengthProof),
            length: h.commitment.length,
          },
          paymentHeaderHash: bytesToHex(h.paymentHeaderHash),
        },
        signature: bytesToHex(b.blobCertificate.signature),
        relayKeys: b.blobCertificate.relayKeys,
      },
      blobIndex: b.blobIndex,
      inclusionProof: bytesToHex(b.inclusionProof),
    },
    nonSignerStakesAndSignature: nss(cert.nonSignerStakesAndSignature),
    signedQuorumNumbers: bytesToHex(cert.signedQuorumNumbers),
  }
}
