import { errorMessage } from '../../config/errors.ts'
import { type Logger, silentLogger } from '../../config/logger.ts'
import type { RollupConfig } from '../../config/rollupConfig.ts'
import type { Hex } from '../../config/types.ts'
import type { CompressionAlgo } from '../../derivation/protocol/channelCompression.ts'
import { ChannelManager } from './channelManager.ts'
import type { DaWriter, TxCandidate, TxData } from './daWriter.ts'
import { BatcherError } from './errors.ts'
import type { L2BlockSource } from './l2BlockSource.ts'

// The batcher service (op-batcher driver.go): every poll interval it loads the unsafe L2 blocks after the last one
// it queued (starting after the safe head, so a restart loses nothing), lets the channel manager build channels,
// and publishes their frames through the primary DA writer and the tx sender, with at most `maxPendingTx` txs
// unconfirmed. When the primary (Alt-DA) writer throws DAFailoverError, that same TxData goes through the
// fallback writer; the next TxData tries the primary again. Each TxData is sent once; a failed tx re-queues it.

/** Sends a batcher tx and resolves when it is confirmed on L1 (implemented by sequencer/txmgr TxManager). */
export interface BatchTxSender {
  send(c: TxCandidate): Promise<{ txHash: Hex; blockNumber: number }>
  l1HeadNumber(): Promise<number>
}

/** rollup.json fields the batcher needs. */
export interface BatcherRollupConfig {
  genesisTimestamp: number
  l2ChainId: bigint
  channelTimeout: number
  seqWindowSize: number
}

/** The batcher's view of rollup.json (`batch_inbox_address` goes to the writers). */
export function batcherRollupConfig(rollup: RollupConfig): BatcherRollupConfig {
  return {
    genesisTimestamp: rollup.genesis.l2_time,
    l2ChainId: BigInt(rollup.l2_chain_id),
    channelTimeout: rollup.channel_timeout,
    seqWindowSize: rollup.seq_window_size,
  }
}

export interface BatcherOptions {
  rollup: BatcherRollupConfig
  pollIntervalMs?: number
  /** Unconfirmed txs at once (op-batcher max-pending-tx, default 1). */
  maxPendingTx?: number
  /** Channel is full at this many frames of compressed data (default: the primary writer's frames per tx). */
  targetNumFrames?: number
  maxChannelDuration?: number
  subSafetyMargin?: number
  compression?: CompressionAlgo
}

export interface BatcherDeps {
  source: L2BlockSource
  sender: BatchTxSender
  writer: DaWriter
  /** Ethereum DA writer used when `writer` asks for failover (Alt-DA only). */
  fallback?: DaWriter
  logger?: Logger
}

export interface BatcherStats {
  txsConfirmed: number
  txsFailed: number
  failovers: number
  bytesPosted: number
}

/** The largest frame all writers accept, and the frames per TxData the primary and fallback can both carry. */
export function frameLimits(writers: readonly DaWriter[]): { maxFrameSize: number; maxFramesPerTx: number } {
  const maxFrameSize = Math.min(...writers.map((w) => w.maxFrameSize))
  // Calldata takes any number of frames in one data item, as long as they fit; blobs and Alt-DA are bounded.
  const bounded = writers.filter((w) => w.kind !== 'calldata' || writers.length === 1)
  const maxFramesPerTx = Math.min(...bounded.map((w) => w.maxFramesPerTx))
  return { maxFrameSize, maxFramesPerTx }
}

export class Batcher {
  readonly manager: ChannelManager
  readonly stats: BatcherStats = { txsConfirmed: 0, txsFailed: 0, failovers: 0, bytesPosted: 0 }
  private readonly deps: BatcherDeps
  private readonly log: Logger
  private readonly pollIntervalMs: number
  private readonly maxPendingTx: number
  private lastQueued: number | undefined
  private pending = new Set<Promise<void>>()
  private timer: NodeJS.Timeout | undefined
  private running = false
  private loop: Promise<void> | undefined

  constructor(opts: BatcherOptions, deps: BatcherDeps) {
    this.deps = deps
    this.log = (deps.logger ?? silentLogger()).child({ module: 'batcher' })
    this.pollIntervalMs = opts.pollIntervalMs ?? 6000
    this.maxPendingTx = opts.maxPendingTx ?? 1
    const writers = deps.fallback ? [deps.writer, deps.fallback] : [deps.writer]
    if (deps.fallback && deps.writer.kind !== 'altda') {
      throw new BatcherError('BATCHER_BAD_CONFIG', 'a fallback writer only makes sense behind an Alt-DA writer')
    }
    const limits = frameLimits(writers)
    if (deps.fallback && deps.fallback.kind === 'calldata' && limits.maxFramesPerTx > 1) {
      // Several frames must still fit one calldata tx if they fail over.
      limits.maxFramesPerTx = Math.max(1, Math.floor(deps.fallback.maxFrameSize / limits.maxFrameSize))
    }
    this.manager = new ChannelManager(
      {
        ...limits,
        targetNumFrames: opts.targetNumFrames ?? limits.maxFramesPerTx,
        maxChannelDuration: opts.maxChannelDuration ?? 0,
        channelTimeout: opts.rollup.channelTimeout,
        seqWindowSize: opts.rollup.seqWindowSize,
        subSafetyMargin: opts.subSafetyMargin ?? 10,
        compression: opts.compression ?? 'brotli',
        genesisTimestamp: opts.rollup.genesisTimestamp,
        l2ChainId: opts.rollup.l2ChainId,
      },
      this.log,
    )
  }

  /** Txs handed to the sender and not yet resolved. */
  get pendingTxs(): number {
    return this.pending.size
  }

  start(): void {
    if (this.running) return
    this.running = true
    const tick = async () => {
      try {
        await this.step()
      } catch (err) {
        this.log.error({ err }, 'Batcher step failed')
      }
      if (this.running) {
        this.timer = setTimeout(() => {
          this.loop = tick()
        }, this.pollIntervalMs)
      }
    }
    this.loop = tick()
  }

  /** Stop polling and wait for the txs in flight (unless `wait` is false). */
  async stop(wait = true): Promise<void> {
    this.running = false
    if (this.timer) clearTimeout(this.timer)
    await this.loop
    if (wait) await this.drain()
  }

  /** Resolves once every tx in flight has an outcome. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending])
  }

  /** One round: load new blocks, then publish while under the pending-tx limit. */
  async step(): Promise<void> {
    await this.loadBlocks()
    await this.publish()
  }

  /** Close the channel being filled and publish it (e.g. before shutdown, or in tests). */
  async flush(): Promise<void> {
    await this.loadBlocks()
    this.manager.closeChannels()
    await this.publish()
  }

  private async loadBlocks(): Promise<void> {
    const { safe, unsafe } = await this.deps.source.heads()
    if (this.lastQueued === undefined || this.lastQueued < safe.number) {
      // Start (or fall back) right after the safe head: everything before it is already derived from L1.
      this.manager.clear(safe)
      this.lastQueued = safe.number
    }
    for (let n = this.lastQueued + 1; n <= unsafe.number; n++) {
      const block = await this.deps.source.blockByNumber(n)
      if (!block) break
      try {
        this.manager.addL2Block(block)
      } catch (err) {
        if (err instanceof BatcherError && err.code === 'BATCHER_L2_REORG') {
          this.log.warn(
            { l2: { number: block.number, hash: block.hash }, safe },
            'L2 reorg, restarting from the safe head',
          )
          this.manager.clear(safe)
          this.lastQueued = safe.number
          return
        }
        throw err
      }
      this.lastQueued = n
    }
  }

  private async publish(): Promise<void> {
    if (this.pending.size >= this.maxPendingTx) return
    const l1Head = await this.deps.sender.l1HeadNumber()
    while (this.pending.size < this.maxPendingTx) {
      const data = this.manager.txData(l1Head)
      if (!data) return
      let candidate: TxCandidate
      try {
        candidate = await this.prepare(data)
      } catch (err) {
        this.manager.txFailed(data.id)
        this.stats.txsFailed++
        this.log.error({ err, id: data.id }, 'Could not prepare batcher tx, frames re-queued')
        return
      }
      const p: Promise<void> = this.sendOne(data, candidate).finally(() => this.pending.delete(p))
      this.pending.add(p)
    }
  }

  private async prepare(data: TxData): Promise<TxCandidate> {
    try {
      return await this.deps.writer.prepare(data)
    } catch (err) {
      const fallback = this.deps.fallback
      if (!fallback || (err as { code?: string }).code !== 'DA_FAILOVER') throw err
      this.stats.failovers++
      this.log.warn(
        { id: data.id, err: errorMessage(err), da: fallback.kind },
        'Alt-DA down, failing over to Ethereum DA',
      )
      return fallback.prepare(data)
    }
  }

  private async sendOne(data: TxData, candidate: TxCandidate): Promise<void> {
    try {
      const r = await this.deps.sender.send(candidate)
      this.stats.txsConfirmed++
      this.stats.bytesPosted += candidate.data.length + (candidate.blobs?.length ?? 0) * 131072
      const outcome = this.manager.txConfirmed(data.id, r.blockNumber)
      this.log.info({ id: data.id, txHash: r.txHash, l1: r.blockNumber, outcome }, 'Batcher tx confirmed')
    } catch (err) {
      this.stats.txsFailed++
      this.manager.txFailed(data.id)
      this.log.warn({ id: data.id, err }, 'Batcher tx failed, frames re-queued')
    }
  }
}
