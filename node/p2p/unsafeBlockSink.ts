import { bytesEqual, bytesToHex } from '../../config/bytes.ts'
import { errorMessage } from '../../config/errors.ts'
import type { ExecutionPayload, ExecutionPayloadEnvelope } from '../../config/executionPayload.ts'
import { type Logger, silentLogger } from '../../config/logger.ts'
import type { ForkchoiceState, PayloadStatus } from '../engine/engine.ts'

// Inserts gossiped unsafe blocks into the engine (opstack-spec "Unsafe payloads"): only a block that extends the
// unsafe head and is above the safe head is taken; it is imported with newPayload, then made the head with
// forkchoiceUpdated, keeping safe and finalized. Anything else is left for derivation from L1 to fill in.
// Blocks are applied one at a time, in arrival order, because each one must see the head the previous one set.

interface HeadRef {
  hash: Uint8Array
  header: { number: bigint }
}

/** The engine as the sink sees it (ExecutionEngine satisfies it). */
export interface UnsafeBlockEngine {
  readonly head: { unsafe: HeadRef; safe: HeadRef; finalized: HeadRef }
  newPayload(payload: ExecutionPayload, parentBeaconBlockRoot?: Uint8Array): Promise<PayloadStatus>
  forkchoiceUpdated(fc: ForkchoiceState): Promise<{ payloadStatus: PayloadStatus }>
}

export type UnsafeBlockOutcome = 'inserted' | 'not-next' | 'invalid' | 'syncing'

export class UnsafeBlockSink {
  private tail: Promise<unknown> = Promise.resolve()
  private readonly log: Logger

  constructor(
    private readonly engine: UnsafeBlockEngine,
    logger?: Logger,
  ) {
    this.log = (logger ?? silentLogger()).child({ module: 'p2p' })
  }

  /** Queues the block behind earlier ones; resolves with what happened to it. Never rejects. */
  insert(envelope: ExecutionPayloadEnvelope): Promise<UnsafeBlockOutcome> {
    const run = this.tail.then(() => this.apply(envelope))
    this.tail = run.catch(() => undefined)
    return run.catch((err) => {
      this.log.error({ err: errorMessage(err) }, 'Unsafe block insertion failed')
      return 'invalid' as const
    })
  }

  private async apply(envelope: ExecutionPayloadEnvelope): Promise<UnsafeBlockOutcome> {
    const p = envelope.executionPayload
    const { unsafe, safe, finalized } = this.engine.head
    const l2 = { number: Number(p.blockNumber), hash: bytesToHex(p.blockHash) }
    if (p.blockNumber <= safe.header.number || !bytesEqual(p.parentHash, unsafe.hash)) {
      this.log.debug({ l2, unsafe: { number: Number(unsafe.header.number) } }, 'Gossiped block does not extend head')
      return 'not-next'
    }
    const status = await this.engine.newPayload(p, envelope.parentBeaconBlockRoot)
    if (status.status === 'INVALID') {
      this.log.warn({ l2, err: status.validationError }, 'Gossiped block is invalid')
      return 'invalid'
    }
    if (status.status !== 'VALID') return 'syncing'
    const fc = await this.engine.forkchoiceUpdated({
      headBlockHash: p.blockHash,
      safeBlockHash: safe.hash,
      finalizedBlockHash: finalized.hash,
    })
    if (fc.payloadStatus.status !== 'VALID') return 'syncing'
    this.log.info({ unsafe: l2 }, 'Inserted gossiped unsafe block')
    return 'inserted'
  }
}
