import { NodeError } from '../../config/errors.ts'

export type BatcherErrorCode =
  /** an L2 block has no L1-info deposit first: the L2 source is not giving full blocks */
  | 'BATCHER_NO_L1_INFO'
  /** the next L2 block does not build on the last one queued: the unsafe chain reorged, restart from the safe head */
  | 'BATCHER_L2_REORG'
  /** the configured writers cannot carry a frame (sizes too small) */
  | 'BATCHER_BAD_CONFIG'
  /** a TxData has more frames than the writer can put in one transaction */
  | 'BATCHER_TOO_MANY_FRAMES'

export class BatcherError extends NodeError<BatcherErrorCode> {}
