import { NodeError } from '../config/errors.ts'

// Typed errors for the EigenDA codecs. Each malformed case has its own code, so callers (derivation skips an
// undecodable commitment; the DA client maps payload decode failures to a drop) and tests can branch on codes.

export type CertErrorCode =
  /** the RLP ends before an item's declared length */
  | 'CERT_RLP_TRUNCATED'
  /** an item overruns the list that holds it, or a size prefix is malformed */
  | 'CERT_RLP_MALFORMED'
  /** a size prefix or single-byte string is not in its shortest form */
  | 'CERT_RLP_NON_CANONICAL'
  /** bytes follow the top-level cert item */
  | 'CERT_RLP_TRAILING_BYTES'
  /** a struct or slice field is a string, or a string field is a list */
  | 'CERT_WRONG_ITEM_KIND'
  /** a struct list has the wrong number of fields */
  | 'CERT_WRONG_ARITY'
  /** a fixed-size byte field (bytes32, V1 coordinates) has the wrong length */
  | 'CERT_BAD_FIELD_LENGTH'
  /** an integer has a leading zero byte (go-ethereum rejects these) */
  | 'CERT_NON_CANONICAL_INT'
  /** an integer does not fit its declared width (uint16/uint32/uint256) */
  | 'CERT_INT_OVERFLOW'
  /** an unknown cert version byte */
  | 'CERT_UNSUPPORTED_VERSION'

export class CertError extends NodeError<CertErrorCode> {}

export type CommitmentErrorCode =
  /** the tx data does not start with the alt-DA tx-data version byte 0x01 */
  | 'COMMITMENT_NOT_ALTDA_TXDATA'
  /** fewer than 4 bytes (type, DA layer, version, at least one cert byte) */
  | 'COMMITMENT_TOO_SHORT'
  /** commitment type byte is neither 0x00 (keccak) nor 0x01 (generic) */
  | 'COMMITMENT_UNSUPPORTED_TYPE'
  /** a keccak commitment that is not exactly 0x00 ++ 32 bytes */
  | 'COMMITMENT_KECCAK_BAD_LENGTH'
  /** a generic commitment whose DA-layer byte is not 0x00 (EigenDA) */
  | 'COMMITMENT_UNSUPPORTED_DA_LAYER'
  /** an EigenDA cert version byte other than 0x00..0x03 */
  | 'COMMITMENT_UNSUPPORTED_CERT_VERSION'
  /** the cert bytes do not decode; the CertError is the `cause` */
  | 'COMMITMENT_INVALID_CERT'

export class CommitmentError extends NodeError<CommitmentErrorCode> {}

export type PayloadErrorCode =
  /** encoded length is < 32, not a multiple of 32, or not a power-of-two number of symbols */
  | 'PAYLOAD_BAD_ENCODED_LENGTH'
  /** header byte 0 is not 0x00 */
  | 'PAYLOAD_BAD_HEADER_PREFIX'
  /** header byte 1 (encoding version) is not 0x00 */
  | 'PAYLOAD_UNKNOWN_VERSION'
  /** header bytes 6..32 are not all zero */
  | 'PAYLOAD_HEADER_PADDING_NONZERO'
  /** a body symbol's first byte is not 0x00 */
  | 'PAYLOAD_SYMBOL_PREFIX_NONZERO'
  /** the header length is more than the body holds */
  | 'PAYLOAD_LENGTH_EXCEEDS_DATA'
  /** a byte after the payload length is not zero */
  | 'PAYLOAD_PADDING_NONZERO'
  /** the payload is too large to encode (length does not fit in 32 bits) */
  | 'PAYLOAD_TOO_LARGE'

export class PayloadError extends NodeError<PayloadErrorCode> {}
