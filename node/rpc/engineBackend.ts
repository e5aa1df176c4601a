import { Address } from '@ethereumjs/util'
import { keccak256 } from '../../config/keccak.ts'
import { nextBaseFee } from '../../config/protocol/eip1559.ts'
import { decodeDepositTx } from '../../derivation/protocol/depositTx.ts'
import { bloomContains } from '../engine/bloom.ts'
import { forksAt, opEip1559Config } from '../engine/chainSpec.ts'
import type { ExecutionEngine } from '../engine/engine.ts'
import { InvalidTransactionError } from '../engine/errors.ts'
import { DEPOSIT_TX_TYPE } from '../engine/receipts.ts'
import { bytesEqual, KECCAK_EMPTY } from '../engine/state/account.ts'
import type { StateDB } from '../engine/state/stateDB.ts'
import { decodeSignedTx } from '../engine/txCodec.ts'
import type { Block, BlockHeader, Receipt } from '../engine/types.ts'
import { type TxPool, TxPoolError } from '../txpool/txPool.ts'
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
} from './backend.ts'

// The L2 JSON-RPC's view of the embedded engine (and the tx pool for eth_sendRawTransaction).

export interface EngineBackendOptions {
  /** Suggested priority fee (op-geth's default minimum suggestion is 0.001 gwei). */
  suggestedTip: bigint
  /** Gas cap for eth_call / eth_estimateGas (geth RPCGasCap). */
  gasCap: bigint
}

export const defaultEngineBackendOptions: EngineBackendOptions = { suggestedTip: 1_000_000n, gasCap: 50_000_000n }

export class RpcBackendError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly data?: string,
  ) {
    super(message)
  }
}

function pad32(b: Uint8Array): Uint8Array {
  if (b.length === 32) return b
  const out = new Uint8Array(32)
  out.set(b, 32 - b.length)
  return out
}

export class EngineBackend implements ChainBackend {
  readonly chainId: bigint
  private readonly opts: EngineBackendOptions

  constructor(
    private readonly engine: ExecutionEngine,
    private readonly pool?: TxPool,
    opts: Partial<EngineBackendOptions> = {},
  ) {
    this.chainId = engine.spec.chainId
    this.opts = { ...defaultEngineBackendOptions, ...opts }
  }

  headNumber(tag: 'latest' | 'safe' | 'finalized' = 'latest'): bigint {
    const h = this.engine.head
    return (tag === 'safe' ? h.safe : tag === 'finalized' ? h.finalized : h.unsafe).header.number
  }

  async getBlock(sel: BlockSelector): Promise<Block | undefined> {
    const store = this.engine.store
    if ('hash' in sel) {
      const b = await store.getBlock(sel.hash)
      if (b && sel.requireCanonical) {
        const c = await store.getCanonicalHash(b.header.number)
        if (!c || !bytesEqual(c, b.hash)) return undefined
      }
      return b
    }
    let n: bigint
    if ('number' in sel) n = sel.number
    else if (sel.tag === 'earliest') n = 0n
    else if (sel.tag === 'safe') return this.engine.head.safe
    else if (sel.tag === 'finalized') return this.engine.head.finalized
    else return this.engine.head.unsafe
    if (n > this.engine.head.unsafe.header.number) return undefined
    const h = await store.getCanonicalHash(n)
    return h ? store.getBlock(h) : undefined
  }

  async getBlockTransactions(block: Block): Promise<RpcTransaction[]> {
    const receipts = (await this.engine.store.getReceipts(block.hash)) ?? []
    return block.transactions.map((t, i) => this.toRpcTx(t.raw, t.hash, t.from, receipts[i]))
  }

  private toRpcTx(raw: Uint8Array, hash: Uint8Array, from: Uint8Array, receipt?: Receipt): RpcTransaction {
    if (raw[0] === DEPOSIT_TX_TYPE) {
      const d = decodeDepositTx(raw)
      return {
        type: DEPOSIT_TX_TYPE,
        hash,
        from: d.from,
        to: d.to,
        nonce: receipt?.depositNonce ?? 0n,
        gas: d.gas,
        value: d.value,
        input: d.data,
        sourceHash: d.sourceHash,
        mint: d.mint,
        isSystemTx: d.isSystemTx,
        gasPrice: 0n,
        v: 0n,
        r: 0n,
        s: 0n,
        ...(receipt?.depositReceiptVersion !== undefined
          ? { depositReceiptVersion: receipt.depositReceiptVersion }
          : {}),
      }
    }
    const tx = decodeSignedTx(raw, this.chainId)
    const big = (b: Uint8Array) => (b.length === 0 ? 0n : BigInt(`0x${Buffer.from(b).toString('hex')}`))
    const base: RpcTransaction = {
      type: tx.type,
      hash,
      from,
      to: tx.to,
      nonce: tx.nonce,
      gas: tx.gasLimit,
      value: tx.value,
      input: tx.data,
      v: tx.v,
      r: big(tx.r),
      s: big(tx.s),
      ...(tx.chainId !== undefined ? { chainId: tx.chainId } : {}),
    }
    if (tx.type === 0) return { ...base, gasPrice: tx.maxFeePerGas }
    const al = { accessList: tx.accessList.map(([address, storageKeys]) => ({ address, storageKeys })), yParity: tx.v }
    if (tx.type === 1) return { ...base, ...al, gasPrice: tx.maxFeePerGas }
    return {
      ...base,
      ...al,
      maxFeePerGas: tx.maxFeePerGas,
      maxPriorityFeePerGas: tx.maxPriorityFeePerGas,
      gasPrice: receipt?.effectiveGasPrice ?? tx.maxFeePerGas,
    }
  }

  async getReceipts(block: Block): Promise<Receipt[]> {
    return (await this.engine.store.getReceipts(block.hash)) ?? []
  }

  async getTransaction(hash: Uint8Array) {
    const loc = await this.engine.store.getTxLocation(hash)
    if (!loc) {
      const p = this.pool?.get(hash)
      if (!p) return undefined
      return {
        tx: this.toRpcTx(p.tx.raw, p.tx.hash, p.sender),
        location: { blockHash: new Uint8Array(0), blockNumber: -1n, index: -1 },
      }
    }
    const block = await this.engine.store.getBlock(loc.blockHash)
    const t = block?.transactions[loc.index]
    if (!block || !t) return undefined
    const receipts = await this.engine.store.getReceipts(loc.blockHash)
    return { tx: this.toRpcTx(t.raw, t.hash, t.from, receipts?.[loc.index]), location: loc }
  }

  async getReceipt(hash: Uint8Array) {
    const loc = await this.engine.store.getTxLocation(hash)
    if (!loc) return undefined
    const block = await this.engine.store.getBlock(loc.blockHash)
    const receipts = await this.engine.store.getReceipts(loc.blockHash)
    const t = block?.transactions[loc.index]
    const receipt = receipts?.[loc.index]
    if (!t || !receipt) return undefined
    return { receipt, tx: this.toRpcTx(t.raw, t.hash, t.from, receipt), location: loc }
  }

  /** Logs of one block, with their block-wide indexes. */
  private blockLogs(block: Block, receipts: Receipt[]): IndexedLog[] {
    const out: IndexedLog[] = []
    let logIndex = 0
    receipts.forEach((r, i) => {
      for (const l of r.logs) {
        out.push({
          ...l,
          blockNumber: block.header.number,
          blockHash: block.hash,
          transactionHash: (block.transactions[i] as Block['transactions'][number]).hash,
          transactionIndex: i,
          logIndex: logIndex++,
          removed: false,
        })
      }
    })
    return out
  }

  async getLogs(f: LogFilter): Promise<IndexedLog[]> {
    const out: IndexedLog[] = []
    const head = this.engine.head.unsafe.header.number
    const to = f.toBlock > head ? head : f.toBlock
    for (let n = f.fromBlock; n <= to; n++) {
      const h = await this.engine.store.getCanonicalHash(n)
      const header = h ? await this.engine.store.getHeader(h) : undefined
      if (!h || !header || !this.bloomMayMatch(header, f)) continue
      const block = (await this.engine.store.getBlock(h)) as Block
      const logs = this.blockLogs(block, (await this.engine.store.getReceipts(h)) ?? [])
      for (const l of logs) if (matches(l, f)) out.push(l)
    }
    return out
  }

  private bloomMayMatch(h: BlockHeader, f: LogFilter): boolean {
    if (f.addresses.length > 0 && !f.addresses.some((a) => bloomContains(h.logsBloom, a))) return false
    for (const pos of f.topics) {
      if (pos && pos.length > 0 && !pos.some((t) => bloomContains(h.logsBloom, t))) return false
    }
    return true
  }

  async stateAt(sel: BlockSelector): Promise<StateView | undefined> {
    const block = await this.getBlock(sel)
    if (!block) return undefined
    const state = await this.engine.stateAt(block.header)
    return stateView(state)
  }

  private async simulate(req: CallRequest, sel: BlockSelector, gas?: bigint) {
    const block = await this.getBlock(sel)
    if (!block) throw new RpcBackendError('header not found', -32000)
    const header = block.header
    const feeCap = req.maxFeePerGas ?? req.gasPrice
    let gasPrice = 0n
    if (feeCap !== undefined && feeCap > 0n) {
      const tip = req.maxPriorityFeePerGas ?? feeCap
      gasPrice = header.baseFeePerGas + tip < feeCap ? header.baseFeePerGas + tip : feeCap
    }
    try {
      return await this.engine.simulate(header, {
        from: req.from ?? new Uint8Array(20),
        to: req.to,
        value: req.value ?? 0n,
        data: req.data ?? new Uint8Array(0),
        gas: gas ?? (req.gas !== undefined && req.gas < this.opts.gasCap ? req.gas : this.opts.gasCap),
        gasPrice,
        accessList: (req.accessList ?? []).map((a) => [a.address, a.storageKeys]),
      })
    } catch (err) {
      if (err instanceof InvalidTransactionError) throw new RpcBackendError(err.reason, -32000)
      throw err
    }
  }

  async call(req: CallRequest, sel: BlockSelector): Promise<CallResult> {
    const r = await this.simulate(req, sel)
    return {
      returnData: r.returnValue,
      gasUsed: r.gasUsed,
      reverted: r.reverted,
      ...(r.error ? { error: r.error } : {}),
    }
  }

  /** geth's binary search for the lowest gas limit at which the call succeeds. */
  async estimateGas(req: CallRequest, sel: BlockSelector): Promise<bigint> {
    let hi = req.gas !== undefined && req.gas < this.opts.gasCap ? req.gas : this.opts.gasCap
    const first = await this.simulate(req, sel, hi)
    if (first.reverted)
      throw new RpcBackendError('execution reverted', 3, `0x${Buffer.from(first.returnValue).toString('hex')}`)
    if (first.error) throw new RpcBackendError(`gas required exceeds allowance (${hi})`, -32000)
    let lo = first.gasUsed - 1n
    // Most calls succeed with what they used (plus the 63/64 rule margin): try that first.
    const guess = (first.gasUsed * 64n) / 63n
    if (guess < hi) {
      const g = await this.simulate(req, sel, guess).catch(() => undefined)
      if (g && !g.reverted && !g.error) hi = guess
    }
    while (lo + 1n < hi) {
      const mid = (lo + hi) / 2n
      const r = await this.simulate(req, sel, mid).catch(() => undefined)
      if (!r || r.reverted || r.error) lo = mid
      else hi = mid
    }
    return hi
  }

  async sendRawTransaction(raw: Uint8Array): Promise<Uint8Array> {
    if (!this.pool) throw new RpcBackendError('transaction pool disabled on this node', -32000)
    const [admitted] = await this.engine.admit([raw])
    if (!admitted || admitted instanceof InvalidTransactionError) {
      throw new RpcBackendError(gethAdmissionMessage(admitted?.reason ?? 'invalid transaction'), -32000)
    }
    try {
      await this.pool.add(admitted)
    } catch (err) {
      if (err instanceof TxPoolError) throw new RpcBackendError(err.reason, -32000)
      throw err
    }
    return admitted.tx.hash
  }

  nextBaseFee(): bigint {
    const h = this.engine.head.unsafe.header
    const spec = this.engine.spec
    const t = h.timestamp + 1n
    const parentForks = forksAt(spec, h.timestamp)
    return nextBaseFee(opEip1559Config(spec), h, parentForks.holocene && h.number > 0n, forksAt(spec, t).canyon)
  }

  async gasPrice(): Promise<bigint> {
    return this.nextBaseFee() + this.opts.suggestedTip
  }

  async maxPriorityFeePerGas(): Promise<bigint> {
    return this.opts.suggestedTip
  }

  async feeHistory(count: number, newest: bigint): Promise<{ blocks: FeeHistoryBlock[]; nextBaseFee: bigint }> {
    const blocks: FeeHistoryBlock[] = []
    const head = this.engine.head.unsafe.header.number
    const last = newest > head ? head : newest
    const first = last - BigInt(count) + 1n < 0n ? 0n : last - BigInt(count) + 1n
    let nextFee = this.nextBaseFee()
    for (let n = first; n <= last; n++) {
      const h = await this.engine.store.getCanonicalHash(n)
      const block = h ? await this.engine.store.getBlock(h) : undefined
      if (!block) continue
      const receipts = (await this.engine.store.getReceipts(block.hash)) ?? []
      const rewards = receipts
        .map((r, i) => ({ r, t: block.transactions[i] }))
        .filter(({ r }) => r.type !== DEPOSIT_TX_TYPE)
        .map(({ r }) => ({ tip: r.effectiveGasPrice - block.header.baseFeePerGas, gasUsed: r.gasUsed }))
      blocks.push({
        number: n,
        baseFeePerGas: block.header.baseFeePerGas,
        gasUsed: block.header.gasUsed,
        gasLimit: block.header.gasLimit,
        rewards,
      })
      if (n === last && last < head) {
        const next = await this.engine.store.getCanonicalHash(n + 1n)
        const nh = next ? await this.engine.store.getHeader(next) : undefined
        if (nh) nextFee = nh.baseFeePerGas
      }
    }
    return { blocks, nextBaseFee: nextFee }
  }

  onNewHead(listener: (block: Block, logs: IndexedLog[]) => void): () => void {
    return this.engine.onNewHead((block, receipts) => listener(block, this.blockLogs(block, receipts)))
  }
}

function matches(l: IndexedLog, f: LogFilter): boolean {
  if (f.addresses.length > 0 && !f.addresses.some((a) => bytesEqual(a, l.address))) return false
  for (let i = 0; i < f.topics.length; i++) {
    const want = f.topics[i]
    if (!want || want.length === 0) continue
    const t = l.topics[i]
    if (!t || !want.some((w) => bytesEqual(w, t))) return false
  }
  return true
}

export function stateView(state: StateDB): StateView {
  return {
    async getBalance(a) {
      return (await state.readAccount(a))?.balance ?? 0n
    },
    async getNonce(a) {
      return (await state.readAccount(a))?.nonce ?? 0n
    },
    async getCode(a) {
      const acc = await state.readAccount(a)
      return acc ? state.getCodeByHash(acc.codeHash) : new Uint8Array(0)
    },
    async getStorageAt(a, slot) {
      return pad32(await state.getStorage(new Address(a), pad32(slot)))
    },
    async getProof(a, slots): Promise<AccountProof> {
      const accountTrie = await state.accountTrieAt()
      const accountProof = await accountTrie.prove(keccak256(a))
      const acc = await state.readAccount(a)
      const storageTrie = await state.storageTrieFor(a)
      const storageProof = []
      for (const s of slots) {
        const key = pad32(s)
        const value = await state.getStorage(new Address(a), key)
        storageProof.push({
          key: s,
          value: value.length === 0 ? 0n : BigInt(`0x${Buffer.from(value).toString('hex')}`),
          proof: acc ? await storageTrie.prove(keccak256(key)) : [],
        })
      }
      return {
        address: a,
        accountProof,
        balance: acc?.balance ?? 0n,
        codeHash: acc?.codeHash ?? KECCAK_EMPTY,
        nonce: acc?.nonce ?? 0n,
        storageHash: acc?.storageRoot ?? keccak256(Uint8Array.of(0x80)),
        storageProof,
      }
    },
  }
}

/** geth's txpool wraps signer failures in ErrInvalidSender ("invalid sender[: cause]"); clients match on it. */
function gethAdmissionMessage(reason: string): string {
  if (reason === 'invalid signature') return 'invalid sender'
  if (reason === 'invalid chain id for signer') return `invalid sender: ${reason}`
  return reason
}
