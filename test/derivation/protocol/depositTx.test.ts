import { DepositTx as CoreDepositTx } from '@eth-optimism/core-utils'
import { RLP } from '@ethereumjs/rlp'
import { keccak256 } from 'viem'
import { parseTransaction, serializeTransaction } from 'viem/op-stack'
import { describe, expect, it } from 'vitest'
import { bytesToHex, concatBytes, hexToBytes } from '../../../config/bytes.ts'
import {
  type DepositTx,
  decodeDepositTx,
  depositTxHash,
  encodeDepositTx,
  hashEncodedDepositTx,
} from '../../../derivation/protocol/depositTx.ts'
import { DepositTxError } from '../../../derivation/protocol/errors.ts'
import { fixtureJson, type Rng, rng } from '../../helpers/random.ts'

interface LogVector {
  name: string
  expected_decoded: {
    sourceHash: string
    from_: string
    to: string | null
    mint: number
    value: number
    gas: number
    data: string
  }
  expected_tx_eip2718: string
  expected_tx_hash: string
}

const logVectors = fixtureJson<{ vectors: LogVector[] }>('deposits/deposit_log_vectors.json').vectors

function randomDeposit(r: Rng): DepositTx {
  const dataLen = [0, 1, 55, 56, 200, 1 + r.int(3000)][r.int(6)]!
  const data = r.bytes(dataLen)
  if (dataLen === 1 && r.bool()) data[0] = r.int(0x80) // single byte below 0x80 (RLP encodes it as itself)
  return {
    sourceHash: r.bytes(32),
    from: r.bytes(20),
    to: r.bool() ? r.bytes(20) : undefined,
    mint: r.bigint(256),
    value: r.bigint(256),
    gas: r.bigint(64),
    isSystemTx: r.bool(),
    data,
  }
}

function expectCode(fn: () => unknown, code: string) {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(DepositTxError)
    expect((err as DepositTxError).code).toBe(code)
    return
  }
  throw new Error(`expected ${code}, nothing thrown`)
}

describe('deposit tx 0x7E codec', () => {
  for (const v of logVectors) {
    it(`encodes and decodes ${v.name}`, () => {
      const e = v.expected_decoded
      const tx: DepositTx = {
        sourceHash: hexToBytes(e.sourceHash),
        from: hexToBytes(e.from_),
        to: e.to === null ? undefined : hexToBytes(e.to),
        mint: BigInt(e.mint),
        value: BigInt(e.value),
        gas: BigInt(e.gas),
        isSystemTx: false,
        data: hexToBytes(e.data),
      }
      const raw = encodeDepositTx(tx)
      expect(bytesToHex(raw)).toBe(v.expected_tx_eip2718)
      expect(bytesToHex(depositTxHash(tx))).toBe(v.expected_tx_hash)
      expect(bytesToHex(hashEncodedDepositTx(raw))).toBe(v.expected_tx_hash)
      expect(decodeDepositTx(hexToBytes(v.expected_tx_eip2718))).toEqual(tx)
    })
  }

  it('round-trips random deposits (encode → decode → encode)', () => {
    const r = rng(7)
    for (let i = 0; i < 500; i++) {
      const tx = randomDeposit(r)
      const raw = encodeDepositTx(tx)
      const back = decodeDepositTx(raw)
      expect(back).toEqual(tx)
      expect(encodeDepositTx(back)).toEqual(raw)
    }
  })

  it('matches @ethereumjs/rlp, viem serializeTransaction/parseTransaction and core-utils DepositTx', () => {
    const r = rng(8)
    for (let i = 0; i < 300; i++) {
      const tx = randomDeposit(r)
      const raw = encodeDepositTx(tx)
      const ints = [tx.mint, tx.value, tx.gas].map((n) =>
        n === 0n
          ? new Uint8Array(0)
          : hexToBytes(n.toString(16).padStart(Math.ceil(n.toString(16).length / 2) * 2, '0')),
      )
      const viaRlp = concatBytes(
        new Uint8Array([0x7e]),
        RLP.encode([
          tx.sourceHash,
          tx.from,
          tx.to ?? new Uint8Array(0),
          ints[0]!,
          ints[1]!,
          ints[2]!,
          tx.isSystemTx ? new Uint8Array([1]) : new Uint8Array(0),
          tx.data,
        ]),
      )
      expect(raw).toEqual(viaRlp)

      const viem = serializeTransaction({
        type: 'deposit',
        sourceHash: bytesToHex(tx.sourceHash),
        from: bytesToHex(tx.from),
        to: tx.to === undefined ? undefined : bytesToHex(tx.to),
        mint: tx.mint,
        value: tx.value,
        gas: tx.gas,
        isSystemTx: tx.isSystemTx,
        data: bytesToHex(tx.data),
      })
      expect(bytesToHex(raw)).toBe(viem)
      expect(bytesToHex(depositTxHash(tx))).toBe(keccak256(viem))
      const parsed = parseTransaction(viem)
      expect(parsed.type).toBe('deposit')
      expect(parsed.gas ?? 0n).toBe(tx.gas)

      if (tx.mint < 1n << 255n && tx.value < 1n << 255n) {
        // core-utils (ethers v5 BigNumber) handles values below 2^255 only
        const core = new CoreDepositTx({
          sourceHash: bytesToHex(tx.sourceHash),
          from: bytesToHex(tx.from),
          to: tx.to === undefined ? null : bytesToHex(tx.to),
          mint: `0x${tx.mint.toString(16)}`,
          value: `0x${tx.value.toString(16)}`,
          gas: `0x${tx.gas.toString(16)}`,
          isSystemTransaction: tx.isSystemTx,
          data: bytesToHex(tx.data),
        })
        expect(core.encode()).toBe(bytesToHex(raw))
        expect(core.hash()).toBe(bytesToHex(depositTxHash(tx)))
        const coreBack = CoreDepositTx.decode(raw)
        expect(BigInt(coreBack.gas.toString())).toBe(tx.gas)
        expect(coreBack.to === null).toBe(tx.to === undefined)
      }
    }
  })

  it('encodes mint 0, value 0, gas 0 and false as 0x80', () => {
    const tx: DepositTx = {
      sourceHash: new Uint8Array(32),
      from: new Uint8Array(20),
      mint: 0n,
      value: 0n,
      gas: 0n,
      isSystemTx: false,
      data: new Uint8Array(0),
    }
    const raw = encodeDepositTx(tx)
    // header + sourceHash(33) + from(21) + to/mint/value/gas/isSystemTx/data (6 × 0x80)
    expect(Array.from(raw.subarray(raw.length - 6))).toEqual([0x80, 0x80, 0x80, 0x80, 0x80, 0x80])
  })

  it('rejects out-of-range fields on encode', () => {
    const ok = decodeDepositTx(hexToBytes(logVectors[2]!.expected_tx_eip2718))
    expectCode(() => encodeDepositTx({ ...ok, sourceHash: new Uint8Array(31) }), 'DEPOSIT_TX_INVALID_FIELD')
    expectCode(() => encodeDepositTx({ ...ok, from: new Uint8Array(21) }), 'DEPOSIT_TX_INVALID_FIELD')
    expectCode(() => encodeDepositTx({ ...ok, to: new Uint8Array(19) }), 'DEPOSIT_TX_INVALID_FIELD')
    expectCode(() => encodeDepositTx({ ...ok, gas: 1n << 64n }), 'DEPOSIT_TX_INVALID_FIELD')
    expectCode(() => encodeDepositTx({ ...ok, mint: 1n << 256n }), 'DEPOSIT_TX_INVALID_FIELD')
    expectCode(() => encodeDepositTx({ ...ok, value: -1n }), 'DEPOSIT_TX_INVALID_FIELD')
    expect(() => encodeDepositTx({ ...ok, gas: (1n << 64n) - 1n, mint: (1n << 256n) - 1n })).not.toThrow()
  })

  describe('strict decode', () => {
    const base = decodeDepositTx(hexToBytes(logVectors[2]!.expected_tx_eip2718))
    const fields = (): Uint8Array[] => [
      base.sourceHash,
      base.from,
      base.to!,
      new Uint8Array(0),
      hexToBytes('0x0718143ab000'),
      hexToBytes('0xc350'),
      new Uint8Array(0),
      base.data,
    ]
    const enc = (list: unknown[]) => concatBytes(new Uint8Array([0x7e]), RLP.encode(list as Uint8Array[]))
    const withField = (i: number, v: unknown) => {
      const f: unknown[] = fields()
      f[i] = v
      return enc(f)
    }

    it('accepts the well-formed base', () => {
      expect(decodeDepositTx(enc(fields()))).toEqual(base)
    })
    it('wrong type byte / empty input', () => {
      const raw = enc(fields())
      raw[0] = 0x02
      expectCode(() => decodeDepositTx(raw), 'DEPOSIT_TX_WRONG_TYPE')
      expectCode(() => decodeDepositTx(new Uint8Array(0)), 'DEPOSIT_TX_WRONG_TYPE')
    })
    it('payload not a list', () => {
      expectCode(
        () => decodeDepositTx(concatBytes(new Uint8Array([0x7e]), RLP.encode(new Uint8Array(5)))),
        'DEPOSIT_TX_NOT_LIST',
      )
    })
    it('bad RLP: trailing bytes, truncated, non-canonical', () => {
      const raw = enc(fields())
      expectCode(() => decodeDepositTx(concatBytes(raw, new Uint8Array([0]))), 'DEPOSIT_TX_BAD_RLP')
      expectCode(() => decodeDepositTx(raw.subarray(0, raw.length - 1)), 'DEPOSIT_TX_BAD_RLP')
      expectCode(() => decodeDepositTx(new Uint8Array([0x7e])), 'DEPOSIT_TX_BAD_RLP')
      // single byte 0x05 wrapped as 0x81 0x05 inside the list (data field)
      const f = fields().slice(0, 7)
      const inner = concatBytes(...f.map((x) => RLP.encode(x)), new Uint8Array([0x81, 0x05]))
      expectCode(
        () => decodeDepositTx(concatBytes(new Uint8Array([0x7e, 0xf8, inner.length]), inner)),
        'DEPOSIT_TX_BAD_RLP',
      )
      // long-form list length below 56: 0xf8 0x03 ...
      expectCode(() => decodeDepositTx(new Uint8Array([0x7e, 0xf8, 0x03, 0x80, 0x80, 0x80])), 'DEPOSIT_TX_BAD_RLP')
      // length-of-length with a leading zero
      expectCode(() => decodeDepositTx(new Uint8Array([0x7e, 0xf9, 0x00, 0x40])), 'DEPOSIT_TX_BAD_RLP')
    })
    it('field count', () => {
      expectCode(() => decodeDepositTx(enc(fields().slice(0, 7))), 'DEPOSIT_TX_FIELD_COUNT')
      expectCode(() => decodeDepositTx(enc([...fields(), new Uint8Array(0)])), 'DEPOSIT_TX_FIELD_COUNT')
    })
    it('nested list in a field', () => {
      expectCode(() => decodeDepositTx(withField(7, [new Uint8Array(1)])), 'DEPOSIT_TX_FIELD_NOT_STRING')
    })
    it('sourceHash, from, to sizes', () => {
      expectCode(() => decodeDepositTx(withField(0, new Uint8Array(31))), 'DEPOSIT_TX_BAD_SOURCE_HASH')
      expectCode(() => decodeDepositTx(withField(1, new Uint8Array(0))), 'DEPOSIT_TX_BAD_FROM')
      expectCode(() => decodeDepositTx(withField(2, new Uint8Array(21))), 'DEPOSIT_TX_BAD_TO')
      expect(decodeDepositTx(withField(2, new Uint8Array(0))).to).toBeUndefined()
    })
    it('non-canonical and oversized integers', () => {
      expectCode(() => decodeDepositTx(withField(3, hexToBytes('0x0001'))), 'DEPOSIT_TX_NON_CANONICAL_INT')
      expectCode(() => decodeDepositTx(withField(5, new Uint8Array([0]))), 'DEPOSIT_TX_NON_CANONICAL_INT')
      expectCode(() => decodeDepositTx(withField(5, hexToBytes('0x010000000000000000'))), 'DEPOSIT_TX_INT_OVERFLOW')
      expectCode(
        () => decodeDepositTx(withField(4, concatBytes(new Uint8Array([1]), new Uint8Array(32)))),
        'DEPOSIT_TX_INT_OVERFLOW',
      )
      expect(decodeDepositTx(withField(5, hexToBytes('0xffffffffffffffff'))).gas).toBe(2n ** 64n - 1n)
    })
    it('isSystemTx must be 0x80 or 0x01', () => {
      expect(decodeDepositTx(withField(6, new Uint8Array([1]))).isSystemTx).toBe(true)
      expectCode(() => decodeDepositTx(withField(6, new Uint8Array([2]))), 'DEPOSIT_TX_BAD_BOOL')
      expectCode(() => decodeDepositTx(withField(6, new Uint8Array([0]))), 'DEPOSIT_TX_BAD_BOOL')
      expectCode(() => decodeDepositTx(withField(6, new Uint8Array([1, 0]))), 'DEPOSIT_TX_BAD_BOOL')
    })
    it('decoded byte fields do not alias the input', () => {
      const raw = enc(fields())
      const tx = decodeDepositTx(raw)
      raw.fill(0xaa, 1)
      expect(tx).toEqual(base)
    })
  })
})
