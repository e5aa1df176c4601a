import { bytesToHex } from '../../config/bytes.ts'
import type { Logger } from '../../config/logger.ts'
import type { BlockID, Hash, L1BlockRef, L2BlockRef } from '../../config/types.ts'
import {
  type AttributesConfig,
  type AttributesL1Source,
  type PayloadAttributes,
  preparePayloadAttributes,
} from '../attributes/attributesBuilder.ts'
import {
  EOF,
  type Eof,
  isPipelineError,
  NOT_ENOUGH_DATA,
  type NotEnoughData,
  PipelineError,
} from '../pipelineErrors.ts'
import type { SingularBatch } from '../protocol/singularBatch.ts'
import { applySystemConfigLogs, type SystemConfig, SystemConfigError } from '../protocol/systemConfig.ts'

// Attributes queue (spec §4.13, op-node attributes_queue.go): takes the next singular batch for the safe head from
// the batch queue, builds the deposit prefix of its block for the batch's epoch and timestamp, and appends the
// batch's transactions. Verifier mode: every tx comes from the batch, so noTxPool is always true.
//
// The SystemConfig the parent block was built with comes from the L2 block itself when the L2 source can recover it
// (op-node SystemConfigByL2Hash: L1-info deposit and header). Otherwise it is tracked here: the reset safe head's
// config, then the config of each produced block, recomputed from the epoch's ConfigUpdate logs on epoch changes.

/** The previous stage: the batch queue. */
export interface AttributesQueueProvider {
  origin(): L1BlockRef | null
  nextBatch(safe: L2BlockRef): Promise<SingularBatch | Eof | NotEnoughData>
}

/** Attributes for the block after the safe head, with the batch they were built from. */
export interface AttributesWithBatch {
  attributes: PayloadAttributes
  batch: SingularBatch
  /** The SystemConfig the new block is built with. */
  sysCfg: SystemConfig
}

export class AttributesQueue {
  /** A batch taken from the batch queue whose attributes could not be built yet (retried on the next call). */
  private batch: SingularBatch | null = null
  /** The SystemConfig of the L2 block with `hash`/`timestamp` (the safe head or the last block produced). */
  private known: { timestamp: number; sysCfg: SystemConfig }[] = []
  private readonly logger: Logger

  constructor(
    private readonly cfg: AttributesConfig,
    private readonly prev: AttributesQueueProvider,
    private readonly l1: AttributesL1Source,
    mods: { logger: Logger },
    private readonly l2SysCfg?: (hash: Hash) => Promise<SystemConfig>,
  ) {
    this.logger = mods.logger.child({ stage: 'attributesQueue' })
  }

  origin(): L1BlockRef | null {
    return this.prev.origin()
  }

  reset(safeHead: L2BlockRef, sysCfg: SystemConfig): void {
    this.batch = null
    this.known = [{ timestamp: safeHead.timestamp, sysCfg }]
  }

  async nextAttributes(safe: L2BlockRef): Promise<AttributesWithBatch | Eof | NotEnoughData> {
    if (this.batch === null) {
      const b = await this.prev.nextBatch(safe)
      if (b === EOF || b === NOT_ENOUGH_DATA) return b
      this.batch = b
    }
    const batch = this.batch
    const out = await this.createNextAttributes(batch, safe)
    this.batch = null
    return out
  }

  private async parentSysCfg(safe: L2BlockRef): Promise<SystemConfig> {
    if (this.l2SysCfg) {
      try {
        return await this.l2SysCfg(safe.hash)
      } catch (err) {
        if (isPipelineError(err)) throw err
        throw PipelineError.temp(
          'L2_SYSCFG_FETCH_FAILED',
          'failed to read the SystemConfig of the safe head',
          {
            safe: { number: safe.number, hash: safe.hash },
          },
          err,
        )
      }
    }
    const k = this.known.find((e) => e.timestamp === safe.timestamp)
    if (k === undefined) {
      throw PipelineError.reset('ATTRIBUTES_UNKNOWN_PARENT_SYSCFG', 'no SystemConfig known for the safe head', {
        safe: { number: safe.number, hash: safe.hash, timestamp: safe.timestamp },
      })
    }
    return k.sysCfg
  }

  private async createNextAttributes(batch: SingularBatch, safe: L2BlockRef): Promise<AttributesWithBatch> {
    const parentHash = bytesToHex(batch.parentHash)
    if (parentHash.toLowerCase() !== safe.hash.toLowerCase()) {
      throw PipelineError.reset(
        'ATTRIBUTES_PARENT_MISMATCH',
        'valid batch has a parent hash that is not the safe head',
        {
          batchParent: parentHash,
          safe: safe.hash,
        },
      )
    }
    const timestamp = Number(batch.timestamp)
    if (timestamp !== safe.timestamp + this.cfg.blockTime) {
      throw PipelineError.reset(
        'ATTRIBUTES_BAD_TIMESTAMP',
        'valid batch timestamp is not safe head time + block time',
        {
          timestamp,
          expected: safe.timestamp + this.cfg.blockTime,
        },
      )
    }
    const parentSysCfg = await this.parentSysCfg(safe)
    const epoch = { number: Number(batch.epochNum), hash: bytesToHex(batch.epochHash) }
    const attributes = await preparePayloadAttributes(this.cfg, this.l1, safe, parentSysCfg, epoch, timestamp)
    attributes.noTxPool = true
    for (const tx of batch.transactions) attributes.transactions.push(tx)

    const sysCfg = epoch.number === safe.l1origin.number ? parentSysCfg : await this.epochSysCfg(parentSysCfg, epoch)
    // Keep the parent (a re-derivation from it after a failed engine insert) and the new block.
    this.known = [
      { timestamp: safe.timestamp, sysCfg: parentSysCfg },
      { timestamp, sysCfg },
    ]
    this.logger.debug(
      { timestamp, epoch, txs: batch.transactions.length, parent: { number: safe.number, hash: safe.hash } },
      'Prepared payload attributes',
    )
    return { attributes, batch, sysCfg }
  }

  /** The SystemConfig after the ConfigUpdate logs of the new epoch (as preparePayloadAttributes applies them). */
  private async epochSysCfg(parent: SystemConfig, epoch: BlockID): Promise<SystemConfig> {
    try {
      const { info, receipts } = await this.l1.infoAndReceiptsByHash(epoch.hash)
      return applySystemConfigLogs(parent, receipts, this.cfg.l1SystemConfigAddress, info.timestamp, this.cfg)
    } catch (err) {
      if (isPipelineError(err)) throw err
      if (err instanceof SystemConfigError) {
        throw PipelineError.crit('ATTRIBUTES_SYSCFG_UPDATE_INVALID', err.message, err.meta, err)
      }
      throw PipelineError.temp('L1_FETCH_FAILED', 'failed to fetch L1 block info and receipts', { epoch }, err)
    }
  }
}
