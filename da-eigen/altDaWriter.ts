import type { Address } from '../config/types.ts'
import { encodeFrames } from '../derivation/protocol/frame.ts'
import type { DaWriter, TxCandidate, TxData } from '../sequencer/batcher/daWriter.ts'
import { decodeCommitment, encodeTxData } from './commitment.ts'
import { DAClientError, DAFailoverError } from './errors.ts'
import type { EigenDAProxyClient } from './proxyClient.ts'

// Alt-DA (EigenDA) batcher writer: the data item `0x00 ++ frames` (several frames per request) goes to the DA
// layer through eigenda-proxy, and only `0x01 ++ commitment` goes to L1 as calldata (spec §8). When the DA layer
// is down — a 503, or no answer after the client's retries (connection refused, timeouts, 5xx) — it throws
// DAFailoverError and the batcher posts the same frames to Ethereum DA instead (eigenda.md §6).

export type AltDaPutStatus = 'ok' | 'failover' | 'error'

/** Metrics hook (the node wires prom-client behind it). */
export interface AltDaWriterObserver {
  onPut(r: { status: AltDaPutStatus; bytes: number; durationMs: number }): void
}

export interface AltDaWriterOptions {
  batchInbox: Address
  client: Pick<EigenDAProxyClient, 'put'>
  /** Frames per DA request (default 6). */
  maxFramesPerTx?: number
  /** Largest frame (default 130,043, so frames also fit a blob fallback). */
  maxFrameSize?: number
  observer?: AltDaWriterObserver
}

export class AltDaWriter implements DaWriter {
  readonly kind = 'altda' as const
  readonly maxFramesPerTx: number
  readonly maxFrameSize: number
  private readonly to: Address
  private readonly client: Pick<EigenDAProxyClient, 'put'>
  private readonly observer: AltDaWriterObserver | undefined

  constructor(opts: AltDaWriterOptions) {
    this.to = opts.batchInbox
    this.client = opts.client
    this.maxFramesPerTx = opts.maxFramesPerTx ?? 6
    this.maxFrameSize = opts.maxFrameSize ?? 130_043
    this.observer = opts.observer
  }

  async prepare(data: TxData): Promise<TxCandidate> {
    const input = encodeFrames(data.frames)
    const started = performance.now()
    const report = (status: AltDaPutStatus) =>
      this.observer?.onPut({ status, bytes: input.length, durationMs: performance.now() - started })
    let commitment: Uint8Array
    try {
      commitment = await this.client.put(input)
    } catch (err) {
      if (err instanceof DAFailoverError) {
        report('failover')
        throw err
      }
      if (err instanceof DAClientError && err.retryable) {
        report('failover')
        throw new DAFailoverError(`alt DA unreachable, failover to eth DA: ${err.message}`, {
          ...err.meta,
          id: data.id,
        })
      }
      report('error')
      throw err
    }
    report('ok')
    return { to: this.to, data: encodeTxData(decodeCommitment(commitment)) }
  }
}
