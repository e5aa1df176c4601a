import { type Client, createClient, http } from 'viem'
import { hexToBytes } from '../../config/bytes.ts'
import { errorMessage } from '../../config/errors.ts'
import type { Logger } from '../../config/logger.ts'
import type { Address, Hash, L1BlockRef } from '../../config/types.ts'
import type { AttributesL1Source, L1HeaderInfo } from '../../derivation/attributes/attributesBuilder.ts'
import { PipelineError } from '../../derivation/pipelineErrors.ts'
import { L1_BLOCK_NOT_FOUND, type L1Receipt, type L1Source, type L1Transaction } from '../../derivation/providers.ts'
import { LruCache } from './lruCache.ts'
import { RequestLimiter } from './requestLimiter.ts'
import { DEFAULT_RETRY, isMethodNotFound, isTransientRpcError, type RetryOptions, withRetry } from './rpcRetry.ts'

// L1 over JSON-RPC for derivation (op-node sources.L1Client): block refs, headers, transactions and receipts by hash,
// with JSON-RPC batching, bounded concurrency, a request rate limit, retries with backoff for transient failures and
// LRU caches keyed by block hash (a hash names immutable content, so a reorg never makes an entry stale). Errors
// follow derivation/providers.ts: a missing block is a `reset` L1_BLOCK_NOT_FOUND, a transport failure that outlived
// its retries is `temporary`.

export type L1BlockLabel = 'latest' | 'safe' | 'finalized'

export interface RpcL1SourceOptions {
  /** L1 execution JSON-RPC over HTTP(S). */
  url: string
  logger?: Logger | undefined
  /** In-flight requests at most (default 16). */
  maxConcurrent?: number | undefined
  /** Requests started per second at most (default: unlimited). */
  requestsPerSecond?: number | undefined
  /** Per-HTTP-request timeout (default 10 s). */
  timeoutMs?: number | undefined
  /** JSON-RPC calls per HTTP batch (default 32; 1 disables batching). */
  batchSize?: number | undefined
  retry?: Partial<RetryOptions> | undefined
  /** Blocks kept in each cache (refs, headers, txs, receipts; default 1000). */
  cacheSize?: number | undefined
}

interface RpcLog {
  address: string
  topics: string[]
  data: string
  logIndex?: string | null
}
interface RpcReceipt {
  status?: string | null
  blockHash: string
  logs: RpcLog[]
}
interface RpcTx {
  hash: string
  type?: string | null
  to?: string | null
  from: string
  input: string
  blobVersionedHashes?: string[] | null
}
interface RpcBlock {
  number: string
  hash: string
  parentHash: string
  timestamp: string
  baseFeePerGas?: string | null
  mixHash?: string | null
  parentBeaconBlockRoot?: string | null
  excessBlobGas?: string | null
  transactions: (RpcTx | string)[]
}

type RawRequest = (args: { method: string; params: unknown[] }) => Promise<unknown>

const num = (hex: string): number => Number.parseInt(hex, 16)

function toRef(b: RpcBlock): L1BlockRef {
  return { number: num(b.number), hash: b.hash as Hash, parentHash: b.parentHash as Hash, timestamp: num(b.timestamp) }
}

function toHeader(b: RpcBlock): L1HeaderInfo {
  return {
    ...toRef(b),
    baseFeePerGas: BigInt(b.baseFeePerGas ?? 0),
    mixHash: (b.mixHash ?? `0x${'0'.repeat(64)}`) as Hash,
    parentBeaconBlockRoot: (b.parentBeaconBlockRoot ?? undefined) as Hash | undefined,
    excessBlobGas: b.excessBlobGas == null ? undefined : BigInt(b.excessBlobGas),
  }
}

function toTx(t: RpcTx): L1Transaction {
  return {
    type: t.type == null ? 0 : num(t.type),
    to: (t.to ?? null) as Address | null,
    from: t.from as Address,
    data: hexToBytes(t.input),
    blobVersionedHashes: (t.blobVersionedHashes ?? []) as Hash[],
  }
}

function toReceipt(r: RpcReceipt): L1Receipt {
  return {
    // Pre-Byzantium receipts carry a state root instead of a status; no OP Stack L1 is that old.
    status: r.status == null ? 0 : num(r.status),
    logs: r.logs.map((l) => ({
      address: hexToBytes(l.address),
      topics: l.topics.map(hexToBytes),
      data: hexToBytes(l.data),
      logIndex: l.logIndex == null ? undefined : num(l.logIndex),
    })),
  }
}

export class RpcL1Source implements L1Source, AttributesL1Source {
  private readonly request: RawRequest
  private readonly limiter: RequestLimiter
  private readonly retry: RetryOptions
  private readonly refs: LruCache<string, L1BlockRef>
  private readonly headers: LruCache<string, L1HeaderInfo>
  private readonly txs: LruCache<string, readonly L1Transaction[]>
  private readonly receipts: LruCache<string, readonly L1Receipt[]>
  /** Set once the server answered that eth_getBlockReceipts does not exist. */
  private blockReceiptsUnsupported = false
  readonly client: Client

  constructor(private readonly opts: RpcL1SourceOptions) {
    const batchSize = opts.batchSize ?? 32
    this.client = createClient({
      transport: http(opts.url, {
        batch: batchSize > 1 ? { batchSize, wait: 0 } : false,
        retryCount: 0, // retries are ours, so they are counted and mapped to PipelineErrors
        timeout: opts.timeoutMs ?? 10_000,
      }),
    })
    this.request = this.client.request as unknown as RawRequest
    this.limiter = new RequestLimiter({
      maxConcurrent: opts.maxConcurrent ?? 16,
      requestsPerSecond: opts.requestsPerSecond ?? Number.POSITIVE_INFINITY,
    })
    this.retry = { ...DEFAULT_RETRY, ...opts.retry }
    const size = opts.cacheSize ?? 1000
    this.refs = new LruCache(size)
    this.headers = new LruCache(size)
    this.txs = new LruCache(size)
    this.receipts = new LruCache(size)
  }

  /** One JSON-RPC call, rate limited and retried; failures become `temporary` PipelineErrors. */
  private async call<T>(method: string, params: unknown[]): Promise<T> {
    try {
      return (await withRetry(
        () => this.limiter.run(() => this.request({ method, params })),
        this.retry,
        (err, attempt, delayMs) =>
          this.opts.logger?.debug({ method, attempt, delayMs, err: errorMessage(err) }, 'L1 RPC retry'),
      )) as T
    } catch (err) {
      if (err instanceof PipelineError) throw err
      const transient = isTransientRpcError(err)
      throw PipelineError.temp(
        transient ? 'L1_RPC_UNAVAILABLE' : 'L1_RPC_FAILED',
        transient
          ? `L1 RPC ${method} kept failing after ${this.retry.attempts} attempts; check the L1 node is up and the rate limit`
          : `L1 RPC ${method} failed: ${errorMessage(err)}`,
        { method },
        err,
      )
    }
  }

  private notFound(what: Record<string, unknown>): PipelineError {
    return PipelineError.reset(L1_BLOCK_NOT_FOUND, `L1 block not found: ${JSON.stringify(what)}`, what)
  }

  private remember(b: RpcBlock): L1BlockRef {
    const key = b.hash.toLowerCase()
    const ref = toRef(b)
    this.refs.set(key, ref)
    this.headers.set(key, toHeader(b))
    if (b.transactions.length === 0 || typeof b.transactions[0] !== 'string') {
      this.txs.set(key, (b.transactions as RpcTx[]).map(toTx))
    }
    return ref
  }

  private async blockByHash(hash: Hash, fullTxs: boolean): Promise<RpcBlock> {
    const b = await this.call<RpcBlock | null>('eth_getBlockByHash', [hash, fullTxs])
    if (!b) throw this.notFound({ hash })
    if (b.hash.toLowerCase() !== hash.toLowerCase()) {
      throw PipelineError.temp('L1_RPC_INCONSISTENT', 'L1 RPC returned a different block than asked for', {
        hash,
        got: b.hash,
      })
    }
    this.remember(b)
    return b
  }

  async l1BlockRefByNumber(number: number): Promise<L1BlockRef> {
    const b = await this.call<RpcBlock | null>('eth_getBlockByNumber', [`0x${number.toString(16)}`, false])
    if (!b) throw this.notFound({ number })
    return this.remember(b)
  }

  /** The chain's current head, safe or finalized block (never cached: labels move). */
  async l1BlockRefByLabel(label: L1BlockLabel): Promise<L1BlockRef> {
    const b = await this.call<RpcBlock | null>('eth_getBlockByNumber', [label, false])
    if (!b) throw this.notFound({ label })
    return this.remember(b)
  }

  async l1BlockRefByHash(hash: Hash): Promise<L1BlockRef> {
    const hit = this.refs.get(hash.toLowerCase())
    if (hit) return hit
    return toRef(await this.blockByHash(hash, false))
  }

  async infoByHash(hash: Hash): Promise<L1HeaderInfo> {
    const hit = this.headers.get(hash.toLowerCase())
    if (hit) return hit
    return toHeader(await this.blockByHash(hash, false))
  }

  async blockInfoAndTxsByHash(hash: Hash): Promise<{ info: L1BlockRef; txs: readonly L1Transaction[] }> {
    const key = hash.toLowerCase()
    const ref = this.refs.get(key)
    const txs = this.txs.get(key)
    if (ref && txs) return { info: ref, txs }
    const b = await this.blockByHash(hash, true)
    return { info: toRef(b), txs: this.txs.get(key) ?? (b.transactions as RpcTx[]).map(toTx) }
  }

  async receiptsByHash(hash: Hash): Promise<readonly L1Receipt[]> {
    const key = hash.toLowerCase()
    const hit = this.receipts.get(key)
    if (hit) return hit
    const raw = await this.fetchReceipts(hash)
    for (const r of raw) {
      // A receipt of another block means the node switched forks mid-fetch: retry later from a clean state.
      if (r.blockHash.toLowerCase() !== key) {
        throw PipelineError.temp('L1_RPC_INCONSISTENT', 'L1 receipts belong to another block (reorg in progress?)', {
          hash,
          got: r.blockHash,
        })
      }
    }
    const receipts = raw.map(toReceipt)
    this.receipts.set(key, receipts)
    return receipts
  }

  async infoAndReceiptsByHash(hash: Hash): Promise<{ info: L1HeaderInfo; receipts: readonly L1Receipt[] }> {
    const [info, receipts] = await Promise.all([this.infoByHash(hash), this.receiptsByHash(hash)])
    return { info, receipts }
  }

  private async fetchReceipts(hash: Hash): Promise<RpcReceipt[]> {
    if (!this.blockReceiptsUnsupported) {
      try {
        const rs = await this.call<RpcReceipt[] | null>('eth_getBlockReceipts', [hash])
        if (!rs) throw this.notFound({ hash })
        return rs
      } catch (err) {
        if (!(err instanceof PipelineError && err.code === 'L1_RPC_FAILED' && isMethodNotFound(err.cause))) throw err
        this.blockReceiptsUnsupported = true
        this.opts.logger?.info({ err: errorMessage(err) }, 'eth_getBlockReceipts unsupported, fetching receipts per tx')
      }
    }
    const b = await this.blockByHash(hash, false)
    const rs = await Promise.all(
      (b.transactions as (string | RpcTx)[]).map((t) =>
        this.call<RpcReceipt | null>('eth_getTransactionReceipt', [typeof t === 'string' ? t : t.hash]),
      ),
    )
    if (rs.some((r) => r === null)) throw this.notFound({ hash, receipts: 'missing' })
    return rs as RpcReceipt[]
  }
}
