import { NodeError } from '../../config/errors.ts'

// Typed errors of the protocol codecs. Callers branch on `code`; `meta` carries the offending values.
// A malformed deposit log or L1-info tx is never skippable: the derivation pipeline must treat these as critical.

export type DepositTxErrorCode =
  /** Encoding input out of range (wrong byte length, negative or oversized integer). */
  | 'DEPOSIT_TX_INVALID_FIELD'
  /** First byte is not 0x7E. */
  | 'DEPOSIT_TX_WRONG_TYPE'
  /** The payload is not valid RLP (bad prefix, truncated, non-canonical length, trailing bytes). */
  | 'DEPOSIT_TX_BAD_RLP'
  /** The payload is an RLP string, not a list. */
  | 'DEPOSIT_TX_NOT_LIST'
  /** The list does not have exactly 8 elements. */
  | 'DEPOSIT_TX_FIELD_COUNT'
  /** A field is a nested list where a byte string is expected. */
  | 'DEPOSIT_TX_FIELD_NOT_STRING'
  | 'DEPOSIT_TX_BAD_SOURCE_HASH'
  | 'DEPOSIT_TX_BAD_FROM'
  | 'DEPOSIT_TX_BAD_TO'
  /** An integer has leading zero bytes. */
  | 'DEPOSIT_TX_NON_CANONICAL_INT'
  /** mint/value above 256 bits or gas above 64 bits. */
  | 'DEPOSIT_TX_INT_OVERFLOW'
  /** isSystemTx is not 0x80 (false) or 0x01 (true). */
  | 'DEPOSIT_TX_BAD_BOOL'

export class DepositTxError extends NodeError<DepositTxErrorCode> {}

export type DepositLogErrorCode =
  /** Not exactly 4 topics. */
  | 'DEPOSIT_LOG_TOPIC_COUNT'
  /** A topic is not 32 bytes. */
  | 'DEPOSIT_LOG_BAD_TOPIC'
  /** topic0 is not TransactionDeposited. */
  | 'DEPOSIT_LOG_WRONG_EVENT'
  /** Data shorter than the 64-byte ABI head. */
  | 'DEPOSIT_LOG_DATA_TOO_SHORT'
  /** Data length not a multiple of 32. */
  | 'DEPOSIT_LOG_DATA_UNALIGNED'
  /** ABI offset word is not 32. */
  | 'DEPOSIT_LOG_BAD_OFFSET'
  /** opaqueData length does not fit in u64. */
  | 'DEPOSIT_LOG_LENGTH_OVERFLOW'
  /** opaqueData length exceeds the remaining data. */
  | 'DEPOSIT_LOG_LENGTH_EXCEEDS_DATA'
  /** More than 31 bytes of padding after opaqueData. */
  | 'DEPOSIT_LOG_EXCESS_PADDING'
  /** topic3 (version) is not 0. */
  | 'DEPOSIT_LOG_UNKNOWN_VERSION'
  /** opaqueData shorter than 73 bytes. */
  | 'DEPOSIT_LOG_OPAQUE_TOO_SHORT'
  /** The L1 block hash passed in is not 32 bytes. */
  | 'DEPOSIT_LOG_BAD_BLOCK_HASH'

export class DepositLogError extends NodeError<DepositLogErrorCode> {}

export type L1InfoErrorCode =
  /** Calldata selector is not one of the known L1Block setters. */
  | 'L1_INFO_UNKNOWN_SELECTOR'
  /** Calldata length does not match the selector's format. */
  | 'L1_INFO_BAD_LENGTH'
  /** An ABI uint64 word or address word has non-zero padding. */
  | 'L1_INFO_BAD_PADDING'
  /** Encoding input out of range. */
  | 'L1_INFO_INVALID_FIELD'
  /** SystemConfig scalar with an unknown version byte. */
  | 'L1_INFO_SCALAR_UNKNOWN_VERSION'
  /** SystemConfig scalar v0 with non-zero bytes 1..27. */
  | 'L1_INFO_SCALAR_V0_PADDING'
  /** SystemConfig scalar v1 with non-zero bytes 1..23. */
  | 'L1_INFO_SCALAR_V1_PADDING'

export class L1InfoError extends NodeError<L1InfoErrorCode> {}
