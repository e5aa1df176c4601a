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

export type DAClientErrorCode =
  /** the proxy answered 503: the batcher must post this data to Ethereum DA instead */
  | 'DA_FAILOVER'
  /** the proxy answered 400 because the payload is too large; retrying cannot help */
  | 'DA_PAYLOAD_TOO_LARGE'
  /** an empty payload (op-alt-da ErrInvalidInput) */
  | 'DA_INVALID_INPUT'
  /** the proxy answered a non-retryable 4xx on PUT */
  | 'DA_REQUEST_REJECTED'
  /** PUT failed on every attempt (429/5xx/timeout/connection error) */
  | 'DA_PUT_FAILED'
  /** a request to a non-cert route (health, config) failed */
  | 'DA_REQUEST_FAILED'
  /** the PUT response is not a well-formed generic commitment */
  | 'DA_BAD_COMMITMENT'

export class DAClientError extends NodeError<DAClientErrorCode> {
  /** True when the same request may succeed later. */
  get retryable(): boolean {
    return this.code === 'DA_PUT_FAILED' || this.code === 'DA_REQUEST_FAILED'
  }
}

/** POST /put got 503: post the data to Ethereum DA (calldata) instead (op-alt-da ErrAltDADown). */
export class DAFailoverError extends DAClientError {
  constructor(message = 'alt DA is down: failover to eth DA', meta: Record<string, unknown> = {}) {
    super('DA_FAILOVER', message, meta)
  }
}

/** POST /put got 400 for an oversized payload; split the data or post it to Ethereum DA. */
export class DAPayloadTooLargeError extends DAClientError {
  constructor(message: string, meta: Record<string, unknown> = {}) {
    super('DA_PAYLOAD_TOO_LARGE', message, meta)
  }
}
