// The Engine API execution payload (V3 fields) as bigint/bytes: shared by the engine, the sequencer (which
// hands new blocks to P2P) and the gossip codec.

/** Engine API ExecutionPayload (V3 fields), bigint/bytes. */
export interface ExecutionPayload {
  parentHash: Uint8Array
  feeRecipient: Uint8Array
  stateRoot: Uint8Array
  receiptsRoot: Uint8Array
  logsBloom: Uint8Array
  prevRandao: Uint8Array
  blockNumber: bigint
  gasLimit: bigint
  gasUsed: bigint
  timestamp: bigint
  extraData: Uint8Array
  baseFeePerGas: bigint
  blockHash: Uint8Array
  transactions: Uint8Array[]
  withdrawals?: readonly unknown[]
  blobGasUsed?: bigint
  excessBlobGas?: bigint
  withdrawalsRoot?: Uint8Array
}

export interface ExecutionPayloadEnvelope {
  executionPayload: ExecutionPayload
  parentBeaconBlockRoot?: Uint8Array
}
