import type { L2BlockRef } from '../../config/types.ts'
import type { L2ChainSource } from '../../derivation/l2Source.ts'

/** An in-memory L2 chain for the batch queue: block refs and non-deposit transactions by number. */
export class InMemoryL2Chain implements L2ChainSource {
  readonly blocks = new Map<number, { ref: L2BlockRef; txs: Uint8Array[] }>()
  fetches = 0

  add(ref: L2BlockRef, txs: Uint8Array[] = []): this {
    this.blocks.set(ref.number, { ref, txs })
    return this
  }

  async l2BlockRefByNumber(n: number): Promise<L2BlockRef> {
    this.fetches++
    const b = this.blocks.get(n)
    if (!b) throw new Error(`L2 block ${n} not found`)
    return b.ref
  }

  async nonDepositTransactionsByNumber(n: number): Promise<Uint8Array[]> {
    this.fetches++
    const b = this.blocks.get(n)
    if (!b) throw new Error(`L2 block ${n} not found`)
    return b.txs
  }
}
