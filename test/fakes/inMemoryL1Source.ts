import type { Address, Hash, L1BlockRef } from '../../config/types.ts'
import { EOF, type Eof, PipelineError } from '../../derivation/pipelineErrors.ts'
import type { BlobSource, IndexedBlobHash, L1Receipt, L1Source, L1Transaction } from '../../derivation/providers.ts'
import type { L1RetrievalProvider } from '../../derivation/stages/l1Retrieval.ts'

// In-memory L1 for derivation tests: a chain of blocks with transactions, numbered from `firstNumber`, with
// deterministic fake hashes. Lookups of unknown blocks throw a `reset` PipelineError, like a real provider would.

function fakeHash(tag: number, n: number): Hash {
  return `0x${tag.toString(16).padStart(8, '0')}${n.toString(16).padStart(56, '0')}` as Hash
}

export interface FakeL1Block {
  ref: L1BlockRef
  txs: L1Transaction[]
  receipts: L1Receipt[]
}

export class InMemoryL1Source implements L1Source {
  readonly blocks: FakeL1Block[] = []
  private readonly byHash = new Map<string, FakeL1Block>()
  /** Calls made, to assert on fetch behaviour. */
  calls = 0
  /** Bumped by reorgFrom so blocks of a new branch get new hashes. */
  private branch = 0

  constructor(
    private readonly firstNumber = 0,
    private readonly genesisTime = 1_000,
    private readonly blockTime = 12,
  ) {}

  /** Append a block with these txs; its timestamp is genesisTime + i*blockTime and its hash fake unless given. */
  addBlock(
    txs: L1Transaction[] = [],
    opts: { timestamp?: number; receipts?: L1Receipt[]; hash?: Hash } = {},
  ): L1BlockRef {
    const i = this.blocks.length
    const number = this.firstNumber + i
    const parent = this.blocks[i - 1]
    const ref: L1BlockRef = {
      number,
      hash: opts.hash ?? fakeHash(0xb10c + this.branch, number),
      parentHash: parent ? parent.ref.hash : fakeHash(0, number - 1),
      timestamp: opts.timestamp ?? (parent ? parent.ref.timestamp + this.blockTime : this.genesisTime),
    }
    const block = { ref, txs, receipts: opts.receipts ?? [] }
    this.blocks.push(block)
    this.byHash.set(ref.hash.toLowerCase(), block)
    return ref
  }

  /** An L1 reorg: drops the blocks from `number` on; blocks added afterwards belong to a new branch (new hashes). */
  reorgFrom(number: number): void {
    for (const b of this.blocks.splice(number - this.firstNumber)) this.byHash.delete(b.ref.hash.toLowerCase())
    this.branch++
  }

  private get(hash: Hash): FakeL1Block {
    this.calls++
    const b = this.byHash.get(hash.toLowerCase())
    if (!b) throw PipelineError.reset('L1_BLOCK_NOT_FOUND', `unknown L1 block ${hash}`, { hash })
    return b
  }

  async l1BlockRefByNumber(number: number): Promise<L1BlockRef> {
    const b = this.blocks[number - this.firstNumber]
    if (!b) throw PipelineError.reset('L1_BLOCK_NOT_FOUND', `unknown L1 block ${number}`, { number })
    return b.ref
  }

  async l1BlockRefByHash(hash: Hash): Promise<L1BlockRef> {
    return this.get(hash).ref
  }

  async receiptsByHash(hash: Hash): Promise<readonly L1Receipt[]> {
    return this.get(hash).receipts
  }

  async blockInfoAndTxsByHash(hash: Hash): Promise<{ info: L1BlockRef; txs: readonly L1Transaction[] }> {
    const b = this.get(hash)
    return { info: b.ref, txs: b.txs }
  }
}

/** Blobs by versioned hash; records each request's indexed hashes. */
export class InMemoryBlobSource implements BlobSource {
  readonly blobs = new Map<string, Uint8Array>()
  readonly requests: IndexedBlobHash[][] = []

  add(hash: Hash, blob: Uint8Array): void {
    this.blobs.set(hash.toLowerCase(), blob)
  }

  async getBlobs(_ref: L1BlockRef, hashes: readonly IndexedBlobHash[]): Promise<Uint8Array[]> {
    this.requests.push([...hashes])
    return hashes.map((h) => {
      const b = this.blobs.get(h.hash.toLowerCase())
      if (!b) throw PipelineError.reset('BLOB_NOT_FOUND', `blob ${h.hash} not found`, { index: h.index })
      return b
    })
  }
}

/**
 * L1 traversal stand-in (op-node L1Traversal): hands out its current block once, then EOF until `advance()` moves
 * to the next block of the source. The batcher address is fixed (no SystemConfig updates).
 */
export class FakeL1Traversal implements L1RetrievalProvider {
  private index: number
  private done = false

  constructor(
    private readonly l1: InMemoryL1Source,
    private readonly batcher: Address,
    startIndex = 0,
  ) {
    this.index = startIndex
  }

  origin(): L1BlockRef | null {
    return this.l1.blocks[this.index]?.ref ?? null
  }

  async nextL1Block(): Promise<L1BlockRef | Eof> {
    if (this.done) return EOF
    this.done = true
    return this.l1.blocks[this.index]!.ref
  }

  /** Move to the next block; false when there is none. */
  advance(): boolean {
    if (this.index + 1 >= this.l1.blocks.length) return false
    this.index++
    this.done = false
    return true
  }

  batcherAddr(): Address {
    return this.batcher
  }
}

/** A minimal L1 tx. */
export function tx(fields: Partial<L1Transaction> & { to: Address | null; from: Address }): L1Transaction {
  return { type: 2, data: new Uint8Array(), blobVersionedHashes: [], ...fields }
}
