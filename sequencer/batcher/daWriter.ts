import type { Address } from '../../config/types.ts'
import type { Frame } from '../../derivation/protocol/frame.ts'

// Where the batcher's frames go (op-batcher's DA types): each implementation turns a group of frames into the L1
// transaction that carries them — calldata (`0x00 ++ frames`), EIP-4844 blobs (one frame per blob, OP blob
// encoding), or Alt-DA (the frames are stored on the DA layer and only the commitment `0x01 ++ commitment` goes
// to L1). The tx manager sends the candidate; the channel manager learns the outcome per `TxData.id`.

/** Frames the channel manager hands to a writer in one go; `id` identifies them across retries and failovers. */
export interface TxData {
  id: string
  frames: readonly Frame[]
}

/** An L1 transaction to send to the batch inbox. */
export interface TxCandidate {
  to: Address
  /** Calldata (empty for blob txs). */
  data: Uint8Array
  /** 131072-byte blobs, already in the OP blob encoding; present only for type-3 txs. */
  blobs?: readonly Uint8Array[]
}

export type DaWriterKind = 'calldata' | 'blobs' | 'altda'

export interface DaWriter {
  readonly kind: DaWriterKind
  /** How many frames one tx can take (calldata 1, blobs up to 6, Alt-DA several). */
  readonly maxFramesPerTx: number
  /** The largest encoded frame (header included) this writer accepts. */
  readonly maxFrameSize: number
  /**
   * The L1 tx that carries `data`. Alt-DA writers store the frames first; when the DA layer asks for failover
   * (eigenda-proxy 503, or unreachable) they throw `DAFailoverError` (da-eigen/errors.ts) and the batcher sends
   * the same frames through its Ethereum DA fallback writer instead.
   */
  prepare(data: TxData): Promise<TxCandidate>
}
