import type { Logger } from '../../config/logger.ts'
import type { Address, L1BlockRef } from '../../config/types.ts'
import { type DerivationConfig, isEcotone } from '../params.ts'
import type { BlobSource, L1Source } from '../providers.ts'
import type { DataIter } from './batcherTx.ts'
import { BlobDataSource } from './blobSource.ts'
import { CalldataSource } from './calldataSource.ts'

// The batcher data of one L1 block (spec §4.1, op-node data_source.go). Before Ecotone (by the L1 block time) every
// batcher tx contributes its calldata; from Ecotone blob txs contribute their blobs instead.

export interface DataSourceModules {
  l1: L1Source
  /** Needed from Ecotone; a block with blob batcher txs and no blob source fails critically. */
  blobs: BlobSource | null
  logger: Logger
}

/** Open the data of L1 block `ref` for `batcher` (the SystemConfig batcher after applying `ref`'s own logs). */
export function openData(cfg: DerivationConfig, mods: DataSourceModules, ref: L1BlockRef, batcher: Address): DataIter {
  if (isEcotone(cfg, ref.timestamp)) return new BlobDataSource(cfg, mods, ref, batcher)
  return new CalldataSource(cfg, mods, ref, batcher)
}
