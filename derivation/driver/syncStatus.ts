import type { L1BlockRef, L2BlockRef } from '../../config/types.ts'

/** op-node eth.SyncStatus (optimism_syncStatus), pre-interop fields. Unknown L1 refs are zero refs. */
export interface SyncStatus {
  current_l1: L1BlockRef
  current_l1_finalized: L1BlockRef
  head_l1: L1BlockRef
  safe_l1: L1BlockRef
  finalized_l1: L1BlockRef
  unsafe_l2: L2BlockRef
  safe_l2: L2BlockRef
  finalized_l2: L2BlockRef
  pending_safe_l2: L2BlockRef
}

export const ZERO_L1_REF: L1BlockRef = {
  hash: `0x${'00'.repeat(32)}`,
  number: 0,
  parentHash: `0x${'00'.repeat(32)}`,
  timestamp: 0,
}
