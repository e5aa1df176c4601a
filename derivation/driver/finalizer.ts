import type { BlockID, L1BlockRef, L2BlockRef } from '../../config/types.ts'

// Finality (op-node rollup/finality/finalizer.go): remember which L1 block each safe L2 block was derived from; when
// L1 finalizes a block, every L2 block derived from L1 data at or before it is final. Records are dropped once
// finalized, and all of them on a reset (their L1 origins may be gone).

interface FinalityRecord {
  derivedFrom: BlockID
  l2: L2BlockRef
}

/** Kept records beyond this are dropped oldest-first (op-node keeps 4 channel timeouts of L1 blocks). */
const MAX_RECORDS = 4096

export class Finalizer {
  private records: FinalityRecord[] = []
  private l1Finalized: L1BlockRef | null = null
  /** The L1 finalized block last acted upon (SyncStatus current_l1_finalized). */
  private actedOn: L1BlockRef | null = null

  /** A new safe L2 block derived from data up to `derivedFrom`. */
  onDerived(l2: L2BlockRef, derivedFrom: BlockID): void {
    const last = this.records.at(-1)
    if (last && last.derivedFrom.number === derivedFrom.number) last.l2 = l2
    else this.records.push({ derivedFrom, l2 })
    if (this.records.length > MAX_RECORDS) this.records.splice(0, this.records.length - MAX_RECORDS)
  }

  onL1Finalized(ref: L1BlockRef): void {
    if (this.l1Finalized && ref.number < this.l1Finalized.number) return
    this.l1Finalized = ref
  }

  /** The L1 finalized block not yet acted upon, if any. */
  pending(): L1BlockRef | null {
    if (this.l1Finalized === null) return null
    if (this.actedOn && this.actedOn.hash === this.l1Finalized.hash) return null
    return this.l1Finalized
  }

  /**
   * The highest L2 block derived from L1 at or before `l1`, above `current`, or null; records at or below it are
   * dropped, and `l1` is remembered as acted upon.
   */
  finalize(l1: L1BlockRef, currentFinalized: number): { l2: L2BlockRef; derivedFrom: BlockID } | null {
    this.actedOn = l1
    let best: FinalityRecord | null = null
    for (const r of this.records) if (r.derivedFrom.number <= l1.number) best = r
    if (best === null) return null
    this.records = this.records.filter((r) => r.l2.number > (best as FinalityRecord).l2.number)
    return best.l2.number > currentFinalized ? { l2: best.l2, derivedFrom: best.derivedFrom } : null
  }

  reset(): void {
    this.records = []
    this.actedOn = null
  }

  lastActedOn(): L1BlockRef | null {
    return this.actedOn
  }
}
