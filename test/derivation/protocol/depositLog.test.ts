import { encodeAbiParameters, encodePacked, type Hex, keccak256, type Log, toEventSelector } from 'viem'
import { extractTransactionDepositedLogs, getL2TransactionHash, opaqueDataToDepositData } from 'viem/op-stack'
import { describe, expect, it } from 'vitest'
import { addressToWord, bytesToHex, concatBytes, hexToBytes, uintToBytes } from '../../../config/bytes.ts'
import { applyL1ToL2Alias } from '../../../config/protocol/alias.ts'
import {
  DEPOSIT_EVENT_TOPIC,
  type DepositLogLike,
  type DepositReceiptLike,
  decodeDepositLog,
  userDepositsFromReceipts,
} from '../../../derivation/protocol/depositLog.ts'
import { decodeDepositTx, depositTxHash, encodeDepositTx } from '../../../derivation/protocol/depositTx.ts'
import { DepositLogError } from '../../../derivation/protocol/errors.ts'
import { fixtureJson, rng } from '../../helpers/random.ts'

interface LogVector {
  name: string
  l1_block_hash: string
  log_index: number
  log_address?: string
  topics: string[]
  data: string
  expected_decoded: { sourceHash: string; from_: string; to: string | null; mint: number; value: number; gas: number }
  expected_tx_eip2718: string
  expected_tx_hash: string
}

const vectors = fixtureJson<{ vectors: LogVector[] }>('deposits/deposit_log_vectors.json').vectors
const sepolia = vectors[2]!
const PORTAL = hexToBytes(sepolia.log_address!)

function logOf(v: LogVector): DepositLogLike {
  return { address: PORTAL, topics: v.topics.map(hexToBytes), data: hexToBytes(v.data) }
}

/** ABI log data for opaqueData, with optional extra padding / tampering. */
function logData(opaque: Uint8Array, opts: { offset?: bigint; length?: bigint; extraPad?: number } = {}): Uint8Array {
  const padded = Math.ceil(opaque.length / 32) * 32 + (opts.extraPad ?? 0)
  const body = new Uint8Array(padded)
  body.set(opaque)
  return concatBytes(uintToBytes(opts.offset ?? 32n, 32), uintToBytes(opts.length ?? BigInt(opaque.length), 32), body)
}

function opaqueOf(mint: bigint, value: bigint, gas: bigint, isCreation: number, data: Uint8Array): Uint8Array {
  return concatBytes(
    uintToBytes(mint, 32),
    uintToBytes(value, 32),
    uintToBytes(gas, 8),
    new Uint8Array([isCreation]),
    data,
  )
}

function expectCode(fn: () => unknown, code: string) {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(DepositLogError)
    expect((err as DepositLogError).code).toBe(code)
    return
  }
  throw new Error(`expected ${code}, nothing thrown`)
}

describe('TransactionDeposited log → deposit tx', () => {
  it('topic0 is keccak256 of the event signature', () => {
    expect(bytesToHex(DEPOSIT_EVENT_TOPIC)).toBe(toEventSelector('TransactionDeposited(address,address,uint256,bytes)'))
  })

  for (const v of vectors) {
    it(`decodes ${v.name}`, () => {
      const tx = decodeDepositLog(logOf(v), hexToBytes(v.l1_block_hash), v.log_index)
      expect(bytesToHex(tx.sourceHash)).toBe(v.expected_decoded.sourceHash)
      expect(bytesToHex(tx.from)).toBe(v.expected_decoded.from_)
      expect(tx.to === undefined ? null : bytesToHex(tx.to)).toBe(v.expected_decoded.to)
      expect(tx.mint).toBe(BigInt(v.expected_decoded.mint))
      expect(tx.value).toBe(BigInt(v.expected_decoded.value))
      expect(tx.gas).toBe(BigInt(v.expected_decoded.gas))
      expect(tx.isSystemTx).toBe(false)
      expect(bytesToHex(encodeDepositTx(tx))).toBe(v.expected_tx_eip2718)
      expect(bytesToHex(depositTxHash(tx))).toBe(v.expected_tx_hash)
    })
  }

  it('reproduces the real Sepolia → OP Sepolia deposit hash 0xd6d833a2…414b', () => {
    const tx = decodeDepositLog(logOf(sepolia), hexToBytes(sepolia.l1_block_hash), 5)
    expect(bytesToHex(depositTxHash(tx))).toBe('0xd6d833a2d52037f9e09737f53e0d5b54fdb1ce5f9c2fec0122f9231ca50c414b')
    expect(tx.value).toBe(7_800_000_000_000n)
    expect(tx.gas).toBe(50_000n)
    expect(bytesToHex(tx.data)).toBe('0xaabbcc')
    // the log index feeds the source hash: a different index gives a different L2 hash
    const other = decodeDepositLog(logOf(sepolia), hexToBytes(sepolia.l1_block_hash), 4)
    expect(bytesToHex(depositTxHash(other))).not.toBe(bytesToHex(depositTxHash(tx)))
  })

  it('agrees with viem getL2TransactionHash / opaqueDataToDepositData on random deposits', () => {
    const r = rng(21)
    for (let i = 0; i < 150; i++) {
      const from = r.bytes(20)
      const to = r.bytes(20)
      const mint = r.bigint(256)
      const value = r.bigint(256)
      const gas = r.bigint(64)
      const isCreation = r.bool()
      const data = r.bytes([0, 1, 31, 32, 33, 200][r.int(6)]!)
      const opaqueHex = encodePacked(
        ['uint256', 'uint256', 'uint64', 'bool', 'bytes'],
        [mint, value, gas, isCreation, bytesToHex(data)],
      )
      const dataHex = encodeAbiParameters([{ type: 'bytes' }], [opaqueHex])
      const topics = [
        bytesToHex(DEPOSIT_EVENT_TOPIC),
        bytesToHex(addressToWord(from)),
        bytesToHex(addressToWord(to)),
        bytesToHex(new Uint8Array(32)),
      ] as [Hex, ...Hex[]]
      const blockHash = r.bytes(32)
      const logIndex = r.int(5000)
      const viemLog = {
        address: bytesToHex(PORTAL),
        topics,
        data: dataHex,
        blockHash: bytesToHex(blockHash),
        blockNumber: 1n,
        logIndex,
        transactionHash: bytesToHex(r.bytes(32)),
        transactionIndex: 0,
        removed: false,
      } as Log
      const [parsed] = extractTransactionDepositedLogs({ logs: [viemLog] })
      const expected = getL2TransactionHash({ log: parsed! })

      const tx = decodeDepositLog({ topics: topics.map(hexToBytes), data: hexToBytes(dataHex) }, blockHash, logIndex)
      expect(bytesToHex(depositTxHash(tx))).toBe(expected)
      const viemDeposit = opaqueDataToDepositData(opaqueHex)
      expect(tx.mint).toBe(viemDeposit.mint)
      expect(tx.value).toBe(viemDeposit.value)
      expect(tx.gas).toBe(viemDeposit.gas)
      expect(tx.to === undefined).toBe(viemDeposit.isCreation)
      expect(bytesToHex(tx.data)).toBe(viemDeposit.data)
    }
  })

  it('treats any non-zero isCreation byte as a creation (op-node), and takes from as-is (no aliasing)', () => {
    const from = applyL1ToL2Alias(hexToBytes('0x0000000000000000000000000000000000001234'))
    const log = {
      topics: [DEPOSIT_EVENT_TOPIC, addressToWord(from), addressToWord(new Uint8Array(20).fill(9)), new Uint8Array(32)],
      data: logData(opaqueOf(0n, 0n, 21000n, 2, new Uint8Array(0))),
    }
    const tx = decodeDepositLog(log, new Uint8Array(32), 0)
    expect(tx.to).toBeUndefined()
    expect(tx.from).toEqual(from)
  })

  describe('validity rules (each violation its own code)', () => {
    const topics = sepolia.topics.map(hexToBytes)
    const opaque = opaqueOf(0n, 1n, 50_000n, 0, hexToBytes('0xaabbcc'))
    const hash = hexToBytes(sepolia.l1_block_hash)
    const decode = (t: Uint8Array[], d: Uint8Array) => decodeDepositLog({ topics: t, data: d }, hash, 5)

    it('the well-formed log decodes', () => {
      expect(decode(topics, logData(opaque)).value).toBe(1n)
    })
    it('1. exactly four 32-byte topics with topic0 = TransactionDeposited', () => {
      expectCode(() => decode(topics.slice(0, 3), logData(opaque)), 'DEPOSIT_LOG_TOPIC_COUNT')
      expectCode(() => decode([...topics, new Uint8Array(32)], logData(opaque)), 'DEPOSIT_LOG_TOPIC_COUNT')
      expectCode(
        () => decode([topics[0]!, topics[1]!.subarray(1), topics[2]!, topics[3]!], logData(opaque)),
        'DEPOSIT_LOG_BAD_TOPIC',
      )
      expectCode(
        () => decode([new Uint8Array(32), topics[1]!, topics[2]!, topics[3]!], logData(opaque)),
        'DEPOSIT_LOG_WRONG_EVENT',
      )
    })
    it('2. data at least 64 bytes and a multiple of 32', () => {
      expectCode(() => decode(topics, new Uint8Array(32)), 'DEPOSIT_LOG_DATA_TOO_SHORT')
      expectCode(() => decode(topics, concatBytes(logData(opaque), new Uint8Array(1))), 'DEPOSIT_LOG_DATA_UNALIGNED')
    })
    it('3. ABI offset must be 32', () => {
      expectCode(() => decode(topics, logData(opaque, { offset: 64n })), 'DEPOSIT_LOG_BAD_OFFSET')
      expectCode(() => decode(topics, logData(opaque, { offset: (1n << 200n) + 32n })), 'DEPOSIT_LOG_BAD_OFFSET')
    })
    it('4. length: u64, within the data, minimal padding', () => {
      expectCode(() => decode(topics, logData(opaque, { length: 1n << 64n })), 'DEPOSIT_LOG_LENGTH_OVERFLOW')
      expectCode(() => decode(topics, logData(opaque, { length: 97n })), 'DEPOSIT_LOG_LENGTH_EXCEEDS_DATA')
      expectCode(() => decode(topics, logData(opaque, { extraPad: 32 })), 'DEPOSIT_LOG_EXCESS_PADDING')
      // 31 extra bytes of padding would break alignment; a length 32 below the data is excess padding too
      expectCode(() => decode(topics, logData(opaque, { length: 64n })), 'DEPOSIT_LOG_EXCESS_PADDING')
      // exactly filling the data (no padding) is fine
      const exact = opaqueOf(0n, 1n, 1n, 0, new Uint8Array(23)) // 96 bytes
      expect(decode(topics, logData(exact)).data.length).toBe(23)
    })
    it('version (topic3) must be 0', () => {
      const v1 = new Uint8Array(32)
      v1[31] = 1
      expectCode(() => decode([topics[0]!, topics[1]!, topics[2]!, v1], logData(opaque)), 'DEPOSIT_LOG_UNKNOWN_VERSION')
    })
    it('5. opaqueData at least 73 bytes', () => {
      expectCode(() => decode(topics, logData(opaque.subarray(0, 72))), 'DEPOSIT_LOG_OPAQUE_TOO_SHORT')
      expect(decode(topics, logData(opaque.subarray(0, 73))).data.length).toBe(0)
    })
    it('rejects a block hash that is not 32 bytes', () => {
      expectCode(
        () => decodeDepositLog({ topics, data: logData(opaque) }, new Uint8Array(20), 0),
        'DEPOSIT_LOG_BAD_BLOCK_HASH',
      )
    })
  })

  describe('userDepositsFromReceipts', () => {
    const blockHash = hexToBytes(sepolia.l1_block_hash)
    const good = logOf(sepolia)
    const otherTopic = { ...good, topics: [new Uint8Array(32).fill(1), ...good.topics.slice(1)] }
    const otherAddress = { ...good, address: new Uint8Array(20).fill(1) }

    it('keeps only status-1 receipts, the portal address and topic0; indexes logs block-wide', () => {
      const receipts: DepositReceiptLike[] = [
        { status: 1, logs: [otherAddress, otherTopic] }, // logs 0, 1
        { status: 0, logs: [] },
        { status: 1, logs: [otherTopic, otherTopic, otherAddress, good] }, // logs 2..5 → deposit at index 5
        { status: 0n, logs: [good] }, // failed: skipped, but still counted in the running index
        { status: 1n, logs: [good] }, // index 7
      ]
      const deps = userDepositsFromReceipts(receipts, PORTAL, blockHash)
      expect(deps).toHaveLength(2)
      expect(bytesToHex(depositTxHash(deps[0]!))).toBe(sepolia.expected_tx_hash)
      expect(deps[1]!.sourceHash).toEqual(decodeDepositLog(good, blockHash, 7).sourceHash)
    })

    it('uses an explicit logIndex when the log carries one', () => {
      const deps = userDepositsFromReceipts([{ status: 1, logs: [{ ...good, logIndex: 5 }] }], PORTAL, blockHash)
      expect(bytesToHex(depositTxHash(deps[0]!))).toBe(sepolia.expected_tx_hash)
    })

    it('throws (never skips) on a malformed deposit log, naming receipt and log', () => {
      const bad = { ...good, data: good.data.subarray(0, 64) }
      try {
        userDepositsFromReceipts(
          [
            { status: 1, logs: [] },
            { status: 1, logs: [otherTopic, bad] },
          ],
          PORTAL,
          blockHash,
        )
        throw new Error('no error')
      } catch (err) {
        expect(err).toBeInstanceOf(DepositLogError)
        const e = err as DepositLogError
        expect(e.code).toBe('DEPOSIT_LOG_LENGTH_EXCEEDS_DATA')
        expect(e.meta).toMatchObject({ receiptIndex: 1, logIndexInReceipt: 1, logIndex: '1' })
      }
    })

    it('ignores malformed logs that are not deposits (wrong address)', () => {
      const junk = { ...otherAddress, data: new Uint8Array(3) }
      expect(userDepositsFromReceipts([{ status: 1, logs: [junk] }], PORTAL, blockHash)).toEqual([])
    })

    it('the decoded deposit round-trips through the 0x7E codec', () => {
      const [dep] = userDepositsFromReceipts([{ status: 1, logs: [good] }], PORTAL, blockHash)
      expect(decodeDepositTx(encodeDepositTx(dep!))).toEqual(dep)
      expect(keccak256(encodeDepositTx(dep!))).toBe(bytesToHex(depositTxHash(dep!)))
    })
  })
})
