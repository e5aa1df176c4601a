import type { Logger } from '../../config/logger.ts'
import type { Address, L1BlockRef } from '../../config/types.ts'
import type { DerivationConfig } from '../params.ts'
import { EOF, type Eof, NOT_ENOUGH_DATA, type NotEnoughData } from '../pipelineErrors.ts'
import { DERIVATION_VERSION_0, DERIVATION_VERSION_1 } from '../protocol/frame.ts'
import type { BlobSource, DASource, L1Source } from '../providers.ts'
import { blockId, type DataIter } from '../sources/batcherTx.ts'
import { openData } from '../sources/dataSource.ts'

// L1 retrieval (spec §4.1, op-node l1_retrieval.go): for each L1 block the traversal stage hands over, open its
// batcher data and return the data items one by one, then EOF so the pipeline advances the origin.
// Data items are filtered by version byte here:
//   0x00 -> passed on (frames);
//   0x01 -> Alt-DA commitment: handed to the DA source, whose input is passed on; dropped without one;
//   else -> dropped (op-node passes these on and the frame parser drops them; the result is the same).

/** The previous stage: L1 traversal. */
export interface L1RetrievalProvider {
  origin(): L1BlockRef | null
  /** The next L1 block to read, once per block; EOF when the traversal has nothing new. */
  nextL1Block(): Promise<L1BlockRef | Eof>
  /** SystemConfig.batcherAddr as of the current origin (after its own logs). */
  batcherAddr(): Address
}

export interface L1RetrievalModules {
  l1: L1Source
  blobs: BlobSource | null
  /** Alt-DA mode (spec §8); null when the chain does not use it. */
  altDA?: DASource | null
  logger: Logger
}

export class L1Retrieval {
  private data: DataIter | null = null
  /** An Alt-DA commitment whose input could not be fetched yet (retried on the next call). */
  private pendingCommitment: Uint8Array | null = null
  private readonly logger: Logger

  constructor(
    private readonly cfg: DerivationConfig,
    private readonly prev: L1RetrievalProvider,
    private readonly mods: L1RetrievalModules,
  ) {
    this.logger = mods.logger.child({ stage: 'l1Retrieval' })
  }

  origin(): L1BlockRef | null {
    return this.prev.origin()
  }

  /** The next data item (`0x00 ++ frames`) of the current L1 block. */
  async nextData(): Promise<Uint8Array | Eof | NotEnoughData> {
    if (this.pendingCommitment !== null) return this.resolveAltDA(this.pendingCommitment)
    if (this.data === null) {
      const next = await this.prev.nextL1Block()
      if (next === EOF) return EOF
      this.data = openData(this.cfg, this.mods, next, this.prev.batcherAddr())
    }
    const item = await this.data.next()
    if (item === EOF) {
      this.data = null
      return EOF
    }
    if (item.length === 0) {
      this.logger.debug({ l1Origin: this.originId() }, 'Dropping empty batcher data item')
      return NOT_ENOUGH_DATA
    }
    const version = item[0]!
    if (version === DERIVATION_VERSION_0) return item
    if (version === DERIVATION_VERSION_1 && this.mods.altDA) return this.resolveAltDA(item.subarray(1))
    this.logger.debug({ l1Origin: this.originId(), version }, 'Dropping batcher data item with unsupported version')
    return NOT_ENOUGH_DATA
  }

  /** op-node Reset: re-open the data of the reset base block. */
  reset(base: L1BlockRef, batcher: Address): void {
    this.pendingCommitment = null
    this.data = openData(this.cfg, this.mods, base, batcher)
  }

  private async resolveAltDA(commitment: Uint8Array): Promise<Uint8Array | NotEnoughData> {
    const origin = this.prev.origin()!
    this.pendingCommitment = commitment
    const input = await this.mods.altDA!.getInput(commitment, origin)
    this.pendingCommitment = null
    if (input === null) {
      this.logger.debug({ l1Origin: blockId(origin) }, 'Skipping Alt-DA commitment')
      return NOT_ENOUGH_DATA
    }
    return input
  }

  private originId() {
    const o = this.prev.origin()
    return o ? blockId(o) : null
  }
}
