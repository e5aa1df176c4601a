import { createHash } from 'node:crypto'
import { RLP } from '@ethereumjs/rlp'
import { bigIntToMinimalBytes as bigintToBytes, bytesEqual } from '../../config/bytes.ts'
import type { ExecutionPayloadEnvelope } from '../../config/executionPayload.ts'
import { EMPTY_OMMERS_HASH, hashHeader } from '../engine/header.ts'

import { orderedTrieRoot } from '../engine/trie/orderedTrie.ts'
import type { BlockHeader } from '../engine/types.ts'
import type { Withdrawal } from './executionPayloadSsz.ts'

// The block hash a payload claims must be the hash of the header rebuilt from its fields (op-node
// CheckBlockHash): post-merge constants for ommers/difficulty/nonce, the transactions trie, the withdrawals root
// (computed from the list, or carried by the payload from Isthmus), the blob fields and the beacon root.

/** Isthmus headers carry requestsHash = sha256("") (no execution requests on OP). */
const EMPTY_REQUESTS_HASH = new Uint8Array(createHash('sha256').digest())

function withdrawalsRoot(list: readonly unknown[]): Uint8Array {
  return orderedTrieRoot(
    list.map((w) => {
      const x = w as Withdrawal
      return RLP.encode([bigintToBytes(x.index), bigintToBytes(x.validatorIndex), x.address, bigintToBytes(x.amount)])
    }),
  )
}

export function computePayloadBlockHash(envelope: ExecutionPayloadEnvelope): Uint8Array {
  const p = envelope.executionPayload
  const header: BlockHeader = {
    parentHash: p.parentHash,
    ommersHash: EMPTY_OMMERS_HASH,
    coinbase: p.feeRecipient,
    stateRoot: p.stateRoot,
    transactionsRoot: orderedTrieRoot(p.transactions),
    receiptsRoot: p.receiptsRoot,
    logsBloom: p.logsBloom,
    difficulty: 0n,
    number: p.blockNumber,
    gasLimit: p.gasLimit,
    gasUsed: p.gasUsed,
    timestamp: p.timestamp,
    extraData: p.extraData,
    mixHash: p.prevRandao,
    nonce: new Uint8Array(8),
    baseFeePerGas: p.baseFeePerGas,
  }
  if (p.withdrawalsRoot) header.withdrawalsRoot = p.withdrawalsRoot
  else if (p.withdrawals) header.withdrawalsRoot = withdrawalsRoot(p.withdrawals)
  if (p.blobGasUsed !== undefined) header.blobGasUsed = p.blobGasUsed
  if (p.excessBlobGas !== undefined) header.excessBlobGas = p.excessBlobGas
  if (envelope.parentBeaconBlockRoot) header.parentBeaconBlockRoot = envelope.parentBeaconBlockRoot
  if (p.withdrawalsRoot) header.requestsHash = EMPTY_REQUESTS_HASH
  return hashHeader(header)
}

/** True when the payload's blockHash matches its contents. */
export function verifyPayloadBlockHash(envelope: ExecutionPayloadEnvelope): boolean {
  return bytesEqual(computePayloadBlockHash(envelope), envelope.executionPayload.blockHash)
}
