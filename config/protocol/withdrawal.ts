import { keccak_256 } from '@noble/hashes/sha3.js'
import { bytesEqual, bytesToBigInt, hexToBytes, isZeroRange, writeUintBE } from '../bytes.ts'
import { NodeError } from '../errors.ts'
import { PREDEPLOYS } from './addresses.ts'

// Withdrawals (opstack-spec §6): the hash OptimismPortal proves, the L2ToL1MessagePasser `sentMessages` storage
// slot, and the MessagePassed event.

export type WithdrawalErrorCode =
  /** Encoding input out of range. */
  | 'WITHDRAWAL_INVALID_FIELD'
  /** Not exactly 4 topics, or a topic is not 32 bytes. */
  | 'MESSAGE_PASSED_BAD_TOPICS'
  /** topic0 is not MessagePassed. */
  | 'MESSAGE_PASSED_WRONG_EVENT'
  /** An indexed address topic has non-zero upper 12 bytes. */
  | 'MESSAGE_PASSED_BAD_ADDRESS'
  /** Data too short, the bytes offset/length out of range, or length not fitting the data. */
  | 'MESSAGE_PASSED_BAD_DATA'

export class WithdrawalError extends NodeError<WithdrawalErrorCode> {}

/** Types.WithdrawalTransaction */
export interface WithdrawalTransaction {
  /** Versioned nonce: (version << 240) | messageNonce. */
  nonce: bigint
  /** 20 bytes */
  sender: Uint8Array
  /** 20 bytes */
  target: Uint8Array
  value: bigint
  gasLimit: bigint
  data: Uint8Array
}

export interface MessagePassedEvent extends WithdrawalTransaction {
  /** As emitted by the contract. */
  withdrawalHash: Uint8Array
}

/** Minimal log shape. */
export interface LogLike {
  address: Uint8Array
  topics: readonly Uint8Array[]
  data: Uint8Array
}

/** keccak256("MessagePassed(uint256,address,address,uint256,uint256,bytes,bytes32)") */
export const MESSAGE_PASSED_TOPIC = hexToBytes('0x02a52367d10742d8032712c1bb8e0144ff1ec5ffda1ed7d70bb05a2744955054')
export const L2_TO_L1_MESSAGE_PASSER = hexToBytes(PREDEPLOYS.L2ToL1MessagePasser)
/** Encoding.sol MESSAGE_VERSION used by L2ToL1MessagePasser. */
export const WITHDRAWAL_MESSAGE_VERSION = 1n

const U256_MAX = (1n << 256n) - 1n
const NONCE_MASK = (1n << 240n) - 1n

export function encodeVersionedNonce(nonce: bigint, version: bigint): bigint {
  if (nonce < 0n || nonce > NONCE_MASK || version < 0n || version > 0xffffn) {
    throw new WithdrawalError('WITHDRAWAL_INVALID_FIELD', 'nonce must fit in 240 bits and version in 16 bits')
  }
  return (version << 240n) | nonce
}

export function decodeVersionedNonce(versioned: bigint): { version: bigint; nonce: bigint } {
  return { version: versioned >> 240n, nonce: versioned & NONCE_MASK }
}

function invalid(field: string, reason: string): WithdrawalError {
  return new WithdrawalError('WITHDRAWAL_INVALID_FIELD', `withdrawal ${field}: ${reason}`, { field })
}

function checkUint(field: string, v: bigint): void {
  if (v < 0n || v > U256_MAX) throw invalid(field, 'out of uint256 range')
}

/** abi.encode(uint256 nonce, address sender, address target, uint256 value, uint256 gasLimit, bytes data) */
export function encodeWithdrawal(w: WithdrawalTransaction): Uint8Array {
  checkUint('nonce', w.nonce)
  checkUint('value', w.value)
  checkUint('gasLimit', w.gasLimit)
  if (w.sender.length !== 20) throw invalid('sender', 'must be 20 bytes')
  if (w.target.length !== 20) throw invalid('target', 'must be 20 bytes')
  const padded = Math.ceil(w.data.length / 32) * 32
  const out = new Uint8Array(7 * 32 + padded)
  writeUintBE(out, 0, 32, w.nonce)
  out.set(w.sender, 32 + 12)
  out.set(w.target, 64 + 12)
  writeUintBE(out, 96, 32, w.value)
  writeUintBE(out, 128, 32, w.gasLimit)
  writeUintBE(out, 160, 32, 192n) // offset of `data`
  writeUintBE(out, 192, 32, BigInt(w.data.length))
  out.set(w.data, 224)
  return out
}

/** Hashing.hashWithdrawal: keccak256(abi.encode(nonce, sender, target, value, gasLimit, data)). */
export function hashWithdrawal(w: WithdrawalTransaction): Uint8Array {
  return keccak_256(encodeWithdrawal(w))
}

/** Storage key of `sentMessages[withdrawalHash]` (mapping at slot 0): keccak256(withdrawalHash ++ uint256(0)). */
export function withdrawalStorageSlot(withdrawalHash: Uint8Array): Uint8Array {
  if (withdrawalHash.length !== 32) throw invalid('withdrawalHash', 'must be 32 bytes')
  const buf = new Uint8Array(64)
  buf.set(withdrawalHash, 0)
  return keccak_256(buf)
}

function addressTopic(topic: Uint8Array, name: string): Uint8Array {
  if (!isZeroRange(topic, 0, 12)) {
    throw new WithdrawalError('MESSAGE_PASSED_BAD_ADDRESS', `MessagePassed ${name} topic has non-zero padding`, {
      field: name,
    })
  }
  return topic.slice(12)
}

function badData(reason: string, meta: Record<string, unknown> = {}): WithdrawalError {
  return new WithdrawalError('MESSAGE_PASSED_BAD_DATA', `MessagePassed data: ${reason}`, meta)
}

/**
 * Decodes MessagePassed(uint256 indexed nonce, address indexed sender, address indexed target, uint256 value,
 * uint256 gasLimit, bytes data, bytes32 withdrawalHash). The data is standard ABI: the `bytes` offset and
 * length must lie within the data. The emitted withdrawalHash is returned as is (compare with `hashWithdrawal`).
 */
export function decodeMessagePassedLog(log: Pick<LogLike, 'topics' | 'data'>): MessagePassedEvent {
  const { topics, data } = log
  if (topics.length !== 4 || topics.some((t) => t.length !== 32)) {
    throw new WithdrawalError('MESSAGE_PASSED_BAD_TOPICS', 'MessagePassed needs 4 topics of 32 bytes', {
      count: topics.length,
    })
  }
  if (!bytesEqual(topics[0]!, MESSAGE_PASSED_TOPIC)) {
    throw new WithdrawalError('MESSAGE_PASSED_WRONG_EVENT', 'topic0 is not MessagePassed')
  }
  if (data.length < 160) throw badData(`${data.length} bytes, need at least 160`, { length: data.length })
  const offset = bytesToBigInt(data, 64, 96)
  if (offset + 32n > BigInt(data.length)) throw badData('bytes offset out of range', { offset: offset.toString() })
  const off = Number(offset)
  const len = bytesToBigInt(data, off, off + 32)
  if (BigInt(off + 32) + len > BigInt(data.length)) throw badData('bytes length out of range', { len: len.toString() })
  return {
    nonce: bytesToBigInt(topics[1]!),
    sender: addressTopic(topics[2]!, 'sender'),
    target: addressTopic(topics[3]!, 'target'),
    value: bytesToBigInt(data, 0, 32),
    gasLimit: bytesToBigInt(data, 32, 64),
    data: data.slice(off + 32, off + 32 + Number(len)),
    withdrawalHash: data.slice(96, 128),
  }
}

/** All MessagePassed events among `logs` emitted by `messagePasser` (default L2ToL1MessagePasser). */
export function messagePassedEventsFromLogs(
  logs: readonly LogLike[],
  messagePasser: Uint8Array = L2_TO_L1_MESSAGE_PASSER,
): MessagePassedEvent[] {
  const out: MessagePassedEvent[] = []
  for (const log of logs) {
    const t0 = log.topics[0]
    if (!bytesEqual(log.address, messagePasser) || t0 === undefined || !bytesEqual(t0, MESSAGE_PASSED_TOPIC)) continue
    out.push(decodeMessagePassedLog(log))
  }
  return out
}
