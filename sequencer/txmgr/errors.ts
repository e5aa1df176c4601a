import { NodeError } from '../../config/errors.ts'

export type TxManagerErrorCode =
  /** the L1 rejected the tx (not a nonce/replacement race); the nonce is re-read, send the data again */
  | 'TXMGR_SEND_FAILED'
  /** another tx took this nonce; the data was not posted, send it again */
  | 'TXMGR_NONCE_CONSUMED'
  /** the tx manager was closed while the tx was pending */
  | 'TXMGR_CLOSED'
  /** a blob tx without a KZG implementation: pass `kzg` in the options */
  | 'TXMGR_NO_KZG'

export class TxManagerError extends NodeError<TxManagerErrorCode> {}
