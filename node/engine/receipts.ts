import { RLP } from '@ethereumjs/rlp'
import { DEPOSIT_TX_TYPE } from '../../derivation/protocol/depositTx.ts'
import { bigintToBytes } from './state/account.ts'
import { orderedTrieRoot } from './trie/orderedTrie.ts'
import type { Receipt } from './types.ts'

export { DEPOSIT_TX_TYPE }

/** Consensus encoding of a receipt (what goes into the receipts trie), opstack-spec §1.5. */
export function encodeReceipt(r: Receipt, canyon: boolean): Uint8Array {
  const fields: unknown[] = [
    r.status === 1 ? Uint8Array.of(1) : new Uint8Array(0),
    bigintToBytes(r.cumulativeGasUsed),
    r.logsBloom,
    r.logs.map((l) => [l.address, l.topics, l.data]),
  ]
  if (r.type === DEPOSIT_TX_TYPE && canyon) {
    fields.push(bigintToBytes(r.depositNonce ?? 0n), bigintToBytes(r.depositReceiptVersion ?? 1n))
  }
  const body = RLP.encode(fields as never)
  if (r.type === 0) return body
  const out = new Uint8Array(body.length + 1)
  out[0] = r.type
  out.set(body, 1)
  return out
}

/** Root of an ordered list (transactions or receipts): a trie keyed by rlp(index). */
export async function orderedRoot(items: readonly Uint8Array[]): Promise<Uint8Array> {
  return orderedTrieRoot(items)
}
