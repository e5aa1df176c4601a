import type { Address, L1BlockRef } from '../../config/types.ts'
import type { Eof } from '../pipelineErrors.ts'
import type { L1Transaction } from '../providers.ts'

/** Data items of one L1 block, in block order; EOF when exhausted. */
export interface DataIter {
  next(): Promise<Uint8Array | Eof>
}

/** The highest tx type a batcher may use (blob tx); set-code and later types are ignored, like op-node. */
export const MAX_BATCHER_TX_TYPE = 3
export const BLOB_TX_TYPE = 3

/** op-node isValidBatchTx: type <= 3, sent to the inbox, by the batcher. Addresses compare case-insensitively. */
export function isValidBatchTx(tx: L1Transaction, batchInbox: Address, batcher: Address): boolean {
  if (tx.type > MAX_BATCHER_TX_TYPE) return false
  if (tx.to === null || tx.to.toLowerCase() !== batchInbox.toLowerCase()) return false
  return tx.from.toLowerCase() === batcher.toLowerCase()
}

/** `{number, hash}` for the `l1Origin` log key. */
export function blockId(ref: L1BlockRef): { number: number; hash: string } {
  return { number: ref.number, hash: ref.hash }
}
