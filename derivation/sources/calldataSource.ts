import type { Logger } from '../../config/logger.ts'
import type { Address, L1BlockRef } from '../../config/types.ts'
import type { DerivationConfig } from '../params.ts'
import { EOF, type Eof } from '../pipelineErrors.ts'
import type { L1Source } from '../providers.ts'
import { blockId, type DataIter, isValidBatchTx } from './batcherTx.ts'

/**
 * Pre-Ecotone batcher data (op-node calldata_source.go): the calldata of every batcher tx of the block, in block
 * order. Type-3 txs count here too (their calldata), since blobs are only read from Ecotone.
 */
export class CalldataSource implements DataIter {
  private items: Uint8Array[] | null = null

  constructor(
    private readonly cfg: DerivationConfig,
    private readonly mods: { l1: L1Source; logger: Logger },
    private readonly ref: L1BlockRef,
    private readonly batcher: Address,
  ) {}

  async next(): Promise<Uint8Array | Eof> {
    if (this.items === null) {
      // A provider error propagates (already a PipelineError); the next call retries the fetch.
      const { txs } = await this.mods.l1.blockInfoAndTxsByHash(this.ref.hash)
      this.items = []
      for (const tx of txs) {
        if (isValidBatchTx(tx, this.cfg.batchInboxAddress, this.batcher)) this.items.push(tx.data)
      }
      this.mods.logger.trace({ l1Origin: blockId(this.ref), items: this.items.length }, 'Opened calldata source')
    }
    return this.items.shift() ?? EOF
  }
}
