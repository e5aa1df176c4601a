// The L1 tx manager (op-service txmgr) the batcher sends through.
export * from './errors.ts'
export * from './feeBump.ts'
export * from './txManager.ts'
