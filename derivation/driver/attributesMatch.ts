import { bytesEqual } from '../../config/bytes.ts'
import type { Hash } from '../../config/types.ts'
import type { PayloadAttributes } from '../attributes/attributesBuilder.ts'
import type { L2BlockForMatch } from './l2Engine.ts'

// Consolidation check (op-node attributes.go AttributesMatchBlock): does an existing unsafe block equal what
// derivation produced for its height? Returns null when it matches, else the first difference, for the log.

export function attributesMismatch(attrs: PayloadAttributes, parentHash: Hash, block: L2BlockForMatch): string | null {
  const ref = block.ref
  if (ref.parentHash.toLowerCase() !== parentHash.toLowerCase()) {
    return `parent hash field does not match: expected ${parentHash}, got ${ref.parentHash}`
  }
  if (BigInt(ref.timestamp) !== attrs.timestamp) {
    return `timestamp field does not match: expected ${attrs.timestamp}, got ${ref.timestamp}`
  }
  if (!bytesEqual(attrs.prevRandao, block.prevRandao)) return 'random field does not match'
  if (attrs.transactions.length !== block.transactions.length) {
    return `transaction count does not match: expected ${attrs.transactions.length}, got ${block.transactions.length}`
  }
  for (let i = 0; i < attrs.transactions.length; i++) {
    if (!bytesEqual(attrs.transactions[i] as Uint8Array, block.transactions[i] as Uint8Array)) {
      return `transaction ${i} does not match`
    }
  }
  if (attrs.gasLimit !== block.gasLimit)
    return `gas limit does not match: expected ${attrs.gasLimit}, got ${block.gasLimit}`
  const wantWithdrawals = attrs.withdrawals !== undefined
  if (wantWithdrawals !== block.hasWithdrawals) return 'withdrawals do not match'
  if (wantWithdrawals && (attrs.withdrawals?.length ?? 0) !== 0) return 'withdrawals do not match: expected none'
  const wantRoot = attrs.parentBeaconBlockRoot
  const gotRoot = block.parentBeaconBlockRoot
  if ((wantRoot === undefined) !== (gotRoot === undefined) || (wantRoot && gotRoot && !bytesEqual(wantRoot, gotRoot))) {
    return 'parent beacon block root does not match'
  }
  if (!bytesEqual(attrs.suggestedFeeRecipient, block.feeRecipient)) return 'fee recipient does not match'
  const wantParams = attrs.eip1559Params
  const gotParams = block.eip1559Params
  if (wantParams !== undefined && gotParams !== undefined && !bytesEqual(wantParams, gotParams)) {
    return 'eip1559 parameters do not match'
  }
  return null
}
