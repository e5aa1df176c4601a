// The batcher (op-batcher): channels of span batches from the unsafe L2 chain, written to L1 through a DA writer.
// The Alt-DA (EigenDA) writer lives in da-eigen/altDaWriter.ts; the L1 tx sender in sequencer/txmgr.
export * from './batcher.ts'
export * from './blobWriter.ts'
export * from './calldataWriter.ts'
export * from './channelBuilder.ts'
export * from './channelManager.ts'
export * from './daWriter.ts'
export * from './errors.ts'
export * from './l2BlockSource.ts'
