import { RLP } from '@ethereumjs/rlp'
import { describe, expect, it } from 'vitest'
import { BatchError, type RlpError } from '../../../derivation/protocol/batchErrors.ts'
import { encodeRlpList, encodeRlpUint } from '../../../derivation/protocol/rlp.ts'
import {
  decodeSingularBatch,
  encodeSingularBatch,
  type SingularBatch,
} from '../../../derivation/protocol/singularBatch.ts'
import { ALL_TX_KINDS, concat, fromHex, hex, Rng, randomSingularBatches } from './helpers.ts'

function rlpReasonOf(f: () => unknown): string {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(BatchError)
    expect((e as BatchError).reason).toBe('singular-rlp')
    return ((e as BatchError).cause as RlpError).reason
  }
  return 'ok'
}

function sample(rng: Rng): SingularBatch {
  return {
    parentHash: rng.bytes(32),
    epochNum: rng.u64(),
    epochHash: rng.bytes(32),
    timestamp: rng.u64(),
    transactions: [rng.bytes(1 + rng.int(100)), Uint8Array.of(0x05), rng.bytes(200)],
  }
}

describe('singular batch (v0)', () => {
  it('round-trips random batches with random signed transactions of every type', () => {
    const rng = new Rng(21)
    const batches = randomSingularBatches(rng, { blocks: 12, chainId: 901n, kinds: ALL_TX_KINDS, maxTxs: 5 })
    batches.push(sample(rng), { ...sample(rng), epochNum: 0n, timestamp: 0n, transactions: [] })
    for (const b of batches) {
      const enc = encodeSingularBatch(b)
      // Same bytes as a generic RLP encoder over the field list.
      const generic = RLP.encode([b.parentHash, b.epochNum, b.epochHash, b.timestamp, b.transactions])
      expect(hex(enc)).toBe(hex(generic))
      expect(decodeSingularBatch(enc)).toEqual(b)
    }
  })

  it('ignores bytes after the RLP list (op-node rlp.Decode)', () => {
    const b = sample(new Rng(22))
    const enc = encodeSingularBatch(b)
    expect(decodeSingularBatch(concat(enc, fromHex('deadbeef')))).toEqual(b)
  })

  it('rejects malformed content with typed errors', () => {
    const rng = new Rng(23)
    const h = rng.bytes(32)
    const u = (v: bigint) => encodeRlpUint(v)
    const s = (b: Uint8Array) => RLP.encode(b)
    const list = (...items: Uint8Array[]) => encodeRlpList(items)
    const txs = list(s(rng.bytes(3)))
    expect(rlpReasonOf(() => decodeSingularBatch(new Uint8Array(0)))).toBe('truncated')
    expect(rlpReasonOf(() => decodeSingularBatch(s(h)))).toBe('expected-list')
    // four fields / six fields
    expect(rlpReasonOf(() => decodeSingularBatch(list(s(h), u(1n), s(h), u(2n))))).toBe('too-few-elements')
    expect(rlpReasonOf(() => decodeSingularBatch(list(s(h), u(1n), s(h), u(2n), txs, u(0n))))).toBe('too-many-elements')
    // 31-byte hash
    expect(rlpReasonOf(() => decodeSingularBatch(list(s(h.subarray(1)), u(1n), s(h), u(2n), txs)))).toBe('wrong-length')
    // epoch number with a leading zero, and wider than u64
    expect(rlpReasonOf(() => decodeSingularBatch(list(s(h), fromHex('820001'), s(h), u(2n), txs)))).toBe(
      'non-canonical-int',
    )
    expect(rlpReasonOf(() => decodeSingularBatch(list(s(h), u(1n << 64n), s(h), u(2n), txs)))).toBe('uint-overflow')
    // transaction_list must be a list of strings
    expect(rlpReasonOf(() => decodeSingularBatch(list(s(h), u(1n), s(h), u(2n), s(h))))).toBe('expected-list')
    expect(rlpReasonOf(() => decodeSingularBatch(list(s(h), u(1n), s(h), u(2n), list(list()))))).toBe('expected-string')
    // truncated list
    const enc = encodeSingularBatch(sample(rng))
    expect(rlpReasonOf(() => decodeSingularBatch(enc.subarray(0, enc.length - 1)))).toBe('value-too-large')
  })
})
