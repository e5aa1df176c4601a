import { errorMessage } from '../../config/errors.ts'
import type { Logger } from '../../config/logger.ts'
import type { L1BlockRef } from '../../config/types.ts'
import type { L1BlockLabel } from './rpcL1Source.ts'

// Polls the L1 head, safe and finalized blocks and tells listeners when one changes (op-node's L1 head/safe/finalized
// signals). The driver subscribes onL1Head/onL1Safe/onL1Finalized; the sequencer reads `head` for confirmation depth.

export interface L1HeadSource {
  l1BlockRefByLabel(label: L1BlockLabel): Promise<L1BlockRef>
}

export interface L1HeadListeners {
  onL1Head?: ((ref: L1BlockRef) => void) | undefined
  onL1Safe?: ((ref: L1BlockRef) => void) | undefined
  onL1Finalized?: ((ref: L1BlockRef) => void) | undefined
}

export interface L1HeadTrackerOptions {
  intervalMs: number
  logger?: Logger | undefined
}

const LABELS: readonly L1BlockLabel[] = ['latest', 'safe', 'finalized']

export class L1HeadTracker {
  private readonly listeners: L1HeadListeners[] = []
  private readonly last = new Map<L1BlockLabel, L1BlockRef>()
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private stopped = true

  constructor(
    private readonly source: L1HeadSource,
    private readonly opts: L1HeadTrackerOptions,
  ) {}

  /** Adds listeners; returns a function that removes them. */
  subscribe(l: L1HeadListeners): () => void {
    this.listeners.push(l)
    return () => {
      const i = this.listeners.indexOf(l)
      if (i >= 0) this.listeners.splice(i, 1)
    }
  }

  get head(): L1BlockRef | undefined {
    return this.last.get('latest')
  }
  get safe(): L1BlockRef | undefined {
    return this.last.get('safe')
  }
  get finalized(): L1BlockRef | undefined {
    return this.last.get('finalized')
  }

  /** Polls once at once, then every interval until stop(). */
  start(): void {
    if (!this.stopped) return
    this.stopped = false
    this.tick()
  }

  /** Stops polling and waits for a poll in flight; no timer is left. */
  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    this.timer = undefined
    await this.running
  }

  /** One poll of the three labels; listeners run for each label whose block hash changed. */
  async poll(): Promise<void> {
    const refs = await Promise.allSettled(LABELS.map((l) => this.source.l1BlockRefByLabel(l)))
    refs.forEach((r, i) => {
      const label = LABELS[i]!
      if (r.status === 'rejected') {
        this.opts.logger?.warn({ label, err: errorMessage(r.reason) }, 'L1 head poll failed')
        return
      }
      const prev = this.last.get(label)
      if (prev && prev.hash === r.value.hash) return
      this.last.set(label, r.value)
      for (const l of [...this.listeners]) {
        const fn = label === 'latest' ? l.onL1Head : label === 'safe' ? l.onL1Safe : l.onL1Finalized
        try {
          fn?.(r.value)
        } catch (err) {
          this.opts.logger?.error({ label, err: errorMessage(err) }, 'L1 head listener threw')
        }
      }
    })
  }

  private tick(): void {
    this.running = this.poll().finally(() => {
      this.running = undefined
      if (!this.stopped) this.timer = setTimeout(() => this.tick(), this.opts.intervalMs)
    })
  }
}
