import { RLP } from '@ethereumjs/rlp'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { type Hex, parseTransaction, type TransactionSerializable } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { EMPTY_OMMERS_HASH, EMPTY_TRIE_ROOT, hashHeader } from '../../node/engine/header.ts'
import type { Block, BlockHeader, Log, Receipt, TxEnvelope, TxLocation } from '../../node/engine/types.ts'
import type {
  AccountProof,
  BlockSelector,
  CallRequest,
  CallResult,
  ChainBackend,
  FeeHistoryBlock,
  IndexedLog,
  LogFilter,
  RpcTransaction,
  StateView,
} from '../../node/rpc/backend.ts'

// An in-memory ChainBackend for RPC tests: a short chain of OP blocks with deposit, legacy and EIP-1559
// transactions (really signed), receipts with logs, flat state maps, and configurable call results.
// Deliberately independent of the RPC code under test (its own log indexing and filtering).

export const CHAIN_ID = 901n

export const ALICE_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80' as const
export const BOB_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d' as const
export const alice = privateKeyToAccount(ALICE_KEY)
export const bob = privateKeyToAccount(BOB_KEY)

export const L1_INFO_DEPOSITOR = bytes('0xdeaddeaddeaddeaddeaddeaddeaddeaddead0001')
export const L1_BLOCK = bytes('0x4200000000000000000000000000000000000015')
export const TOKEN = bytes('0x00000000000000000000000000000000000c0de1')
export const OTHER = bytes('0x00000000000000000000000000000000000c0de2')
/** keccak("Transfer(address,address,uint256)") */
export const TRANSFER_TOPIC = bytes('0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef')
export const APPROVAL_TOPIC = bytes('0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925')

export function bytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.slice(2), 'hex'))
}

export function hex(b: Uint8Array): Hex {
  return `0x${Buffer.from(b).toString('hex')}`
}

function key(b: Uint8Array): string {
  return Buffer.from(b).toString('hex')
}

function label(s: string): Uint8Array {
  return keccak_256(new TextEncoder().encode(s))
}

function word(n: bigint): Uint8Array {
  return bytes(`0x${n.toString(16).padStart(64, '0')}`)
}

function bloomOf(logs: Log[]): Uint8Array {
  const bloom = new Uint8Array(256)
  const add = (x: Uint8Array) => {
    const h = keccak_256(x)
    for (let i = 0; i < 6; i += 2) {
      const bit = (((h[i] as number) << 8) | (h[i + 1] as number)) & 2047
      const idx = 255 - (bit >> 3)
      bloom[idx] = (bloom[idx] as number) | (1 << (bit & 7))
    }
  }
  for (const l of logs) {
    add(l.address)
    for (const t of l.topics) add(t)
  }
  return bloom
}

/** One transaction as the fake stores it: what the engine would return for it. */
export interface FakeTx {
  envelope: TxEnvelope
  tx: RpcTransaction
  /** Receipt fields; cumulativeGasUsed and logsBloom are filled by the block builder. */
  receipt: Omit<Receipt, 'cumulativeGasUsed' | 'logsBloom'>
}

export interface DepositSpec {
  sourceHash: Uint8Array
  from: Uint8Array
  to?: Uint8Array
  mint: bigint
  value: bigint
  gas: bigint
  isSystemTx: boolean
  data: Uint8Array
  depositNonce: bigint
  gasUsed: bigint
  logs?: Log[]
}

export function depositTx(d: DepositSpec): FakeTx {
  const raw = Uint8Array.from([
    0x7e,
    ...RLP.encode([
      d.sourceHash,
      d.from,
      d.to ?? new Uint8Array(0),
      d.mint,
      d.value,
      d.gas,
      d.isSystemTx ? 1 : 0,
      d.data,
    ]),
  ])
  const hash = keccak_256(raw)
  return {
    envelope: { raw, hash, type: 0x7e, from: d.from },
    tx: {
      type: 0x7e,
      hash,
      from: d.from,
      ...(d.to ? { to: d.to } : {}),
      nonce: d.depositNonce,
      gas: d.gas,
      value: d.value,
      input: d.data,
      gasPrice: 0n,
      v: 0n,
      r: 0n,
      s: 0n,
      sourceHash: d.sourceHash,
      mint: d.mint,
      isSystemTx: d.isSystemTx,
      depositReceiptVersion: 1n,
    },
    receipt: {
      type: 0x7e,
      status: 1,
      logs: d.logs ?? [],
      gasUsed: d.gasUsed,
      effectiveGasPrice: 0n,
      depositNonce: d.depositNonce,
      depositReceiptVersion: 1n,
    },
  }
}

export interface SignedSpec {
  account: typeof alice
  tx: TransactionSerializable
  gasUsed: bigint
  baseFee: bigint
  logs?: Log[]
  status?: 0 | 1
  contractAddress?: Uint8Array
  l1Fee?: bigint
}

/** A really signed legacy / EIP-1559 tx with its receipt (Ecotone L1 fee fields). */
export async function signedTx(s: SignedSpec): Promise<FakeTx> {
  const rawHex = await s.account.signTransaction(s.tx)
  const raw = bytes(rawHex)
  const hash = keccak_256(raw)
  const p = parseTransaction(rawHex)
  const from = bytes(s.account.address)
  const type = p.type === 'legacy' ? 0 : p.type === 'eip2930' ? 1 : 2
  const base: RpcTransaction = {
    type,
    hash,
    from,
    ...(p.to ? { to: bytes(p.to) } : {}),
    nonce: BigInt(p.nonce ?? 0),
    gas: p.gas ?? 0n,
    value: p.value ?? 0n,
    input: bytes(p.data ?? '0x'),
    r: BigInt(p.r ?? 0),
    s: BigInt(p.s ?? 0),
    ...(p.chainId !== undefined ? { chainId: BigInt(p.chainId) } : {}),
  }
  let tx: RpcTransaction
  let effectiveGasPrice: bigint
  if (type === 0) {
    effectiveGasPrice = p.gasPrice ?? 0n
    tx = { ...base, gasPrice: effectiveGasPrice, v: p.v ?? 0n }
  } else {
    const feeCap = p.maxFeePerGas ?? 0n
    const tip = p.maxPriorityFeePerGas ?? 0n
    effectiveGasPrice = s.baseFee + tip < feeCap ? s.baseFee + tip : feeCap
    tx = {
      ...base,
      v: BigInt(p.yParity ?? 0),
      yParity: BigInt(p.yParity ?? 0),
      accessList: (p.accessList ?? []).map((e) => ({
        address: bytes(e.address),
        storageKeys: e.storageKeys.map(bytes),
      })),
      maxFeePerGas: feeCap,
      maxPriorityFeePerGas: tip,
      gasPrice: effectiveGasPrice,
    }
  }
  return {
    envelope: { raw, hash, type, from },
    tx,
    receipt: {
      type,
      status: s.status ?? 1,
      logs: s.logs ?? [],
      gasUsed: s.gasUsed,
      effectiveGasPrice,
      ...(s.contractAddress ? { contractAddress: s.contractAddress } : {}),
      l1Fee: s.l1Fee ?? 1_000_000_000n,
      l1GasUsed: 1600n,
      l1GasPrice: 7n,
      l1BlobBaseFee: 1n,
      l1BaseFeeScalar: 1368n,
      l1BlobBaseFeeScalar: 810949n,
    },
  }
}

interface Stored {
  block: Block
  txs: RpcTransaction[]
  receipts: Receipt[]
}

/** A state store: flat maps read at any block (the fake does not version state). */
export class FakeState {
  balances = new Map<string, bigint>()
  nonces = new Map<string, bigint>()
  code = new Map<string, Uint8Array>()
  storage = new Map<string, Uint8Array>()

  view(): StateView {
    return {
      getBalance: async (a) => this.balances.get(key(a)) ?? 0n,
      getNonce: async (a) => this.nonces.get(key(a)) ?? 0n,
      getCode: async (a) => this.code.get(key(a)) ?? new Uint8Array(0),
      getStorageAt: async (a, slot) => this.storage.get(key(a) + key(slot)) ?? new Uint8Array(32),
      getProof: async (a, slots): Promise<AccountProof> => ({
        address: a,
        accountProof: [bytes('0xf8518080'), bytes('0xe210a0')],
        balance: this.balances.get(key(a)) ?? 0n,
        codeHash: keccak_256(this.code.get(key(a)) ?? new Uint8Array(0)),
        nonce: this.nonces.get(key(a)) ?? 0n,
        storageHash: EMPTY_TRIE_ROOT,
        storageProof: slots.map((s) => ({
          key: s,
          value: BigInt(hex(this.storage.get(key(a) + key(s)) ?? new Uint8Array(1))),
          proof: [bytes('0xc0')],
        })),
      }),
    }
  }
}

export class FakeChainBackend implements ChainBackend {
  readonly chainId = CHAIN_ID
  readonly chain: Stored[] = []
  private readonly byHash = new Map<string, Stored>()
  private readonly txIndex = new Map<string, TxLocation>()
  private readonly listeners = new Set<(block: Block, logs: IndexedLog[]) => void>()
  readonly state = new FakeState()
  safe = 0n
  finalized = 0n
  /** Pool txs (eth_getTransactionByHash returns them with no block). */
  readonly pool = new Map<string, RpcTransaction>()
  /** eth_call result, or a function of the request. */
  callResult: CallResult | ((req: CallRequest, sel: BlockSelector) => CallResult) = {
    returnData: word(42n),
    gasUsed: 21_000n,
    reverted: false,
  }
  estimateResult: bigint | Error = 21_000n
  sendResult: ((raw: Uint8Array) => Uint8Array) | Error = (raw) => keccak_256(raw)
  readonly sentRaw: Uint8Array[] = []
  readonly calls: { req: CallRequest; sel: BlockSelector }[] = []
  /** Method name → error it throws (to test error paths). */
  readonly faults = new Map<string, unknown>()
  gasPriceValue = 1_000_100n
  tipValue = 100n

  private fault(name: string): void {
    if (this.faults.has(name)) throw this.faults.get(name)
  }

  get head(): Block {
    return (this.chain[this.chain.length - 1] as Stored).block
  }

  /** Appends a block built from these txs; `emit` notifies onNewHead listeners. */
  addBlock(txs: FakeTx[], opts: { timestamp?: bigint; baseFee?: bigint; emit?: boolean } = {}): Block {
    const number = BigInt(this.chain.length)
    const parent = this.chain[this.chain.length - 1]?.block
    let cumulative = 0n
    const receipts: Receipt[] = txs.map((t) => {
      cumulative += t.receipt.gasUsed
      return { ...t.receipt, cumulativeGasUsed: cumulative, logsBloom: bloomOf(t.receipt.logs) }
    })
    const header: BlockHeader = {
      parentHash: parent?.hash ?? new Uint8Array(32),
      ommersHash: EMPTY_OMMERS_HASH,
      coinbase: bytes('0x4200000000000000000000000000000000000011'),
      stateRoot: label(`state ${number}`),
      transactionsRoot: txs.length ? label(`txs ${number}`) : EMPTY_TRIE_ROOT,
      receiptsRoot: txs.length ? label(`receipts ${number}`) : EMPTY_TRIE_ROOT,
      logsBloom: bloomOf(txs.flatMap((t) => t.receipt.logs)),
      difficulty: 0n,
      number,
      gasLimit: 30_000_000n,
      gasUsed: cumulative,
      timestamp: opts.timestamp ?? 1_700_000_000n + number * 2n,
      extraData: new Uint8Array(0),
      mixHash: label(`randao ${number}`),
      nonce: new Uint8Array(8),
      baseFeePerGas: opts.baseFee ?? 1_000_000n,
      withdrawalsRoot: EMPTY_TRIE_ROOT,
      blobGasUsed: 0n,
      excessBlobGas: 0n,
      parentBeaconBlockRoot: label(`beacon ${number}`),
    }
    const block: Block = { header, hash: hashHeader(header), transactions: txs.map((t) => t.envelope) }
    const stored: Stored = { block, txs: txs.map((t) => t.tx), receipts }
    this.chain.push(stored)
    this.byHash.set(key(block.hash), stored)
    txs.forEach((t, index) => {
      this.txIndex.set(key(t.envelope.hash), { blockHash: block.hash, blockNumber: number, index })
    })
    if (opts.emit) this.emitHead(block)
    return block
  }

  /** Fires onNewHead for a stored block. */
  emitHead(block: Block): void {
    const stored = this.byHash.get(key(block.hash)) as Stored
    const logs = this.logsOf(stored)
    for (const l of this.listeners) l(block, logs)
  }

  private logsOf(s: Stored): IndexedLog[] {
    const out: IndexedLog[] = []
    let logIndex = 0
    s.receipts.forEach((r, i) => {
      for (const l of r.logs) {
        out.push({
          ...l,
          blockNumber: s.block.header.number,
          blockHash: s.block.hash,
          transactionHash: (s.block.transactions[i] as TxEnvelope).hash,
          transactionIndex: i,
          logIndex: logIndex++,
          removed: false,
        })
      }
    })
    return out
  }

  private resolve(sel: BlockSelector): Stored | undefined {
    if ('hash' in sel) return this.byHash.get(key(sel.hash))
    let n: bigint
    if ('number' in sel) n = sel.number
    else if (sel.tag === 'earliest') n = 0n
    else if (sel.tag === 'safe') n = this.safe
    else if (sel.tag === 'finalized') n = this.finalized
    else n = BigInt(this.chain.length - 1)
    return n < BigInt(this.chain.length) ? this.chain[Number(n)] : undefined
  }

  headNumber(tag: 'latest' | 'safe' | 'finalized' = 'latest'): bigint {
    this.fault('headNumber')
    if (tag === 'safe') return this.safe
    if (tag === 'finalized') return this.finalized
    return BigInt(this.chain.length - 1)
  }

  async getBlock(sel: BlockSelector): Promise<Block | undefined> {
    this.fault('getBlock')
    return this.resolve(sel)?.block
  }

  async getBlockTransactions(block: Block): Promise<RpcTransaction[]> {
    this.fault('getBlockTransactions')
    return this.byHash.get(key(block.hash))?.txs ?? []
  }

  async getReceipts(block: Block): Promise<Receipt[]> {
    this.fault('getReceipts')
    return this.byHash.get(key(block.hash))?.receipts ?? []
  }

  async getTransaction(hash: Uint8Array) {
    this.fault('getTransaction')
    const loc = this.txIndex.get(key(hash))
    if (!loc) {
      const p = this.pool.get(key(hash))
      return p ? { tx: p, location: { blockHash: new Uint8Array(0), blockNumber: -1n, index: -1 } } : undefined
    }
    const s = this.byHash.get(key(loc.blockHash)) as Stored
    return { tx: s.txs[loc.index] as RpcTransaction, location: loc }
  }

  async getReceipt(hash: Uint8Array) {
    this.fault('getReceipt')
    const loc = this.txIndex.get(key(hash))
    if (!loc) return undefined
    const s = this.byHash.get(key(loc.blockHash)) as Stored
    return { receipt: s.receipts[loc.index] as Receipt, tx: s.txs[loc.index] as RpcTransaction, location: loc }
  }

  readonly logQueries: LogFilter[] = []

  async getLogs(f: LogFilter): Promise<IndexedLog[]> {
    this.fault('getLogs')
    this.logQueries.push(f)
    const out: IndexedLog[] = []
    const last = BigInt(this.chain.length - 1)
    for (let n = f.fromBlock; n <= f.toBlock && n <= last; n++) {
      for (const l of this.logsOf(this.chain[Number(n)] as Stored)) {
        if (f.addresses.length && !f.addresses.some((a) => key(a) === key(l.address))) continue
        const ok = f.topics.every((want, i) => !want || want.some((t) => l.topics[i] && key(t) === key(l.topics[i]!)))
        if (ok) out.push(l)
      }
    }
    return out
  }

  async stateAt(sel: BlockSelector): Promise<StateView | undefined> {
    this.fault('stateAt')
    return this.resolve(sel) ? this.state.view() : undefined
  }

  async call(req: CallRequest, sel: BlockSelector): Promise<CallResult> {
    this.fault('call')
    this.calls.push({ req, sel })
    return typeof this.callResult === 'function' ? this.callResult(req, sel) : this.callResult
  }

  async estimateGas(req: CallRequest, sel: BlockSelector): Promise<bigint> {
    this.fault('estimateGas')
    this.calls.push({ req, sel })
    if (this.estimateResult instanceof Error) throw this.estimateResult
    return this.estimateResult
  }

  async sendRawTransaction(raw: Uint8Array): Promise<Uint8Array> {
    this.fault('sendRawTransaction')
    if (this.sendResult instanceof Error) throw this.sendResult
    this.sentRaw.push(raw)
    return this.sendResult(raw)
  }

  async gasPrice(): Promise<bigint> {
    this.fault('gasPrice')
    return this.gasPriceValue
  }

  async maxPriorityFeePerGas(): Promise<bigint> {
    return this.tipValue
  }

  async feeHistory(count: number, newest: bigint): Promise<{ blocks: FeeHistoryBlock[]; nextBaseFee: bigint }> {
    this.fault('feeHistory')
    const blocks: FeeHistoryBlock[] = []
    const first = newest - BigInt(count) + 1n < 0n ? 0n : newest - BigInt(count) + 1n
    for (let n = first; n <= newest; n++) {
      const s = this.chain[Number(n)]
      if (!s) continue
      const base = s.block.header.baseFeePerGas
      blocks.push({
        number: n,
        baseFeePerGas: base,
        gasUsed: s.block.header.gasUsed,
        gasLimit: s.block.header.gasLimit,
        rewards: s.receipts
          .filter((r) => r.type !== 0x7e)
          .map((r) => ({ tip: r.effectiveGasPrice - base, gasUsed: r.gasUsed })),
      })
    }
    const next = this.chain[Number(newest) + 1]
    return { blocks, nextBaseFee: next ? next.block.header.baseFeePerGas : 1_000_000n }
  }

  onNewHead(listener: (block: Block, logs: IndexedLog[]) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  get listenerCount(): number {
    return this.listeners.size
  }
}

export interface FakeChain {
  backend: FakeChainBackend
  /** Block 1: L1-info deposit, legacy transfer, EIP-1559 token call with 2 logs. */
  block1: Block
  /** Block 2: L1-info deposit, user deposit with mint, EIP-1559 call with 1 log. */
  block2: Block
  txs: {
    l1Info1: FakeTx
    legacy: FakeTx
    dynamic: FakeTx
    l1Info2: FakeTx
    userDeposit: FakeTx
    dynamic2: FakeTx
  }
}

export function l1InfoDeposit(n: bigint): FakeTx {
  return depositTx({
    sourceHash: label(`l1info ${n}`),
    from: L1_INFO_DEPOSITOR,
    to: L1_BLOCK,
    mint: 0n,
    value: 0n,
    gas: 1_000_000n,
    isSystemTx: false,
    data: bytes('0x440a5e20000f424000000000000000000000000300000000665a3e0f'),
    depositNonce: n,
    gasUsed: 45_000n,
  })
}

/** Genesis plus blocks 1 and 2; safe = 1, finalized = 0. */
export async function createFakeChain(): Promise<FakeChain> {
  const backend = new FakeChainBackend()
  backend.addBlock([])
  const baseFee = 1_000_000n
  const l1Info1 = l1InfoDeposit(1n)
  const legacy = await signedTx({
    account: alice,
    tx: {
      type: 'legacy',
      chainId: Number(CHAIN_ID),
      nonce: 0,
      to: bob.address,
      value: 10n ** 18n,
      gas: 21_000n,
      gasPrice: 2_000_000n,
    },
    gasUsed: 21_000n,
    baseFee,
  })
  const dynamic = await signedTx({
    account: alice,
    tx: {
      type: 'eip1559',
      chainId: Number(CHAIN_ID),
      nonce: 1,
      to: hex(TOKEN),
      value: 0n,
      gas: 100_000n,
      maxFeePerGas: 3_000_000n,
      maxPriorityFeePerGas: 500_000n,
      data: '0xa9059cbb',
    },
    gasUsed: 51_000n,
    baseFee,
    logs: [
      { address: TOKEN, topics: [TRANSFER_TOPIC, word(1n), word(2n)], data: word(5n) },
      { address: TOKEN, topics: [APPROVAL_TOPIC, word(1n)], data: new Uint8Array(0) },
    ],
  })
  const block1 = backend.addBlock([l1Info1, legacy, dynamic], { baseFee })
  const l1Info2 = l1InfoDeposit(2n)
  const userDeposit = depositTx({
    sourceHash: label('user deposit'),
    from: bytes(bob.address),
    to: bytes(bob.address),
    mint: 5n * 10n ** 18n,
    value: 10n ** 18n,
    gas: 100_000n,
    isSystemTx: false,
    data: new Uint8Array(0),
    depositNonce: 0n,
    gasUsed: 21_000n,
  })
  const dynamic2 = await signedTx({
    account: bob,
    tx: {
      type: 'eip1559',
      chainId: Number(CHAIN_ID),
      nonce: 0,
      to: hex(OTHER),
      value: 0n,
      gas: 80_000n,
      maxFeePerGas: 1_100_000n,
      maxPriorityFeePerGas: 200_000n,
      data: '0x',
    },
    gasUsed: 30_000n,
    baseFee: 900_000n,
    logs: [{ address: OTHER, topics: [TRANSFER_TOPIC, word(3n)], data: word(7n) }],
  })
  const block2 = backend.addBlock([l1Info2, userDeposit, dynamic2], { baseFee: 900_000n })
  backend.safe = 1n
  backend.finalized = 0n
  backend.state.balances.set(key(bytes(alice.address)), 10n ** 18n)
  backend.state.nonces.set(key(bytes(alice.address)), 2n)
  backend.state.code.set(key(TOKEN), bytes('0x6080604052'))
  backend.state.storage.set(key(TOKEN) + key(word(0n)), word(0x1234n))
  return { backend, block1, block2, txs: { l1Info1, legacy, dynamic, l1Info2, userDeposit, dynamic2 } }
}
