// Fee arithmetic for the batcher's L1 txs (op-service txmgr): first try at base fee * 2 + tip, and each
// replacement at least +10% tip and fee cap (geth's replacement rule) and +100% blob fee cap for blob txs.

export interface TxFees {
  tip: bigint
  feeCap: bigint
  /** Blob txs only. */
  blobFeeCap?: bigint
}

/** geth's price bump for a same-nonce replacement, in percent; blob txs need 100. */
export const PRICE_BUMP_PERCENT = 10n
export const BLOB_PRICE_BUMP_PERCENT = 100n

function bumped(v: bigint, percent: bigint): bigint {
  // Round up, so small values still grow by at least the required fraction.
  return (v * (100n + percent) + 99n) / 100n
}

/** Fees for a fresh tx from the L1's current base fee (and blob base fee for blob txs). */
export function initialFees(baseFee: bigint, tip: bigint, blobBaseFee?: bigint): TxFees {
  const fees: TxFees = { tip, feeCap: baseFee * 2n + tip }
  if (blobBaseFee !== undefined) fees.blobFeeCap = blobBaseFee * 2n > 1n ? blobBaseFee * 2n : 1n
  return fees
}

/**
 * Fees for a replacement of a tx sent with `prev`: the larger of the bumped old fees and what the market asks
 * now (`current`), so a replacement is always accepted by the pool and keeps up with a rising base fee.
 */
export function bumpFees(prev: TxFees, current: TxFees): TxFees {
  const tip = max(bumped(prev.tip, PRICE_BUMP_PERCENT), current.tip)
  let feeCap = max(bumped(prev.feeCap, PRICE_BUMP_PERCENT), current.feeCap)
  if (feeCap < tip) feeCap = tip
  const out: TxFees = { tip, feeCap }
  if (prev.blobFeeCap !== undefined) {
    out.blobFeeCap = max(bumped(prev.blobFeeCap, BLOB_PRICE_BUMP_PERCENT), current.blobFeeCap ?? 0n)
  }
  return out
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b
}
