import type { Address } from '../../config/types.ts'
import { encodeFrames } from '../../derivation/protocol/frame.ts'
import type { DaWriter, TxCandidate, TxData } from './daWriter.ts'

// Ethereum calldata DA: the tx data is the batcher data item `0x00 ++ frames` (op-batcher DaTypeCalldata).

/** op-batcher's default max L1 tx size (MaxL1TxSize): 120,000 bytes of calldata, one of them the version byte. */
export const DEFAULT_MAX_CALLDATA_SIZE = 120_000

export interface CalldataWriterOptions {
  batchInbox: Address
  /** Largest calldata per tx (default 120,000). */
  maxCalldataSize?: number
}

export class CalldataWriter implements DaWriter {
  readonly kind = 'calldata' as const
  readonly maxFramesPerTx = 1
  readonly maxFrameSize: number
  private readonly to: Address

  constructor(opts: CalldataWriterOptions) {
    this.to = opts.batchInbox
    this.maxFrameSize = (opts.maxCalldataSize ?? DEFAULT_MAX_CALLDATA_SIZE) - 1
  }

  async prepare(data: TxData): Promise<TxCandidate> {
    // Several frames in one data item are valid calldata; an Alt-DA failover may hand over more than one.
    return { to: this.to, data: encodeFrames(data.frames) }
  }
}
