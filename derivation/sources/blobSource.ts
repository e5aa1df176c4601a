import type { Logger } from '../../config/logger.ts'
import type { Address, L1BlockRef } from '../../config/types.ts'
import type { DerivationConfig } from '../params.ts'
import { EOF, type Eof, PipelineError } from '../pipelineErrors.ts'
import { decodeBlob } from '../protocol/blob.ts'
import type { BlobSource, IndexedBlobHash, L1Source } from '../providers.ts'
import { BLOB_TX_TYPE, blockId, type DataIter, isValidBatchTx } from './batcherTx.ts'

// Ecotone+ batcher data (op-node blob_data_source.go). Non-blob batcher txs contribute their calldata; blob batcher
// txs contribute one item per blob (their calldata is ignored), interleaved in block order. A blob's index is its
// position among ALL blobs of the block (non-batcher txs' blobs count too), as the beacon sidecars are indexed.
// Blobs are decoded lazily; one that fails to decode is skipped with a log.

type Item = { kind: 'calldata'; data: Uint8Array } | { kind: 'blob'; blob: Uint8Array | null }

export class BlobDataSource implements DataIter {
  private items: Item[] | null = null

  constructor(
    private readonly cfg: DerivationConfig,
    private readonly mods: { l1: L1Source; blobs: BlobSource | null; logger: Logger },
    private readonly ref: L1BlockRef,
    private readonly batcher: Address,
  ) {}

  async next(): Promise<Uint8Array | Eof> {
    if (this.items === null) this.items = await this.open()
    for (;;) {
      const item = this.items.shift()
      if (item === undefined) return EOF
      if (item.kind === 'calldata') return item.data
      try {
        return decodeBlob(item.blob!)
      } catch (e) {
        this.mods.logger.warn({ l1Origin: blockId(this.ref), err: e }, 'Ignoring blob that fails to decode')
      }
    }
  }

  private async open(): Promise<Item[]> {
    const { txs } = await this.mods.l1.blockInfoAndTxsByHash(this.ref.hash)
    const items: Item[] = []
    const hashes: IndexedBlobHash[] = []
    const blobSlots: Item[] = []
    let blobIndex = 0
    for (const tx of txs) {
      if (!isValidBatchTx(tx, this.cfg.batchInboxAddress, this.batcher)) {
        blobIndex += tx.blobVersionedHashes.length
        continue
      }
      if (tx.type !== BLOB_TX_TYPE) {
        items.push({ kind: 'calldata', data: tx.data })
        continue
      }
      if (tx.data.length > 0) this.mods.logger.debug({ l1Origin: blockId(this.ref) }, 'Blob tx has calldata, ignored')
      for (const hash of tx.blobVersionedHashes) {
        hashes.push({ index: blobIndex++, hash })
        const slot: Item = { kind: 'blob', blob: null }
        items.push(slot)
        blobSlots.push(slot)
      }
    }
    if (hashes.length === 0) return items
    if (this.mods.blobs === null) {
      throw PipelineError.crit('DERIVE_NO_BLOB_SOURCE', 'blob batcher txs found but no blob source is configured', {
        l1Origin: blockId(this.ref),
      })
    }
    const blobs = await this.mods.blobs.getBlobs(this.ref, hashes)
    if (blobs.length !== hashes.length) {
      throw PipelineError.reset('DERIVE_BLOB_COUNT_MISMATCH', 'blob source returned the wrong number of blobs', {
        l1Origin: blockId(this.ref),
        expected: hashes.length,
        got: blobs.length,
      })
    }
    blobSlots.forEach((slot, i) => {
      if (slot.kind === 'blob') slot.blob = blobs[i]!
    })
    this.mods.logger.trace({ l1Origin: blockId(this.ref), items: items.length, blobs: hashes.length }, 'Opened blobs')
    return items
  }
}
