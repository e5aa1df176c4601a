import { bytesToHex } from '../../config/bytes.ts'
import type { L2BlockForBatch, L2BlockSource, L2Heads } from '../../sequencer/batcher/l2BlockSource.ts'
import type { EngineL2 } from '../derivation/engineAdapter.ts'

// The batcher's view of the L2 chain, read in-process from the node's engine (op-batcher reads the same over
// op-geth's and op-node's RPC): canonical blocks by number with their raw txs, and the safe/unsafe heads.

export class EngineBlockSource implements L2BlockSource {
  constructor(private readonly l2: EngineL2) {}

  async blockByNumber(n: number): Promise<L2BlockForBatch | undefined> {
    const store = this.l2.engine.store
    const hash = await store.getCanonicalHash(BigInt(n))
    const block = hash ? await store.getBlock(hash) : undefined
    if (!block) return undefined
    const ref = this.l2.refOf(block)
    return {
      number: ref.number,
      hash: ref.hash,
      parentHash: ref.parentHash,
      timestamp: ref.timestamp,
      l1origin: ref.l1origin,
      transactions: block.transactions.map((t) => t.raw),
    }
  }

  async heads(): Promise<L2Heads> {
    const h = this.l2.engine.head
    return {
      safe: { hash: bytesToHex(h.safe.hash), number: Number(h.safe.header.number) },
      unsafe: { hash: bytesToHex(h.unsafe.hash), number: Number(h.unsafe.header.number) },
    }
  }
}
