import { keccak256 } from '../keccak.ts'

// L2 -> L1 withdrawals (opstack-spec §6): the hash OptimismPortal proves, and where L2ToL1MessagePasser keeps it.

export const MESSAGE_PASSED_TOPIC = '0x02a52367d10742d8032712c1bb8e0144ff1ec5ffda1ed7d70bb05a2744955054'

export interface WithdrawalTransaction {
  nonce: bigint
  sender: Uint8Array
  target: Uint8Array
  value: bigint
  gasLimit: bigint
  data: Uint8Array
}

const word = (n: bigint) => Buffer.from(n.toString(16).padStart(64, '0'), 'hex')
const addrWord = (a: Uint8Array) => Buffer.concat([Buffer.alloc(12), a])

/** keccak256(abi.encode(nonce, sender, target, value, gasLimit, data)) — Hashing.hashWithdrawal. */
export function withdrawalHash(w: WithdrawalTransaction): Uint8Array {
  const padded = Buffer.alloc(Math.ceil(w.data.length / 32) * 32)
  padded.set(w.data)
  return keccak256(
    Buffer.concat([
      word(w.nonce),
      addrWord(w.sender),
      addrWord(w.target),
      word(w.value),
      word(w.gasLimit),
      word(192n),
      word(BigInt(w.data.length)),
      padded,
    ]),
  )
}

/** Storage slot of sentMessages[withdrawalHash] (mapping at slot 0) in L2ToL1MessagePasser. */
export function sentMessagesSlot(hash: Uint8Array): Uint8Array {
  return keccak256(Buffer.concat([hash, Buffer.alloc(32)]))
}

/** Decodes a MessagePassed(nonce indexed, sender indexed, target indexed, value, gasLimit, data, withdrawalHash) log. */
export function decodeMessagePassed(
  topics: Uint8Array[],
  data: Uint8Array,
): WithdrawalTransaction & { withdrawalHash: Uint8Array } {
  if (topics.length !== 4 || `0x${Buffer.from(topics[0] as Uint8Array).toString('hex')}` !== MESSAGE_PASSED_TOPIC) {
    throw new Error('not a MessagePassed log')
  }
  const big = (b: Uint8Array) => BigInt(`0x${Buffer.from(b).toString('hex') || '0'}`)
  const d = Buffer.from(data)
  if (d.length < 128) throw new Error('MessagePassed: data too short')
  const off = Number(big(d.subarray(64, 96)))
  const len = Number(big(d.subarray(off, off + 32)))
  if (off + 32 + len > d.length) throw new Error('MessagePassed: data out of bounds')
  return {
    nonce: big(topics[1] as Uint8Array),
    sender: (topics[2] as Uint8Array).subarray(12),
    target: (topics[3] as Uint8Array).subarray(12),
    value: big(d.subarray(0, 32)),
    gasLimit: big(d.subarray(32, 64)),
    data: d.subarray(off + 32, off + 32 + len),
    withdrawalHash: d.subarray(96, 128),
  }
}
