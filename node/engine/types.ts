// Data model of the embedded execution engine. Quantities are bigint, bytes are Uint8Array;
// hex strings appear only at the RPC edge.

/** An OP L2 block header (geth header layout; optional fields appear by fork). */
export interface BlockHeader {
  parentHash: Uint8Array
  ommersHash: Uint8Array
  coinbase: Uint8Array
  stateRoot: Uint8Array
  transactionsRoot: Uint8Array
  receiptsRoot: Uint8Array
  logsBloom: Uint8Array
  difficulty: bigint
  number: bigint
  gasLimit: bigint
  gasUsed: bigint
  timestamp: bigint
  extraData: Uint8Array
  mixHash: Uint8Array
  nonce: Uint8Array
  baseFeePerGas: bigint
  /** Canyon+: empty-trie root (Isthmus+: L2ToL1MessagePasser storage root). */
  withdrawalsRoot?: Uint8Array
  /** Ecotone+: always 0 on L2. */
  blobGasUsed?: bigint
  excessBlobGas?: bigint
  /** Ecotone+: the L1 origin's parent beacon block root. */
  parentBeaconBlockRoot?: Uint8Array
  /** Isthmus+: sha256("") */
  requestsHash?: Uint8Array
}

export interface Log {
  address: Uint8Array
  topics: Uint8Array[]
  data: Uint8Array
}

/** Receipt as stored: consensus fields plus the OP and RPC-only fields op-geth serves. */
export interface Receipt {
  /** EIP-2718 type of the transaction (0, 1, 2, 0x7e). */
  type: number
  status: 0 | 1
  cumulativeGasUsed: bigint
  logsBloom: Uint8Array
  logs: Log[]
  gasUsed: bigint
  effectiveGasPrice: bigint
  contractAddress?: Uint8Array
  /** Deposits (Regolith+): sender nonce before execution. */
  depositNonce?: bigint
  /** Deposits (Canyon+): 1. */
  depositReceiptVersion?: bigint
  /** Non-deposit txs: L1 data fee fields (RPC only). */
  l1Fee?: bigint
  l1GasUsed?: bigint
  l1GasPrice?: bigint
  l1BlobBaseFee?: bigint
  l1BaseFeeScalar?: bigint
  l1BlobBaseFeeScalar?: bigint
  /** Pre-Ecotone fee fields (kept for completeness). */
  l1FeeScalar?: string
}

/** A transaction as the engine keeps it: raw EIP-2718 bytes, its hash and recovered sender. */
export interface TxEnvelope {
  raw: Uint8Array
  hash: Uint8Array
  type: number
  from: Uint8Array
}

export interface Block {
  header: BlockHeader
  hash: Uint8Array
  transactions: TxEnvelope[]
}

export interface TxLocation {
  blockHash: Uint8Array
  blockNumber: bigint
  index: number
}
