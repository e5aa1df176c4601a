import { Address } from '@ethereumjs/util'
import type { Logger } from '../../config/logger.ts'
import { silentLogger } from '../../config/logger.ts'
import { outputRootV0 } from '../../config/protocol/outputRoot.ts'
import type { PrecompileExtension } from '../../precompiles/registry.ts'
import type { ChainStore, HeadName } from '../db/chainStore.ts'
import {
  BlockBuilder,
  type BuilderContext,
  createOpEvm,
  type PayloadAttributes,
  type SealedBlock,
} from './blockBuilder.ts'
import { type ChainSpec, CommonCache, forksAt } from './chainSpec.ts'
import { EngineError, InvalidPayloadError, InvalidTransactionError } from './errors.ts'
import { EMPTY_TRIE_ROOT } from './header.ts'
import { l1FeeFunction, readL1FeeParams } from './l1Fee.ts'
import { type BlockEnv, type L1CostFunction, OpTxProcessor, type TxHooks } from './opTxProcessor.ts'
import { SenderRecovery } from './senderRecovery.ts'
import { bytesEqual } from './state/account.ts'
import { StateDB, TrieRootCache } from './state/stateDB.ts'
import { decodeSignedTx, type SignedTx } from './txCodec.ts'
import type { Block, BlockHeader, Receipt } from './types.ts'

// The embedded execution engine behind an Engine-API-shaped interface, so the sequencer and derivation drive it
// exactly as op-node drives op-geth: forkchoiceUpdated(state, attrs?) -> payloadId, getPayload(id),
// newPayload(payload), forkchoiceUpdated(state).

export interface ForkchoiceState {
  headBlockHash: Uint8Array
  safeBlockHash: Uint8Array
  finalizedBlockHash: Uint8Array
}

export type PayloadStatusKind = 'VALID' | 'INVALID' | 'SYNCING' | 'ACCEPTED'

export interface PayloadStatus {
  status: PayloadStatusKind
  latestValidHash?: Uint8Array
  validationError?: string
}

import type { ExecutionPayload, ExecutionPayloadEnvelope } from '../../config/executionPayload.ts'

export type { ExecutionPayload, ExecutionPayloadEnvelope }

/** Pending pool transactions for a block being built (the sequencer's tx pool implements it). */
/** A pool transaction the sequencer already decoded and whose sender it recovered at admission. */
export interface AdmittedTx {
  tx: SignedTx
  sender: Uint8Array
}

export interface TxSource {
  /**
   * Candidate txs in the order they should be tried (per sender by nonce): raw bytes (decoded and
   * sender-recovered here, in parallel) or admitted txs (used as they are).
   */
  pending(): Iterable<Uint8Array | AdmittedTx>
  /** Told about txs that could not be included, so the pool can drop or park them. */
  rejected?(raw: Uint8Array, reason: string): void
}

/** What the engine reports; the node wires it to Prometheus. */
export interface EngineObserver {
  payloadBuilt?(block: Block, seconds: number): void
  payloadImported?(status: PayloadStatusKind, block?: Block): void
  headsChanged?(heads: Heads): void
}

export interface EngineOptions {
  store: ChainStore
  spec: ChainSpec
  /** The genesis block as written to the store by `initGenesis`. */
  hooks?: TxHooks
  extensions?: readonly PrecompileExtension[]
  txSource?: TxSource
  logger?: Logger
  /** Worker threads for sender recovery (default: cores - 1, at most 4). */
  recoveryWorkers?: number
  observer?: EngineObserver
}

export interface Heads {
  unsafe: Block
  safe: Block
  finalized: Block
}

interface PayloadJob {
  builder: BlockBuilder
  sealed?: SealedBlock
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex')
}

export function payloadFromBlock(b: Block): ExecutionPayload {
  const h = b.header
  return {
    parentHash: h.parentHash,
    feeRecipient: h.coinbase,
    stateRoot: h.stateRoot,
    receiptsRoot: h.receiptsRoot,
    logsBloom: h.logsBloom,
    prevRandao: h.mixHash,
    blockNumber: h.number,
    gasLimit: h.gasLimit,
    gasUsed: h.gasUsed,
    timestamp: h.timestamp,
    extraData: h.extraData,
    baseFeePerGas: h.baseFeePerGas,
    blockHash: b.hash,
    transactions: b.transactions.map((t) => t.raw),
    ...(h.withdrawalsRoot ? { withdrawals: [] } : {}),
    ...(h.blobGasUsed !== undefined ? { blobGasUsed: h.blobGasUsed, excessBlobGas: h.excessBlobGas } : {}),
  }
}

export class ExecutionEngine {
  readonly spec: ChainSpec
  readonly store: ChainStore
  private readonly commons: CommonCache
  private readonly roots = new TrieRootCache()
  private readonly ctx: BuilderContext
  private readonly jobs = new Map<string, PayloadJob>()
  /** Sealed blocks by hash, awaiting newPayload (what we built ourselves skips re-execution). */
  private readonly built = new Map<string, SealedBlock>()
  private readonly log: Logger
  private readonly recovery: SenderRecovery
  private heads!: Heads
  private nextJobId = 1n
  /** Serialises state-changing calls: one block at a time, like op-geth's chain mutex. */
  private queue: Promise<unknown> = Promise.resolve()
  txSource?: TxSource
  observer: EngineObserver
  private readonly headListeners = new Set<(b: Block, receipts: Receipt[]) => void>()

  private constructor(opts: EngineOptions) {
    this.spec = opts.spec
    this.store = opts.store
    this.commons = new CommonCache(opts.spec)
    this.txSource = opts.txSource
    this.observer = opts.observer ?? {}
    this.log = (opts.logger ?? silentLogger()).child({ module: 'engine' })
    this.recovery = new SenderRecovery(opts.recoveryWorkers)
    this.ctx = {
      recovery: this.recovery,
      spec: opts.spec,
      commons: this.commons,
      store: opts.store,
      roots: this.roots,
      hooks: opts.hooks,
      extensions: opts.extensions,
      l1Cost: async (state, forks) => l1FeeFunction(await readL1FeeParams(state), forks),
      blockHash: (n, tip) => this.ancestorHash(n, tip),
    }
  }

  /** Opens the engine over a store that already holds a genesis (see initGenesis). */
  static async open(opts: EngineOptions): Promise<ExecutionEngine> {
    const e = new ExecutionEngine(opts)
    await e.loadHeads()
    return e
  }

  /** Hash of block `n` among `tip`'s ancestors: the canonical index when `tip` is canonical, else a header walk. */
  private async ancestorHash(n: bigint, tip: { hash: Uint8Array; number: bigint }): Promise<Uint8Array | undefined> {
    if (n > tip.number) return undefined
    let hash = tip.hash
    let num = tip.number
    for (;;) {
      if (num === n) return hash
      const canon = await this.store.getCanonicalHash(num)
      if (canon && bytesEqual(canon, hash)) return this.store.getCanonicalHash(n)
      const header = await this.store.getHeader(hash)
      if (!header) return undefined
      hash = header.parentHash
      num--
    }
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn)
    this.queue = run.catch(() => undefined)
    return run
  }

  private async loadHeads(): Promise<void> {
    const load = async (name: HeadName) => {
      const h = await this.store.getHead(name)
      if (!h) throw new EngineError(`database has no ${name} head: initialise it with a genesis first`)
      const b = await this.store.getBlock(h)
      if (!b) throw new EngineError(`${name} head block ${hex(h)} missing from the database`)
      return b
    }
    this.heads = { unsafe: await load('unsafe'), safe: await load('safe'), finalized: await load('finalized') }
    this.log.info(
      { unsafe: Number(this.heads.unsafe.header.number), safe: Number(this.heads.safe.header.number) },
      'Engine opened',
    )
  }

  get head(): Heads {
    return this.heads
  }

  onNewHead(listener: (b: Block, receipts: Receipt[]) => void): () => void {
    this.headListeners.add(listener)
    return () => this.headListeners.delete(listener)
  }

  /** The state at a block (read-only use: RPC calls, proofs). */
  async stateAt(header: BlockHeader): Promise<StateDB> {
    return new StateDB(this.store, header.stateRoot, this.roots)
  }

  // --- Engine API -------------------------------------------------------------------------------------

  forkchoiceUpdated(
    fc: ForkchoiceState,
    attrs?: PayloadAttributes,
  ): Promise<{ payloadStatus: PayloadStatus; payloadId?: Uint8Array }> {
    return this.serial(async () => {
      const head = await this.store.getBlock(fc.headBlockHash)
      if (!head) return { payloadStatus: { status: 'SYNCING' } }
      const safe = isZero(fc.safeBlockHash) ? this.heads.safe : await this.store.getBlock(fc.safeBlockHash)
      const fin = isZero(fc.finalizedBlockHash)
        ? this.heads.finalized
        : await this.store.getBlock(fc.finalizedBlockHash)
      if (!safe || !fin) throw new EngineError('forkchoice: unknown safe or finalized block')
      if (safe.header.number > head.header.number || fin.header.number > safe.header.number) {
        throw new EngineError('forkchoice: inconsistent heads (finalized <= safe <= head required)')
      }
      const headChanged = !bytesEqual(head.hash, this.heads.unsafe.hash)
      await this.store.setHeads(headChanged ? head : undefined, {
        unsafe: head.hash,
        safe: safe.hash,
        finalized: fin.hash,
      })
      this.heads = { unsafe: head, safe, finalized: fin }
      this.observer.headsChanged?.(this.heads)
      if (headChanged && this.headListeners.size > 0) {
        const receipts = (await this.store.getReceipts(head.hash)) ?? []
        for (const l of this.headListeners) l(head, receipts)
      }
      const status: PayloadStatus = { status: 'VALID', latestValidHash: head.hash }
      if (!attrs) return { payloadStatus: status }
      const builder = await BlockBuilder.start(this.ctx, head.header, head.hash, attrs)
      await builder.applyAttributesTransactions()
      const id = new Uint8Array(8)
      new DataView(id.buffer).setBigUint64(0, this.nextJobId++)
      this.jobs.set(hex(id), { builder })
      boundMap(this.jobs, MAX_PENDING_PAYLOADS)
      return { payloadStatus: status, payloadId: id }
    })
  }

  /**
   * Moves the safe and/or finalized heads and keeps the unsafe head as it is when this runs. Derivation uses it
   * beside a sequencer that keeps extending the unsafe chain: a forkchoiceUpdated with a head read earlier would
   * rewind the block the sequencer just built.
   */
  updateSafety(safeHash?: Uint8Array, finalizedHash?: Uint8Array): Promise<void> {
    return this.serial(async () => {
      const head = this.heads.unsafe
      const safe = safeHash ? await this.store.getBlock(safeHash) : this.heads.safe
      const fin = finalizedHash ? await this.store.getBlock(finalizedHash) : this.heads.finalized
      if (!safe || !fin) throw new EngineError('updateSafety: unknown safe or finalized block')
      if (safe.header.number > head.header.number || fin.header.number > safe.header.number) {
        throw new EngineError('updateSafety: inconsistent heads (finalized <= safe <= head required)')
      }
      await this.store.setHeads(undefined, { unsafe: head.hash, safe: safe.hash, finalized: fin.hash })
      this.heads = { unsafe: head, safe, finalized: fin }
      this.observer.headsChanged?.(this.heads)
    })
  }

  /** Seals the payload job (pulling pool txs unless noTxPool) and returns its envelope. */
  getPayload(payloadId: Uint8Array): Promise<ExecutionPayloadEnvelope & { block: Block }> {
    return this.serial(async () => {
      const job = this.jobs.get(hex(payloadId))
      if (!job) throw new EngineError('unknown payload id', { payloadId: hex(payloadId) })
      if (!job.sealed) {
        const t0 = performance.now()
        if (!job.builder.attrs.noTxPool && this.txSource) await this.fillFromPool(job.builder, this.txSource)
        const t1 = performance.now()
        job.sealed = await job.builder.seal()
        this.observer.payloadBuilt?.(job.sealed.block, (performance.now() - t0) / 1000)
        this.log.debug(
          {
            l2: Number(job.sealed.block.header.number),
            txs: job.sealed.block.transactions.length,
            fillMs: Math.round(t1 - t0),
            sealMs: Math.round(performance.now() - t1),
          },
          'Payload sealed',
        )
        this.built.set(hex(job.sealed.block.hash), job.sealed)
        boundMap(this.built, MAX_PENDING_PAYLOADS)
        this.jobs.delete(hex(payloadId))
      }
      const b = job.sealed.block
      return {
        executionPayload: payloadFromBlock(b),
        parentBeaconBlockRoot: b.header.parentBeaconBlockRoot,
        block: b,
      }
    })
  }

  /**
   * Pulls pool txs until the block is full. Chunks are decoded here and their senders recovered on worker
   * threads while the previous chunk executes (a two-stage pipeline).
   */
  private async fillFromPool(builder: BlockBuilder, source: TxSource): Promise<void> {
    const CHUNK = this.recovery.parallel ? 512 : 2048
    const background = this.recovery.parallel
    const it = source.pending()[Symbol.iterator]()
    type Item = { tx: SignedTx; sender: Uint8Array } | InvalidTransactionError
    const nextChunk = () => {
      const raws: Uint8Array[] = []
      const ready: Item[] = []
      for (let r = it.next(); !r.done; r = it.next()) {
        const v = r.value
        if (v instanceof Uint8Array) raws.push(v)
        else ready.push(v)
        if (raws.length + ready.length >= CHUNK) break
      }
      if (raws.length === 0 && ready.length === 0) return undefined
      // Raw txs of a chunk are decoded and recovered together; admitted ones keep their order after them
      // only when a chunk mixes both (pools hand over one kind).
      const decoded: Promise<Item[]> =
        raws.length === 0
          ? Promise.resolve(ready)
          : builder.decodeAndRecover(raws, { background }).then((d) => (ready.length ? [...d, ...ready] : d))
      return { decoded }
    }
    let current = nextChunk()
    while (current) {
      const next = nextChunk()
      const decoded = await current.decoded
      for (const d of decoded) {
        if (d instanceof InvalidTransactionError) {
          source.rejected?.(d.meta.raw as Uint8Array, d.reason)
          continue
        }
        if (builder.header.gasLimit - builder.gasUsed < 21000n) {
          await next?.decoded
          return
        }
        try {
          await builder.addTransaction(d.tx, d.sender)
        } catch (err) {
          if (err instanceof InvalidTransactionError) source.rejected?.(d.tx.raw, err.reason)
          else throw err
        }
      }
      current = next
    }
  }

  /** Decodes a raw tx and recovers its sender (the sequencer's admission step). */
  async admit(raws: readonly Uint8Array[]): Promise<(AdmittedTx | InvalidTransactionError)[]> {
    const out: (AdmittedTx | InvalidTransactionError)[] = new Array(raws.length)
    const decoded: SignedTx[] = []
    const at: number[] = []
    raws.forEach((raw, i) => {
      try {
        decoded.push(decodeSignedTx(raw, this.spec.chainId))
        at.push(i)
      } catch (err) {
        if (err instanceof InvalidTransactionError) out[i] = err
        else throw err
      }
    })
    const senders = await this.recovery.recover(decoded)
    decoded.forEach((tx, k) => {
      const sender = senders[k]
      out[at[k] as number] = sender ? { tx, sender } : new InvalidTransactionError('invalid signature')
    })
    return out
  }

  async close(): Promise<void> {
    await this.recovery.close()
  }

  /** Validates and stores a payload (re-executing it unless we built it). Does not change the head. */
  newPayload(payload: ExecutionPayload, parentBeaconBlockRoot?: Uint8Array): Promise<PayloadStatus> {
    return this.serial(async () => {
      const known = await this.store.getHeader(payload.blockHash)
      if (known) return { status: 'VALID', latestValidHash: payload.blockHash }
      const own = this.built.get(hex(payload.blockHash))
      if (own) {
        await this.store.writeBlock(own.block, own.receipts, own.nodes, own.code)
        this.built.delete(hex(payload.blockHash))
        return { status: 'VALID', latestValidHash: payload.blockHash }
      }
      const parent = await this.store.getBlock(payload.parentHash)
      if (!parent) return { status: 'SYNCING' }
      try {
        const sealed = await this.execute(parent, payload, parentBeaconBlockRoot)
        await this.store.writeBlock(sealed.block, sealed.receipts, sealed.nodes, sealed.code)
        this.observer.payloadImported?.('VALID', sealed.block)
        return { status: 'VALID', latestValidHash: sealed.block.hash }
      } catch (err) {
        if (err instanceof InvalidPayloadError || err instanceof InvalidTransactionError) {
          this.log.warn(
            { l2: { number: Number(payload.blockNumber), hash: `0x${hex(payload.blockHash)}` }, err: err.message },
            'Invalid payload',
          )
          this.observer.payloadImported?.('INVALID')
          return { status: 'INVALID', latestValidHash: parent.hash, validationError: err.message }
        }
        throw err
      }
    })
  }

  private async execute(parent: Block, p: ExecutionPayload, beaconRoot?: Uint8Array): Promise<SealedBlock> {
    if (p.blockNumber !== parent.header.number + 1n) throw new InvalidPayloadError('block number is not parent + 1')
    const forks = forksAt(this.spec, p.timestamp)
    if (forks.ecotone && !beaconRoot) throw new InvalidPayloadError('missing parentBeaconBlockRoot (Ecotone)')
    const holoceneParams = forks.holocene ? p.extraData.subarray(1, 9) : undefined
    const builder = await BlockBuilder.start(this.ctx, parent.header, parent.hash, {
      timestamp: p.timestamp,
      prevRandao: p.prevRandao,
      suggestedFeeRecipient: p.feeRecipient,
      parentBeaconBlockRoot: beaconRoot,
      transactions: p.transactions,
      noTxPool: true,
      gasLimit: p.gasLimit,
      ...(holoceneParams ? { eip1559Params: holoceneParams } : {}),
    })
    await builder.applyAttributesTransactions()
    const sealed = await builder.seal()
    const h = sealed.block.header
    const mismatch = (name: string, a: Uint8Array | bigint, b: Uint8Array | bigint) => {
      const same = typeof a === 'bigint' ? a === b : bytesEqual(a, b as Uint8Array)
      if (!same) throw new InvalidPayloadError(`${name} mismatch`, { name })
    }
    mismatch('baseFeePerGas', h.baseFeePerGas, p.baseFeePerGas)
    mismatch('extraData', h.extraData, p.extraData)
    mismatch('gasUsed', h.gasUsed, p.gasUsed)
    mismatch('stateRoot', h.stateRoot, p.stateRoot)
    mismatch('receiptsRoot', h.receiptsRoot, p.receiptsRoot)
    mismatch('logsBloom', h.logsBloom, p.logsBloom)
    mismatch('blockHash', sealed.block.hash, p.blockHash)
    return sealed
  }

  private l1FeeAtHead?: { hash: string; fn: L1CostFunction }

  /** The L1 data fee a tx would pay on top of the current head (tx-pool admission and estimates). */
  async estimateL1Fee(raw: Uint8Array): Promise<bigint> {
    const head = this.heads.unsafe
    const key = hex(head.hash)
    if (this.l1FeeAtHead?.hash !== key) {
      const params = await readL1FeeParams(await this.stateAt(head.header))
      this.l1FeeAtHead = { hash: key, fn: l1FeeFunction(params, forksAt(this.spec, head.header.timestamp + 1n)) }
    }
    return this.l1FeeAtHead.fn(raw).fee
  }

  /** Output root v0 of a block: state root, L2ToL1MessagePasser storage root, block hash (opstack-spec §6). */
  async outputAt(block: Block): Promise<{
    outputRoot: Uint8Array
    stateRoot: Uint8Array
    messagePasserStorageRoot: Uint8Array
    blockHash: Uint8Array
  }> {
    const state = await this.stateAt(block.header)
    const mp = await state.readAccount(MESSAGE_PASSER)
    const messagePasserStorageRoot = mp?.storageRoot ?? EMPTY_TRIE_ROOT
    return {
      outputRoot: outputRootV0(block.header.stateRoot, messagePasserStorageRoot, block.hash),
      stateRoot: block.header.stateRoot,
      messagePasserStorageRoot,
      blockHash: block.hash,
    }
  }

  /** Runs a message on the state of `header` without committing anything (eth_call / eth_estimateGas). */
  async simulate(header: BlockHeader, msg: Parameters<OpTxProcessor['simulate']>[0]) {
    const state = new StateDB(this.store, header.stateRoot, this.roots)
    const evm = await createOpEvm(this.ctx, state, header.timestamp, {
      hash: header.parentHash,
      number: header.number - 1n,
    })
    const env: BlockEnv = {
      number: header.number,
      timestamp: header.timestamp,
      coinbase: new Address(header.coinbase),
      gasLimit: header.gasLimit,
      baseFee: header.baseFeePerGas,
      prevRandao: header.mixHash,
      forks: forksAt(this.spec, header.timestamp),
    }
    return new OpTxProcessor(state, evm, env, this.ctx.hooks).simulate(msg)
  }

  /** Convenience for the sequencer and tests: build, insert and make canonical one block on the unsafe head. */
  async buildBlock(attrs: PayloadAttributes, opts: { safe?: boolean } = {}): Promise<Block> {
    // Safe and finalized are passed as zero hashes ("keep the current ones", resolved inside the serialized
    // forkchoiceUpdated): heads read here could be stale by the time the call runs, because derivation's
    // updateSafety may be queued ahead of it, and a stale pair would move safe/finalized backwards (finalized > safe
    // then makes the next updateSafety throw and the sequencer's derivation, hence its proposer, stall).
    const keep = new Uint8Array(32)
    const parent = this.heads.unsafe
    const { payloadId } = await this.forkchoiceUpdated(
      { headBlockHash: parent.hash, safeBlockHash: keep, finalizedBlockHash: keep },
      attrs,
    )
    const env = await this.getPayload(payloadId as Uint8Array)
    const status = await this.newPayload(env.executionPayload, env.parentBeaconBlockRoot)
    if (status.status !== 'VALID') throw new EngineError(`built payload not valid: ${status.validationError}`)
    await this.forkchoiceUpdated({
      headBlockHash: env.block.hash,
      safeBlockHash: opts.safe ? env.block.hash : keep,
      finalizedBlockHash: keep,
    })
    return env.block
  }
}

/** Payload jobs and sealed payloads nobody fetched or inserted are dropped oldest-first beyond this. */
const MAX_PENDING_PAYLOADS = 16

function boundMap<K, V>(m: Map<K, V>, max: number): void {
  while (m.size > max) m.delete(m.keys().next().value as K)
}

const MESSAGE_PASSER = Buffer.from('4200000000000000000000000000000000000016', 'hex')

function isZero(b: Uint8Array): boolean {
  for (const x of b) if (x !== 0) return false
  return true
}
