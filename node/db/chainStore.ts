import { RLP } from '@ethereumjs/rlp'
import { Level } from 'level'
import { keccak256 as keccak_256 } from '../../config/keccak.ts'
import { logsBloom } from '../engine/bloom.ts'
import { decodeHeader, encodeHeader } from '../engine/header.ts'
import { bigintToBytes, bytesToBigint } from '../engine/state/account.ts'
import type { StateStore } from '../engine/state/stateDB.ts'
import { decodeNode, type TrieNode } from '../engine/trie/nodes.ts'
import type { Block, BlockHeader, Log, Receipt, TxEnvelope, TxLocation } from '../engine/types.ts'

// LevelDB layout: one byte bucket prefix per record kind (never reuse a retired number).
export const Bucket = {
  trieNode: 0x01, // node hash -> node rlp
  code: 0x02, // code hash -> code
  header: 0x03, // block hash -> header rlp
  body: 0x04, // block hash -> rlp([raw txs])
  receipts: 0x05, // block hash -> rlp([receipt...]) (storage encoding, with OP fields)
  canonical: 0x06, // be64(number) -> block hash
  txLookup: 0x07, // tx hash -> rlp([block hash, index])
  head: 0x08, // 'unsafe' | 'safe' | 'finalized' -> block hash
  senders: 0x09, // block hash -> concatenated 20-byte senders
  meta: 0x0a, // free-form metadata (genesis hash, schema version)
} as const

export type HeadName = 'unsafe' | 'safe' | 'finalized'

function key(bucket: number, k: Uint8Array | string): Uint8Array {
  const body = typeof k === 'string' ? Buffer.from(k, 'utf8') : k
  const out = new Uint8Array(body.length + 1)
  out[0] = bucket
  out.set(body, 1)
  return out
}

function be64(n: bigint): Uint8Array {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, n)
  return b
}

const hexOf = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex')

type BatchOp = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array }

function encodeStoredReceipt(r: Receipt): Uint8Array {
  const opt = (v: bigint | undefined) => (v === undefined ? new Uint8Array(0) : bigintToBytes(v))
  const flag = (v: unknown) => (v === undefined ? 0 : 1)
  // presence bitmap keeps "absent" distinct from zero for the optional OP fields
  const present =
    flag(r.depositNonce) |
    (flag(r.depositReceiptVersion) << 1) |
    (flag(r.l1Fee) << 2) |
    (flag(r.l1GasUsed) << 3) |
    (flag(r.l1GasPrice) << 4) |
    (flag(r.l1BlobBaseFee) << 5) |
    (flag(r.l1BaseFeeScalar) << 6) |
    (flag(r.l1BlobBaseFeeScalar) << 7)
  return RLP.encode([
    bigintToBytes(BigInt(r.type)),
    bigintToBytes(BigInt(r.status)),
    bigintToBytes(r.cumulativeGasUsed),
    bigintToBytes(r.gasUsed),
    bigintToBytes(r.effectiveGasPrice),
    r.logs.map((l) => [l.address, l.topics, l.data]),
    r.contractAddress ?? new Uint8Array(0),
    bigintToBytes(BigInt(present)),
    opt(r.depositNonce),
    opt(r.depositReceiptVersion),
    opt(r.l1Fee),
    opt(r.l1GasUsed),
    opt(r.l1GasPrice),
    opt(r.l1BlobBaseFee),
    opt(r.l1BaseFeeScalar),
    opt(r.l1BlobBaseFeeScalar),
  ] as never)
}

function decodeStoredReceipt(f: unknown[]): Receipt {
  const b = (i: number) => f[i] as Uint8Array
  const present = Number(bytesToBigint(b(7)))
  const opt = (i: number, bit: number) => (present & (1 << bit) ? bytesToBigint(b(i)) : undefined)
  const r: Receipt = {
    type: Number(bytesToBigint(b(0))),
    status: Number(bytesToBigint(b(1))) as 0 | 1,
    cumulativeGasUsed: bytesToBigint(b(2)),
    gasUsed: bytesToBigint(b(3)),
    effectiveGasPrice: bytesToBigint(b(4)),
    logs: (f[5] as [Uint8Array, Uint8Array[], Uint8Array][]).map(
      ([address, topics, data]): Log => ({ address, topics, data }),
    ),
    logsBloom: new Uint8Array(0),
  }
  // The bloom is derived data: recomputed from the logs instead of stored (256 bytes per receipt).
  r.logsBloom = logsBloom(r.logs)
  if (b(6).length) r.contractAddress = b(6)
  const fields = [
    'depositNonce',
    'depositReceiptVersion',
    'l1Fee',
    'l1GasUsed',
    'l1GasPrice',
    'l1BlobBaseFee',
    'l1BaseFeeScalar',
    'l1BlobBaseFeeScalar',
  ] as const
  fields.forEach((name, i) => {
    const v = opt(8 + i, i)
    if (v !== undefined) r[name] = v
  })
  return r
}

/** Bounded cache of decoded trie nodes (immutable, so safely shared). */
class NodeCache {
  private readonly map = new Map<string, TrieNode>()
  constructor(private readonly max: number) {}
  get(k: string): TrieNode | undefined {
    return this.map.get(k)
  }
  set(k: string, n: TrieNode): void {
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value as string)
    this.map.set(k, n)
  }
}

export interface ChainStoreOptions {
  /** fsync each block write (power-loss durability); process crashes are covered without it. */
  sync?: boolean
  nodeCacheSize?: number
}

/**
 * Blocks, receipts, state trie nodes, code and head pointers in one LevelDB. Every block is written in a
 * single atomic batch, and head pointers only ever name fully written blocks, so a crash at any point
 * reopens at a consistent head.
 */
export class ChainStore implements StateStore {
  private readonly nodeCache: NodeCache
  private readonly headerCache = new Map<string, BlockHeader>()
  /** Recently written blocks, so forkchoice updates right after newPayload need no body decode. */
  private readonly recentBlocks = new Map<string, Block>()

  private constructor(
    readonly db: Level<Uint8Array, Uint8Array>,
    private readonly opts: ChainStoreOptions,
  ) {
    this.nodeCache = new NodeCache(opts.nodeCacheSize ?? 200_000)
  }

  static async open(path: string, opts: ChainStoreOptions = {}): Promise<ChainStore> {
    const db = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' })
    await db.open()
    return new ChainStore(db, opts)
  }

  async close(): Promise<void> {
    await this.db.close()
  }

  private async get(k: Uint8Array): Promise<Uint8Array | undefined> {
    return (await this.db.get(k)) ?? undefined
  }

  // --- StateStore -------------------------------------------------------------------------------------

  async resolve(hash: Uint8Array): Promise<TrieNode> {
    const hk = hexOf(hash)
    const cached = this.nodeCache.get(hk)
    if (cached) return cached
    const rlp = await this.get(key(Bucket.trieNode, hash))
    if (!rlp) throw new Error(`state: trie node ${hk} missing from the database`)
    const node = decodeNode(rlp, hash)
    this.nodeCache.set(hk, node)
    return node
  }

  async getCode(codeHash: Uint8Array): Promise<Uint8Array | undefined> {
    return this.get(key(Bucket.code, codeHash))
  }

  // --- writes -----------------------------------------------------------------------------------------

  /** Block, receipts, senders, new state nodes and code, in one atomic batch (not yet canonical). */
  async writeBlock(
    block: Block,
    receipts: Receipt[],
    nodes: [Uint8Array, Uint8Array][],
    code: [Uint8Array, Uint8Array][],
  ): Promise<void> {
    const ops: BatchOp[] = []
    for (const [h, rlp] of nodes) ops.push({ type: 'put', key: key(Bucket.trieNode, h), value: rlp })
    for (const [h, c] of code) ops.push({ type: 'put', key: key(Bucket.code, h), value: c })
    ops.push({ type: 'put', key: key(Bucket.header, block.hash), value: encodeHeader(block.header) })
    ops.push({
      type: 'put',
      key: key(Bucket.body, block.hash),
      value: RLP.encode(block.transactions.map((t) => t.raw)),
    })
    ops.push({
      type: 'put',
      key: key(Bucket.receipts, block.hash),
      value: RLP.encode(receipts.map(encodeStoredReceipt) as never),
    })
    const senders = new Uint8Array(block.transactions.length * 20)
    for (let i = 0; i < block.transactions.length; i++) senders.set((block.transactions[i] as TxEnvelope).from, i * 20)
    ops.push({ type: 'put', key: key(Bucket.senders, block.hash), value: senders })
    await this.db.batch(ops as never, { sync: this.opts.sync ?? false } as never)
    this.headerCache.set(hexOf(block.hash), block.header)
    this.recentBlocks.set(hexOf(block.hash), block)
    if (this.recentBlocks.size > 64) this.recentBlocks.delete(this.recentBlocks.keys().next().value as string)
  }

  /**
   * Makes `newHead` canonical (rewriting number->hash and tx lookups back to the fork point) and sets the
   * head pointers, atomically.
   */
  async setHeads(newHead: Block | undefined, heads: Partial<Record<HeadName, Uint8Array>>): Promise<void> {
    // Deletions (lookups of blocks leaving the canonical chain) go before puts, so a tx that moved between
    // heights ends up pointing at its new block.
    const dels: BatchOp[] = []
    const ops: BatchOp[] = []
    if (newHead) {
      const oldHeadHash = await this.getHead('unsafe')
      const oldHead = oldHeadHash ? await this.getHeader(oldHeadHash) : undefined
      // Walk the new chain back (by header) until it meets the canonical chain; only blocks that become
      // canonical need their bodies (for the tx lookups).
      let hash: Uint8Array = newHead.hash
      let header: BlockHeader = newHead.header
      let block: Block | undefined = newHead
      for (;;) {
        const canon = await this.getCanonicalHash(header.number)
        if (canon && hexOf(canon) === hexOf(hash)) break
        if (canon) {
          // the block being replaced at this height loses its tx lookups (re-added below if shared)
          const replaced = await this.getBlock(canon)
          for (const t of replaced?.transactions ?? []) dels.push({ type: 'del', key: key(Bucket.txLookup, t.hash) })
        }
        ops.push({ type: 'put', key: key(Bucket.canonical, be64(header.number)), value: hash })
        const b = block ?? (await this.getBlock(hash))
        const txs = b?.transactions ?? []
        for (let i = 0; i < txs.length; i++) {
          ops.push({
            type: 'put',
            key: key(Bucket.txLookup, (txs[i] as TxEnvelope).hash),
            value: RLP.encode([hash, bigintToBytes(BigInt(i))]),
          })
        }
        if (header.number === 0n) break
        const parent = await this.getHeader(header.parentHash)
        if (!parent)
          throw new Error(`chain store: parent ${hexOf(header.parentHash)} of block ${header.number} missing`)
        hash = header.parentHash
        header = parent
        block = undefined
      }
      // Drop canonical entries above the new head (the new chain is shorter than the old one).
      if (oldHead && oldHead.number > newHead.header.number) {
        for (let n = newHead.header.number + 1n; n <= oldHead.number; n++) {
          const h = await this.getCanonicalHash(n)
          if (h) {
            const b = await this.getBlock(h)
            for (const t of b?.transactions ?? []) dels.push({ type: 'del', key: key(Bucket.txLookup, t.hash) })
          }
          ops.push({ type: 'del', key: key(Bucket.canonical, be64(n)) })
        }
      }
    }
    for (const [name, h] of Object.entries(heads))
      if (h) ops.push({ type: 'put', key: key(Bucket.head, name), value: h })
    const all = [...dels, ...ops]
    if (all.length > 0) await this.db.batch(all as never, { sync: this.opts.sync ?? false } as never)
  }

  async putMeta(name: string, value: Uint8Array): Promise<void> {
    await this.db.put(key(Bucket.meta, name), value)
  }

  async getMeta(name: string): Promise<Uint8Array | undefined> {
    return this.get(key(Bucket.meta, name))
  }

  // --- reads ------------------------------------------------------------------------------------------

  async getHead(name: HeadName): Promise<Uint8Array | undefined> {
    return this.get(key(Bucket.head, name))
  }

  async getCanonicalHash(n: bigint): Promise<Uint8Array | undefined> {
    return this.get(key(Bucket.canonical, be64(n)))
  }

  async getHeader(hash: Uint8Array): Promise<BlockHeader | undefined> {
    const hk = hexOf(hash)
    const c = this.headerCache.get(hk)
    if (c) return c
    const raw = await this.get(key(Bucket.header, hash))
    if (!raw) return undefined
    const h = decodeHeader(raw)
    if (this.headerCache.size > 10_000) this.headerCache.clear()
    this.headerCache.set(hk, h)
    return h
  }

  async getBlock(hash: Uint8Array): Promise<Block | undefined> {
    const recent = this.recentBlocks.get(hexOf(hash))
    if (recent) return recent
    const header = await this.getHeader(hash)
    if (!header) return undefined
    const body = await this.get(key(Bucket.body, hash))
    const senders = await this.get(key(Bucket.senders, hash))
    if (!body || !senders) return undefined
    const raws = RLP.decode(body) as Uint8Array[]
    const transactions: TxEnvelope[] = raws.map((raw, i) => ({
      raw,
      hash: keccak_256(raw),
      type: (raw[0] as number) >= 0xc0 ? 0 : (raw[0] as number),
      from: senders.subarray(i * 20, i * 20 + 20),
    }))
    return { header, hash, transactions }
  }

  async getReceipts(hash: Uint8Array): Promise<Receipt[] | undefined> {
    const raw = await this.get(key(Bucket.receipts, hash))
    if (!raw) return undefined
    return (RLP.decode(raw) as unknown as Uint8Array[]).map((r) => decodeStoredReceipt(RLP.decode(r) as unknown[]))
  }

  async getTxLocation(txHash: Uint8Array): Promise<TxLocation | undefined> {
    const raw = await this.get(key(Bucket.txLookup, txHash))
    if (!raw) return undefined
    const [blockHash, idx] = RLP.decode(raw) as Uint8Array[]
    const header = await this.getHeader(blockHash as Uint8Array)
    if (!header) return undefined
    const canon = await this.getCanonicalHash(header.number)
    if (!canon || hexOf(canon) !== hexOf(blockHash as Uint8Array)) return undefined
    return {
      blockHash: blockHash as Uint8Array,
      blockNumber: header.number,
      index: Number(bytesToBigint(idx as Uint8Array)),
    }
  }
}
