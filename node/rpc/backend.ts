import type { Block, Log, Receipt, TxLocation } from '../engine/types.ts'

// What the L2 JSON-RPC server needs from the chain. The embedded engine implements it; RPC tests use a fake.
// Everything is bigint/bytes; the RPC layer owns hex formatting and parameter validation.

/** A block selector after the RPC layer has parsed the parameter. */
export type BlockSelector =
  | { tag: 'latest' | 'pending' | 'safe' | 'finalized' | 'earliest' }
  | { number: bigint }
  | { hash: Uint8Array; requireCanonical?: boolean }

/** A decoded transaction with everything eth_getTransactionByHash / full blocks need. */
export interface RpcTransaction {
  type: number
  hash: Uint8Array
  from: Uint8Array
  to?: Uint8Array
  nonce: bigint
  gas: bigint
  value: bigint
  input: Uint8Array
  chainId?: bigint
  gasPrice?: bigint
  maxFeePerGas?: bigint
  maxPriorityFeePerGas?: bigint
  accessList?: { address: Uint8Array; storageKeys: Uint8Array[] }[]
  v?: bigint
  r?: bigint
  s?: bigint
  yParity?: bigint
  /** Deposit (0x7e) fields. */
  sourceHash?: Uint8Array
  mint?: bigint
  isSystemTx?: boolean
  depositReceiptVersion?: bigint
}

export interface IndexedLog extends Log {
  blockNumber: bigint
  blockHash: Uint8Array
  transactionHash: Uint8Array
  transactionIndex: number
  logIndex: number
  removed: boolean
}

export interface LogFilter {
  fromBlock: bigint
  toBlock: bigint
  /** Empty = any address. */
  addresses: Uint8Array[]
  /** Per position: null = wildcard, else any of the listed topics. */
  topics: (Uint8Array[] | null)[]
}

/** A call or gas-estimation request (eth_call / eth_estimateGas). */
export interface CallRequest {
  from?: Uint8Array
  to?: Uint8Array
  gas?: bigint
  gasPrice?: bigint
  maxFeePerGas?: bigint
  maxPriorityFeePerGas?: bigint
  value?: bigint
  data?: Uint8Array
  nonce?: bigint
  accessList?: { address: Uint8Array; storageKeys: Uint8Array[] }[]
}

export interface CallResult {
  /** Return data (also the revert data when reverted). */
  returnData: Uint8Array
  gasUsed: bigint
  reverted: boolean
  /** Set when execution failed for a non-revert reason (out of gas, invalid opcode...). */
  error?: string
}

export interface AccountProof {
  address: Uint8Array
  accountProof: Uint8Array[]
  balance: bigint
  codeHash: Uint8Array
  nonce: bigint
  storageHash: Uint8Array
  storageProof: { key: Uint8Array; value: bigint; proof: Uint8Array[] }[]
}

/** Read access to the state at one block. */
export interface StateView {
  getBalance(address: Uint8Array): Promise<bigint>
  getNonce(address: Uint8Array): Promise<bigint>
  getCode(address: Uint8Array): Promise<Uint8Array>
  /** 32-byte slot value (left-padded). */
  getStorageAt(address: Uint8Array, slot: Uint8Array): Promise<Uint8Array>
  getProof(address: Uint8Array, slots: Uint8Array[]): Promise<AccountProof>
}

export interface FeeHistoryBlock {
  number: bigint
  baseFeePerGas: bigint
  gasUsed: bigint
  gasLimit: bigint
  /** Effective priority fees paid by each non-deposit tx, with the gas it used, in block order. */
  rewards: { tip: bigint; gasUsed: bigint }[]
}

export interface ChainBackend {
  readonly chainId: bigint
  /** Number of the block selected by a tag (latest = unsafe head). */
  headNumber(tag?: 'latest' | 'safe' | 'finalized'): bigint
  getBlock(sel: BlockSelector): Promise<Block | undefined>
  getBlockTransactions(block: Block): Promise<RpcTransaction[]>
  getReceipts(block: Block): Promise<Receipt[]>
  getTransaction(hash: Uint8Array): Promise<{ tx: RpcTransaction; location: TxLocation } | undefined>
  getReceipt(hash: Uint8Array): Promise<{ receipt: Receipt; tx: RpcTransaction; location: TxLocation } | undefined>
  getLogs(filter: LogFilter): Promise<IndexedLog[]>
  stateAt(sel: BlockSelector): Promise<StateView | undefined>
  call(req: CallRequest, sel: BlockSelector): Promise<CallResult>
  estimateGas(req: CallRequest, sel: BlockSelector): Promise<bigint>
  /** Validates and admits a signed tx to the pool; throws RpcError-compatible errors on rejection. */
  sendRawTransaction(raw: Uint8Array): Promise<Uint8Array>
  /** Suggested gas price (base fee of the next block + suggested tip). */
  gasPrice(): Promise<bigint>
  maxPriorityFeePerGas(): Promise<bigint>
  /** Blocks [newest-count+1, newest] for eth_feeHistory; plus the next block's base fee. */
  feeHistory(count: number, newest: bigint): Promise<{ blocks: FeeHistoryBlock[]; nextBaseFee: bigint }>
  /** Notifies of each new canonical head block with its logs (for eth_subscribe). Returns an unsubscribe. */
  onNewHead(listener: (block: Block, logs: IndexedLog[]) => void): () => void
}
