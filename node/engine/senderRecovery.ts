import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { recoverAddress } from './crypto.ts'
import type { SignedTx } from './txCodec.ts'

// Parallel sender recovery: the batch is split between worker threads and the calling thread (native
// secp256k1 in each). On a 2-core machine this roughly halves recovery time for a full block.

const INVALID = null

function pad32(b: Uint8Array): Uint8Array {
  if (b.length === 32) return b
  const out = new Uint8Array(32)
  out.set(b, 32 - b.length)
  return out
}

export class SenderRecovery {
  private readonly workers: Worker[] = []
  /** Resolves when each worker has loaded its modules (it posts 'ready'). */
  private readonly ready: Promise<void>[] = []
  private started = false
  private closed = false
  private nextId = 1
  private readonly pending = new Map<number, (r: { out: ArrayBuffer; ok: ArrayBuffer }) => void>()
  /** Below this many txs, recovery stays on the calling thread (messaging costs more than it saves). */
  minParallel = 256

  constructor(private readonly workerCount = Math.max(0, Math.min(availableParallelism() - 1, 4))) {}

  /**
   * Workers start on first use, not with the engine: most engines (tests, verifiers of small blocks) never need
   * them, and a worker terminated while it is still loading the native secp256k1 addon aborts the whole process
   * (the addon's init throws a C++ Napi::Error) — so close() also waits for each worker to be ready.
   */
  private start(): void {
    if (this.started || this.closed) return
    this.started = true
    for (let i = 0; i < this.workerCount; i++) {
      const w = new Worker(new URL('./recoveryWorker.mjs', import.meta.url))
      w.unref()
      this.ready.push(
        new Promise<void>((resolve) => {
          w.once('error', () => resolve())
          w.once('exit', () => resolve())
          w.on('message', (m: { ready?: true; id: number; out: ArrayBuffer; ok: ArrayBuffer }) => {
            if (m.ready) return resolve()
            const cb = this.pending.get(m.id)
            this.pending.delete(m.id)
            cb?.(m)
          })
        }),
      )
      this.workers.push(w)
    }
  }

  get parallel(): boolean {
    return this.workerCount > 0
  }

  /**
   * Recovers each tx's sender; `null` marks an invalid signature. With `background`, all the work goes to the
   * workers so the calling thread stays free (the block builder executes the previous chunk meanwhile);
   * otherwise the calling thread takes a share too.
   */
  async recover(txs: readonly SignedTx[], opts: { background?: boolean } = {}): Promise<(Uint8Array | null)[]> {
    const out: (Uint8Array | null)[] = new Array(txs.length)
    if (this.workerCount === 0 || this.closed || (!opts.background && txs.length < this.minParallel)) {
      for (let i = 0; i < txs.length; i++) out[i] = this.recoverOne(txs[i] as SignedTx)
      return out
    }
    this.start()
    const own = opts.background ? 0 : 1
    const parts = this.workers.length + own
    const chunk = Math.ceil(txs.length / parts)
    const jobs: Promise<void>[] = []
    for (let w = 0; w < this.workers.length; w++) {
      const start = (w + own) * chunk
      const end = Math.min(txs.length, start + chunk)
      if (start >= end) break
      jobs.push(this.runOnWorker(this.workers[(this.rr + w) % this.workers.length] as Worker, txs, start, end, out))
    }
    this.rr++
    if (own) for (let i = 0; i < Math.min(chunk, txs.length); i++) out[i] = this.recoverOne(txs[i] as SignedTx)
    await Promise.all(jobs)
    return out
  }

  private rr = 0

  private recoverOne(tx: SignedTx): Uint8Array | null {
    try {
      return recoverAddress(tx.signingHash, tx.recid, tx.r, tx.s)
    } catch {
      return INVALID
    }
  }

  private runOnWorker(w: Worker, txs: readonly SignedTx[], start: number, end: number, out: (Uint8Array | null)[]) {
    const count = end - start
    const input = new Uint8Array(count * 97)
    for (let i = 0; i < count; i++) {
      const tx = txs[start + i] as SignedTx
      const o = i * 97
      input.set(tx.signingHash, o)
      input[o + 32] = tx.recid
      input.set(pad32(tx.r), o + 33)
      input.set(pad32(tx.s), o + 65)
    }
    const id = this.nextId++
    return new Promise<void>((resolve) => {
      this.pending.set(id, ({ out: buf, ok }) => {
        const addrs = new Uint8Array(buf)
        const flags = new Uint8Array(ok)
        for (let i = 0; i < count; i++) out[start + i] = flags[i] ? addrs.slice(i * 20, i * 20 + 20) : INVALID
        resolve()
      })
      w.postMessage({ id, input: input.buffer, count }, [input.buffer])
    })
  }

  async close(): Promise<void> {
    this.closed = true
    await Promise.all(this.ready)
    await Promise.all(this.workers.map((w) => w.terminate()))
    this.workers.length = 0
  }
}
