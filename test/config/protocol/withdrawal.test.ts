import {
  decodeVersionedNonce as coreDecodeNonce,
  encodeVersionedNonce as coreEncodeNonce,
  hashWithdrawal as coreHashWithdrawal,
} from '@eth-optimism/core-utils'
import { BigNumber } from '@ethersproject/bignumber'
import { encodeAbiParameters, type Hex, type Log, toEventSelector } from 'viem'
import { extractWithdrawalMessageLogs, getWithdrawalHashStorageSlot } from 'viem/op-stack'
import { describe, expect, it } from 'vitest'
import { addressToWord, bytesToHex, concatBytes, hexToBytes, uintToBytes } from '../../../config/bytes.ts'
import {
  decodeMessagePassedLog,
  decodeVersionedNonce,
  encodeVersionedNonce,
  encodeWithdrawal,
  hashWithdrawal,
  L2_TO_L1_MESSAGE_PASSER,
  type LogLike,
  MESSAGE_PASSED_TOPIC,
  messagePassedEventsFromLogs,
  WithdrawalError,
  type WithdrawalTransaction,
  withdrawalStorageSlot,
} from '../../../config/protocol/withdrawal.ts'
import { fixtureJson, rng } from '../../helpers/random.ts'

interface ReceiptJson {
  logs: { address: string; topics: string[]; data: string }[]
}
interface WithdrawalVector {
  expected: {
    nonce: number
    sender: string
    target: string
    value: number
    gasLimit: number
    data_len: number
    withdrawalHash: string
  }
  computed_independently: { sentMessages_storage_key: string }
}

const receipt = fixtureJson<ReceiptJson>('withdrawals/bridge-withdrawal-receipt.json')
const vector = fixtureJson<{ vectors: WithdrawalVector[] }>('withdrawals/withdrawal_vectors.json').vectors[0]!
const logs: LogLike[] = receipt.logs.map((l) => ({
  address: hexToBytes(l.address),
  topics: l.topics.map(hexToBytes),
  data: hexToBytes(l.data),
}))

function expectCode(fn: () => unknown, code: string) {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(WithdrawalError)
    expect((err as WithdrawalError).code).toBe(code)
    return
  }
  throw new Error(`expected ${code}, nothing thrown`)
}

describe('withdrawals', () => {
  it('MessagePassed topic0 is the event signature hash', () => {
    expect(bytesToHex(MESSAGE_PASSED_TOPIC)).toBe(
      toEventSelector('MessagePassed(uint256,address,address,uint256,uint256,bytes,bytes32)'),
    )
  })

  it('decodes the devnet bridge withdrawal (op-node TestParseMessagePassed) and recomputes its hash and slot', () => {
    const events = messagePassedEventsFromLogs(logs)
    expect(events).toHaveLength(1) // only log 2 is a MessagePassed from L2ToL1MessagePasser
    const ev = events[0]!
    const e = vector.expected
    expect(ev.nonce).toBe(BigInt(e.nonce))
    expect(bytesToHex(ev.sender)).toBe(e.sender)
    expect(bytesToHex(ev.target)).toBe(e.target)
    expect(ev.value).toBe(BigInt(e.value))
    expect(ev.gasLimit).toBe(BigInt(e.gasLimit))
    expect(ev.data.length).toBe(e.data_len)
    expect(bytesToHex(ev.data.subarray(0, 4))).toBe('0xd764ad0b') // relayMessage
    expect(bytesToHex(ev.withdrawalHash)).toBe(e.withdrawalHash)
    expect(bytesToHex(hashWithdrawal(ev))).toBe(e.withdrawalHash)
    expect(bytesToHex(withdrawalStorageSlot(ev.withdrawalHash))).toBe(
      vector.computed_independently.sentMessages_storage_key,
    )
    // the message inside relayMessage carries version 1 in the top two bytes of its nonce
    expect(decodeVersionedNonce(BigInt(bytesToHex(ev.data.subarray(4, 36)))).version).toBe(1n)
  })

  it('agrees with viem extractWithdrawalMessageLogs on the receipt', () => {
    const viemLogs = receipt.logs.map((l, i) => ({
      address: l.address as Hex,
      topics: l.topics as [Hex, ...Hex[]],
      data: l.data as Hex,
      blockHash: `0x${'00'.repeat(32)}` as Hex,
      blockNumber: 1n,
      logIndex: i,
      transactionHash: `0x${'00'.repeat(32)}` as Hex,
      transactionIndex: 0,
      removed: false,
    })) as Log[]
    const [v] = extractWithdrawalMessageLogs({ logs: viemLogs })
    const [mine] = messagePassedEventsFromLogs(logs)
    expect(mine!.nonce).toBe(v!.args.nonce)
    expect(bytesToHex(mine!.sender)).toBe(v!.args.sender.toLowerCase())
    expect(bytesToHex(mine!.target)).toBe(v!.args.target.toLowerCase())
    expect(mine!.gasLimit).toBe(v!.args.gasLimit)
    expect(bytesToHex(mine!.data)).toBe(v!.args.data)
    expect(bytesToHex(mine!.withdrawalHash)).toBe(v!.args.withdrawalHash)
  })

  it('hash, abi encoding and storage slot agree with core-utils and viem on random withdrawals', () => {
    const r = rng(41)
    for (let i = 0; i < 200; i++) {
      const w: WithdrawalTransaction = {
        nonce: encodeVersionedNonce(r.bigint(240), BigInt(r.int(2))),
        sender: r.bytes(20),
        target: r.bytes(20),
        value: r.bigint(255),
        gasLimit: r.bigint(64),
        data: r.bytes([0, 1, 31, 32, 33, 484][r.int(6)]!),
      }
      const abi = encodeAbiParameters(
        [
          { type: 'uint256' },
          { type: 'address' },
          { type: 'address' },
          { type: 'uint256' },
          { type: 'uint256' },
          { type: 'bytes' },
        ],
        [w.nonce, bytesToHex(w.sender), bytesToHex(w.target), w.value, w.gasLimit, bytesToHex(w.data)],
      )
      expect(bytesToHex(encodeWithdrawal(w))).toBe(abi)
      const core = coreHashWithdrawal(
        BigNumber.from(w.nonce.toString()),
        bytesToHex(w.sender),
        bytesToHex(w.target),
        BigNumber.from(w.value.toString()),
        BigNumber.from(w.gasLimit.toString()),
        bytesToHex(w.data),
      )
      const h = hashWithdrawal(w)
      expect(bytesToHex(h)).toBe(core)
      expect(bytesToHex(withdrawalStorageSlot(h))).toBe(getWithdrawalHashStorageSlot({ withdrawalHash: core as Hex }))
    }
  })

  it('versioned nonces: (version << 240) | nonce as Encoding.sol; decoding agrees with core-utils', () => {
    const r = rng(42)
    for (let i = 0; i < 100; i++) {
      const nonce = r.bigint(240)
      const version = BigInt(r.int(3))
      const v = encodeVersionedNonce(nonce, version)
      expect(v).toBe(version * 2n ** 240n + nonce)
      const back = coreDecodeNonce(BigNumber.from(v.toString()))
      expect(decodeVersionedNonce(v)).toEqual({
        version: BigInt(back.version.toString()),
        nonce: BigInt(back.nonce.toString()),
      })
      // core-utils 0.13.2 declares encodeVersionedNonce(nonce, version) but computes `version.or(nonce.shl(240))`,
      // so its first argument is the one shifted: it matches Encoding.sol only with the arguments swapped.
      const coreSwapped = coreEncodeNonce(BigNumber.from(version.toString()), BigNumber.from(nonce.toString()))
      expect(BigInt(coreSwapped.toString())).toBe(v)
    }
    expectCode(() => encodeVersionedNonce(1n << 240n, 1n), 'WITHDRAWAL_INVALID_FIELD')
  })

  describe('MessagePassed decoding errors', () => {
    const good = logs[2]!
    it('topics', () => {
      expectCode(
        () => decodeMessagePassedLog({ ...good, topics: good.topics.slice(0, 3) }),
        'MESSAGE_PASSED_BAD_TOPICS',
      )
      expectCode(
        () => decodeMessagePassedLog({ ...good, topics: [new Uint8Array(32), ...good.topics.slice(1)] }),
        'MESSAGE_PASSED_WRONG_EVENT',
      )
      const dirty = good.topics[2]!.slice()
      dirty[0] = 1
      expectCode(
        () => decodeMessagePassedLog({ ...good, topics: [good.topics[0]!, good.topics[1]!, dirty, good.topics[3]!] }),
        'MESSAGE_PASSED_BAD_ADDRESS',
      )
    })
    it('data: too short, offset or length out of range', () => {
      expectCode(() => decodeMessagePassedLog({ ...good, data: good.data.subarray(0, 128) }), 'MESSAGE_PASSED_BAD_DATA')
      const badOffset = good.data.slice()
      badOffset.set(uintToBytes(BigInt(good.data.length), 32), 64)
      expectCode(() => decodeMessagePassedLog({ ...good, data: badOffset }), 'MESSAGE_PASSED_BAD_DATA')
      const badLen = good.data.slice()
      badLen.set(uintToBytes(10_000n, 32), 128)
      expectCode(() => decodeMessagePassedLog({ ...good, data: badLen }), 'MESSAGE_PASSED_BAD_DATA')
    })
    it('ignores other emitters and other events', () => {
      const elsewhere = { ...good, address: new Uint8Array(20) }
      expect(messagePassedEventsFromLogs([elsewhere, logs[3]!])).toEqual([])
      expect(bytesToHex(L2_TO_L1_MESSAGE_PASSER)).toBe('0x4200000000000000000000000000000000000016')
    })
    it('decodes a hand-built event with an empty payload', () => {
      const w = {
        nonce: 5n,
        sender: new Uint8Array(20).fill(1),
        target: new Uint8Array(20).fill(2),
        value: 3n,
        gasLimit: 4n,
        data: new Uint8Array(0),
      }
      const hash = hashWithdrawal(w)
      const data = concatBytes(
        uintToBytes(3n, 32),
        uintToBytes(4n, 32),
        uintToBytes(128n, 32),
        hash,
        uintToBytes(0n, 32),
      )
      const ev = decodeMessagePassedLog({
        topics: [MESSAGE_PASSED_TOPIC, uintToBytes(5n, 32), addressToWord(w.sender), addressToWord(w.target)],
        data,
      })
      expect(ev).toEqual({ ...w, withdrawalHash: hash })
    })
  })
})
