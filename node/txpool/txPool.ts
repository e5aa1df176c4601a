import { NodeError } from '../../config/errors.ts'
import type { AdmittedTx, TxSource } from '../engine/engine.ts'
import type { AccountRecord } from '../engine/state/account.ts'
import { txIntrinsicGas } from '../engine/txCodec.ts'

// The transaction pool: per-sender nonce queues, replacement by fee bump, account and global limits, and
// a price-and-nonce ordered view for block building (geth's TransactionsByPriceAndNonce).

export class TxPoolError extends NodeError<'TXPOOL_REJECTED'> {
  constructor(
    readonly reason: string,
    meta: Record<string, unknown> = {},
  ) {
    super('TXPOOL_REJECTED', reason, meta)
  }
}

export interface TxPoolOptions {
  /** Max txs queued per sender (executable or future). */
  accountSlots: number
  /** Max txs in the pool. */
  globalSlots: number
  /** Max encoded tx size in bytes. */
  maxTxSize: number
  /** Replacement needs this % more maxFeePerGas and maxPriorityFeePerGas. */
  priceBumpPercent: number
  /** Minimum maxPriorityFeePerGas accepted. */
  minTip: bigint
  /** Max nonce gap ahead of the account nonce. */
  maxNonceGap: bigint
}

export const defaultTxPoolOptions: TxPoolOptions = {
  accountSlots: 64,
  globalSlots: 8192,
  maxTxSize: 128 * 1024,
  priceBumpPercent: 10,
  minTip: 0n,
  maxNonceGap: 64n,
}

/** What the pool needs to know about the head state. */
export interface PoolState {
  account(address: Uint8Array): Promise<AccountRecord | null>
  /** Base fee of the next block (txs below it wait, they are not rejected). */
  nextBaseFee(): bigint
  /** The L1 data fee the tx would pay (op-geth counts it in the admission balance check). */
  l1Fee?(raw: Uint8Array): Promise<bigint>
  /** The head's gas limit: a tx needing more can never be included (geth ErrGasLimit). */
  blockGasLimit?(): bigint
}

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex')

export class TxPool implements TxSource {
  private readonly bySender = new Map<string, Map<bigint, AdmittedTx>>()
  private readonly byHash = new Map<string, AdmittedTx>()
  private readonly opts: TxPoolOptions

  constructor(
    private readonly state: PoolState,
    opts: Partial<TxPoolOptions> = {},
  ) {
    this.opts = { ...defaultTxPoolOptions, ...opts }
  }

  get size(): number {
    return this.byHash.size
  }

  has(hash: Uint8Array): boolean {
    return this.byHash.has(hex(hash))
  }

  get(hash: Uint8Array): AdmittedTx | undefined {
    return this.byHash.get(hex(hash))
  }

  /** Validates against the head state and inserts (or replaces). Throws TxPoolError with geth's messages. */
  async add(a: AdmittedTx): Promise<void> {
    const { tx, sender } = a
    const o = this.opts
    if (this.byHash.has(hex(tx.hash))) throw new TxPoolError('already known')
    if (tx.raw.length > o.maxTxSize) throw new TxPoolError('oversized data', { size: tx.raw.length, max: o.maxTxSize })
    if (tx.maxPriorityFeePerGas > tx.maxFeePerGas)
      throw new TxPoolError('max priority fee per gas higher than max fee per gas')
    if (tx.maxPriorityFeePerGas < o.minTip) throw new TxPoolError('transaction underpriced', { minTip: o.minTip })
    const blockGas = this.state.blockGasLimit?.()
    if (blockGas !== undefined && tx.gasLimit > blockGas) {
      throw new TxPoolError('exceeds block gas limit', { gas: tx.gasLimit, blockGasLimit: blockGas })
    }
    // OP chains run Shanghai rules from Canyon (initcode word gas).
    const intrinsic = txIntrinsicGas(tx, true)
    if (tx.gasLimit < intrinsic) throw new TxPoolError('intrinsic gas too low', { gas: tx.gasLimit, intrinsic })
    const acc = await this.state.account(sender)
    const nonce = acc?.nonce ?? 0n
    if (tx.nonce < nonce) throw new TxPoolError('nonce too low', { next: nonce })
    if (tx.nonce > nonce + o.maxNonceGap) throw new TxPoolError('nonce too high', { next: nonce })
    const l1Fee = (await this.state.l1Fee?.(tx.raw)) ?? 0n
    const cost = tx.gasLimit * tx.maxFeePerGas + tx.value + l1Fee
    if ((acc?.balance ?? 0n) < cost) {
      throw new TxPoolError('insufficient funds for gas * price + value + l1 fee', {
        have: acc?.balance ?? 0n,
        want: cost,
      })
    }
    const key = hex(sender)
    let q = this.bySender.get(key)
    const existing = q?.get(tx.nonce)
    if (existing) {
      const bump = (v: bigint) => v + (v * BigInt(o.priceBumpPercent)) / 100n
      if (
        tx.maxFeePerGas < bump(existing.tx.maxFeePerGas) ||
        tx.maxPriorityFeePerGas < bump(existing.tx.maxPriorityFeePerGas)
      ) {
        throw new TxPoolError('replacement transaction underpriced')
      }
      this.byHash.delete(hex(existing.tx.hash))
    } else {
      if ((q?.size ?? 0) >= o.accountSlots) throw new TxPoolError('account limit exceeded', { limit: o.accountSlots })
      if (this.byHash.size >= o.globalSlots) throw new TxPoolError('txpool is full', { limit: o.globalSlots })
    }
    if (!q) {
      q = new Map()
      this.bySender.set(key, q)
    }
    q.set(tx.nonce, a)
    this.byHash.set(hex(tx.hash), a)
  }

  /** Drops txs the new head made stale (nonce below the account nonce). */
  async onNewHead(): Promise<void> {
    for (const [key, q] of this.bySender) {
      const acc = await this.state.account(Buffer.from(key, 'hex'))
      const nonce = acc?.nonce ?? 0n
      for (const [n, a] of q) {
        if (n < nonce) {
          q.delete(n)
          this.byHash.delete(hex(a.tx.hash))
        }
      }
      if (q.size === 0) this.bySender.delete(key)
    }
  }

  rejected(raw: Uint8Array, _reason: string): void {
    for (const [h, a] of this.byHash) {
      if (a.tx.raw === raw || (a.tx.raw.length === raw.length && hex(a.tx.raw) === hex(raw))) {
        this.byHash.delete(h)
        this.bySender.get(hex(a.sender))?.delete(a.tx.nonce)
        return
      }
    }
  }

  /**
   * Executable txs ordered by effective tip with each sender's nonces in order: repeatedly takes the best
   * head-of-queue among senders (a heap over senders).
   */
  *pending(): Iterable<AdmittedTx> {
    const baseFee = this.state.nextBaseFee()
    const tip = (a: AdmittedTx) => {
      const t = a.tx.maxFeePerGas - baseFee
      return t < a.tx.maxPriorityFeePerGas ? t : a.tx.maxPriorityFeePerGas
    }
    type Head = { list: AdmittedTx[]; i: number }
    const heads: Head[] = []
    for (const q of this.bySender.values()) {
      const list = [...q.values()].sort((a, b) => (a.tx.nonce < b.tx.nonce ? -1 : 1))
      // only the gap-free run starting at the lowest queued nonce is executable
      const run: AdmittedTx[] = []
      for (const a of list) {
        if (run.length > 0 && a.tx.nonce !== (run[run.length - 1] as AdmittedTx).tx.nonce + 1n) break
        run.push(a)
      }
      if (run.length > 0) heads.push({ list: run, i: 0 })
    }
    const better = (x: Head, y: Head) => tip(x.list[x.i] as AdmittedTx) > tip(y.list[y.i] as AdmittedTx)
    // binary heap by current head tip
    const heap = heads
    const down = (k: number) => {
      for (;;) {
        const l = 2 * k + 1
        const r = l + 1
        let m = k
        if (l < heap.length && better(heap[l] as Head, heap[m] as Head)) m = l
        if (r < heap.length && better(heap[r] as Head, heap[m] as Head)) m = r
        if (m === k) return
        ;[heap[k], heap[m]] = [heap[m] as Head, heap[k] as Head]
        k = m
      }
    }
    for (let k = Math.floor(heap.length / 2) - 1; k >= 0; k--) down(k)
    while (heap.length > 0) {
      const top = heap[0] as Head
      const a = top.list[top.i] as AdmittedTx
      if (a.tx.maxFeePerGas < baseFee) {
        // cannot pay the base fee: neither can its successors; drop this sender for the block
        heap[0] = heap[heap.length - 1] as Head
        heap.pop()
        down(0)
        continue
      }
      yield a
      top.i++
      if (top.i >= top.list.length) {
        heap[0] = heap[heap.length - 1] as Head
        heap.pop()
      }
      down(0)
    }
  }
}
