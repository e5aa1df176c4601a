import { concatBytes } from '../config/bytes.ts'
import { keccak256 } from '../config/keccak.ts'
import { decodeCert, type EigenDACert, encodeCert, isCertVersionByte } from './cert.ts'
import { CertError, CommitmentError } from './errors.ts'

// OP alt-DA batcher-inbox tx data and commitments (opstack-spec §8, eigenda.md §2.1-2.3):
//   txdata     = 0x01 (alt-DA tx-data version) ++ commitment
//   commitment = 0x00 ++ keccak256(input)                                  (Keccak256Commitment)
//              | 0x01 ++ 0x00 (EigenDA) ++ cert version byte ++ RLP cert   (GenericCommitment, EigenDA)
// The commitment is what eigenda-proxy returns from POST /put and what op-node sends in GET /get/0x<hex>.

/** First byte of batcher tx data that carries an alt-DA commitment (DerivationVersion1). */
export const ALTDA_TXDATA_VERSION = 0x01
export const KECCAK_COMMITMENT_TYPE = 0x00
export const GENERIC_COMMITMENT_TYPE = 0x01
export const EIGENDA_DA_LAYER = 0x00

/** The rollup config's `da_commitment_type` values. */
export type CommitmentTypeName = 'KeccakCommitment' | 'GenericCommitment'

export interface KeccakCommitment {
  type: 'keccak'
  /** keccak256 of the input (32 bytes) */
  hash: Uint8Array
}

export interface EigenDACommitment {
  type: 'eigenda'
  cert: EigenDACert
}

export type AltDACommitment = KeccakCommitment | EigenDACommitment

/** True when batcher tx data carries an alt-DA commitment; other data is ordinary frames (mixed mode). */
export function isAltDATxData(data: Uint8Array): boolean {
  return data.length > 0 && data[0] === ALTDA_TXDATA_VERSION
}

/**
 * Decodes a commitment (without the tx-data version byte). The checks run in hokulea's order: length first
 * (every valid commitment has at least 4 bytes), then type, DA layer, cert version, and the cert itself.
 */
export function decodeCommitment(commitment: Uint8Array): AltDACommitment {
  if (commitment.length < 4) {
    throw new CommitmentError('COMMITMENT_TOO_SHORT', `commitment of ${commitment.length} bytes is too short`, {
      length: commitment.length,
    })
  }
  const type = commitment[0]!
  if (type === KECCAK_COMMITMENT_TYPE) {
    if (commitment.length !== 33) {
      throw new CommitmentError(
        'COMMITMENT_KECCAK_BAD_LENGTH',
        `keccak commitment must be 33 bytes, got ${commitment.length}`,
        {
          length: commitment.length,
        },
      )
    }
    return { type: 'keccak', hash: commitment.slice(1) }
  }
  if (type !== GENERIC_COMMITMENT_TYPE) {
    throw new CommitmentError('COMMITMENT_UNSUPPORTED_TYPE', `unsupported commitment type 0x${hex2(type)}`, { type })
  }
  const daLayer = commitment[1]!
  if (daLayer !== EIGENDA_DA_LAYER) {
    throw new CommitmentError('COMMITMENT_UNSUPPORTED_DA_LAYER', `unsupported DA layer byte 0x${hex2(daLayer)}`, {
      daLayer,
    })
  }
  const version = commitment[2]!
  if (!isCertVersionByte(version)) {
    throw new CommitmentError(
      'COMMITMENT_UNSUPPORTED_CERT_VERSION',
      `unsupported EigenDA cert version 0x${hex2(version)}`,
      {
        version,
      },
    )
  }
  try {
    return { type: 'eigenda', cert: decodeCert(version, commitment.subarray(3)) }
  } catch (err) {
    if (!(err instanceof CertError)) throw err
    throw new CommitmentError(
      'COMMITMENT_INVALID_CERT',
      `invalid EigenDA cert: ${err.message}`,
      { certError: err.code },
      {
        cause: err,
      },
    )
  }
}

export function encodeCommitment(c: AltDACommitment): Uint8Array {
  if (c.type === 'keccak') {
    if (c.hash.length !== 32) {
      throw new CommitmentError('COMMITMENT_KECCAK_BAD_LENGTH', `keccak hash must be 32 bytes, got ${c.hash.length}`)
    }
    return concatBytes(Uint8Array.of(KECCAK_COMMITMENT_TYPE), c.hash)
  }
  return concatBytes(Uint8Array.of(GENERIC_COMMITMENT_TYPE, EIGENDA_DA_LAYER, c.cert.versionByte), encodeCert(c.cert))
}

/** Decodes batcher-inbox tx data `0x01 ++ commitment`. */
export function decodeTxData(data: Uint8Array): AltDACommitment {
  if (!isAltDATxData(data)) {
    throw new CommitmentError(
      'COMMITMENT_NOT_ALTDA_TXDATA',
      'tx data does not start with the alt-DA version byte 0x01',
      {
        firstByte: data[0],
      },
    )
  }
  return decodeCommitment(data.subarray(1))
}

export function encodeTxData(c: AltDACommitment): Uint8Array {
  return concatBytes(Uint8Array.of(ALTDA_TXDATA_VERSION), encodeCommitment(c))
}

export function keccakCommitment(hash: Uint8Array): KeccakCommitment {
  if (hash.length !== 32) {
    throw new CommitmentError('COMMITMENT_KECCAK_BAD_LENGTH', `keccak hash must be 32 bytes, got ${hash.length}`)
  }
  return { type: 'keccak', hash }
}

/** The keccak commitment of an input (what a keccak-mode batcher posts). */
export function keccakCommitmentOf(input: Uint8Array): KeccakCommitment {
  return { type: 'keccak', hash: new Uint8Array(keccak256(input)) }
}

/** The rollup-config commitment type this commitment has; derivation skips commitments of the wrong type. */
export function commitmentTypeName(c: AltDACommitment): CommitmentTypeName {
  return c.type === 'keccak' ? 'KeccakCommitment' : 'GenericCommitment'
}

export function matchesCommitmentType(c: AltDACommitment, expected: CommitmentTypeName): boolean {
  return commitmentTypeName(c) === expected
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0')
}
