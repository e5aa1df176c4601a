import { bytesEqual, bytesToBigInt, hexToBytes, isZeroRange, readU64BE } from '../../config/bytes.ts'
import type { DepositTx } from './depositTx.ts'
import { DepositLogError } from './errors.ts'
import { userDepositSourceHash } from './sourceHash.ts'

// TransactionDeposited(address indexed from, address indexed to, uint256 indexed version, bytes opaqueData)
// → deposit tx (opstack-spec §1.3), with op-node's validity rules, in op-node's order, each violation its own code.

/** keccak256("TransactionDeposited(address,address,uint256,bytes)") */
export const DEPOSIT_EVENT_TOPIC = hexToBytes('0xb3813568d9991fc951961fcb4c784893574240a28925604d09fc577c55bb7c32')
/** topic3 of a version-0 deposit. */
export const DEPOSIT_EVENT_VERSION_0 = new Uint8Array(32)

/** Minimal log shape (an L1 receipt log). */
export interface DepositLogLike {
  address: Uint8Array
  topics: readonly Uint8Array[]
  data: Uint8Array
  /** Index of the log within the whole L1 block, if the source provides it. */
  logIndex?: number | bigint | undefined
}

/** Minimal receipt shape. */
export interface DepositReceiptLike {
  status: number | bigint
  logs: readonly DepositLogLike[]
}

/** Fixed part of opaqueData: mint(32) ++ value(32) ++ gas(8) ++ isCreation(1). */
const OPAQUE_MIN = 73

function fail(code: DepositLogError['code'], message: string, meta: Record<string, unknown> = {}): DepositLogError {
  return new DepositLogError(code, message, meta)
}

/**
 * Decodes one TransactionDeposited log into a deposit tx. `logIndex` is the log's index in the whole L1 block.
 * The caller has already checked receipt status, log address and topic0 (see `userDepositsFromReceipts`);
 * topic0 is checked again here as op-node does.
 */
export function decodeDepositLog(
  log: Pick<DepositLogLike, 'topics' | 'data'>,
  l1BlockHash: Uint8Array,
  logIndex: number | bigint,
): DepositTx {
  const { topics, data } = log
  if (l1BlockHash.length !== 32) {
    throw fail('DEPOSIT_LOG_BAD_BLOCK_HASH', 'L1 block hash must be 32 bytes', { length: l1BlockHash.length })
  }
  // 1. four topics
  if (topics.length !== 4) {
    throw fail('DEPOSIT_LOG_TOPIC_COUNT', `expected 4 topics, got ${topics.length}`, { count: topics.length })
  }
  for (let i = 0; i < 4; i++) {
    if (topics[i]!.length !== 32) {
      throw fail('DEPOSIT_LOG_BAD_TOPIC', `topic ${i} is not 32 bytes`, { index: i, length: topics[i]!.length })
    }
  }
  if (!bytesEqual(topics[0]!, DEPOSIT_EVENT_TOPIC)) {
    throw fail('DEPOSIT_LOG_WRONG_EVENT', 'topic0 is not TransactionDeposited')
  }
  // 2. ABI head present and 32-byte aligned
  if (data.length < 64) {
    throw fail('DEPOSIT_LOG_DATA_TOO_SHORT', `log data has ${data.length} bytes, need at least 64`, {
      length: data.length,
    })
  }
  if (data.length % 32 !== 0) {
    throw fail('DEPOSIT_LOG_DATA_UNALIGNED', `log data length ${data.length} is not a multiple of 32`, {
      length: data.length,
    })
  }
  // 3. offset == 32
  if (!isZeroRange(data, 0, 31) || data[31] !== 32) {
    throw fail('DEPOSIT_LOG_BAD_OFFSET', 'opaqueData offset is not 32', {
      offset: bytesToBigInt(data, 0, 32).toString(),
    })
  }
  // 4. length: u64, within the data, minimal padding
  if (!isZeroRange(data, 32, 56)) {
    throw fail('DEPOSIT_LOG_LENGTH_OVERFLOW', 'opaqueData length does not fit in u64', {
      length: bytesToBigInt(data, 32, 64).toString(),
    })
  }
  const len = readU64BE(data, 56)
  const remaining = BigInt(data.length - 64)
  if (len > remaining) {
    throw fail('DEPOSIT_LOG_LENGTH_EXCEEDS_DATA', `opaqueData length ${len} exceeds the ${remaining} bytes left`, {
      length: len.toString(),
      remaining: remaining.toString(),
    })
  }
  if (len + 32n <= remaining) {
    throw fail('DEPOSIT_LOG_EXCESS_PADDING', `opaqueData length ${len} leaves 32 or more padding bytes`, {
      length: len.toString(),
      remaining: remaining.toString(),
    })
  }
  // version (topic3) must be 0
  if (!isZeroRange(topics[3]!)) {
    throw fail('DEPOSIT_LOG_UNKNOWN_VERSION', 'unknown deposit version', {
      version: bytesToBigInt(topics[3]!).toString(),
    })
  }
  // 5. opaqueData = mint ++ value ++ gas ++ isCreation ++ data
  const opaqueLen = Number(len)
  if (opaqueLen < OPAQUE_MIN) {
    throw fail('DEPOSIT_LOG_OPAQUE_TOO_SHORT', `opaqueData has ${opaqueLen} bytes, need at least ${OPAQUE_MIN}`, {
      length: opaqueLen,
    })
  }
  const o = 64
  const gas = readU64BE(data, o + 64) // 8 bytes: always a valid u64
  const isCreation = data[o + 72] !== 0
  return {
    sourceHash: userDepositSourceHash(l1BlockHash, logIndex),
    from: topics[1]!.slice(12),
    to: isCreation ? undefined : topics[2]!.slice(12),
    mint: bytesToBigInt(data, o, o + 32),
    value: bytesToBigInt(data, o + 32, o + 64),
    gas,
    isSystemTx: false,
    data: data.slice(o + OPAQUE_MIN, o + opaqueLen),
  }
}

/**
 * All user deposits of one L1 block, in log order: logs of successful receipts (status 1), emitted by
 * `depositContract`, with topic0 = TransactionDeposited. The source hash uses each log's block-wide index:
 * `log.logIndex` when present, otherwise the running count of logs over all receipts (valid when the
 * receipts are the block's complete, ordered list). Any malformed deposit log throws (deposits can never be
 * skipped); the error's meta names the receipt and log.
 */
export function userDepositsFromReceipts(
  receipts: readonly DepositReceiptLike[],
  depositContract: Uint8Array,
  blockHash: Uint8Array,
): DepositTx[] {
  const out: DepositTx[] = []
  let running = 0
  for (let r = 0; r < receipts.length; r++) {
    const rec = receipts[r]!
    const ok = Number(rec.status) === 1
    for (let l = 0; l < rec.logs.length; l++, running++) {
      const log = rec.logs[l]!
      if (!ok) continue
      if (!bytesEqual(log.address, depositContract)) continue
      const t0 = log.topics[0]
      if (t0 === undefined || !bytesEqual(t0, DEPOSIT_EVENT_TOPIC)) continue
      const index = log.logIndex ?? running
      try {
        out.push(decodeDepositLog(log, blockHash, index))
      } catch (err) {
        if (err instanceof DepositLogError) {
          throw new DepositLogError(err.code, `malformed deposit log in receipt ${r}, log ${l}: ${err.message}`, {
            ...err.meta,
            receiptIndex: r,
            logIndexInReceipt: l,
            logIndex: index.toString(),
          })
        }
        throw err
      }
    }
  }
  return out
}
