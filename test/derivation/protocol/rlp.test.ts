import { RLP } from '@ethereumjs/rlp'
import { describe, expect, it } from 'vitest'
import { RlpError, type SpanBatchError } from '../../../derivation/protocol/batchErrors.ts'
import {
  bytesToBigInt,
  encodeRlpBytes,
  encodeRlpList,
  encodeRlpUint,
  newRlpItem,
  RlpListCursor,
  readRlpHeader,
  readRlpList,
  rlpBytes,
  rlpFixedBytes,
  rlpUint64,
  rlpUintBytes,
} from '../../../derivation/protocol/rlp.ts'
import { ByteCursor, uvarintLength, writeUvarint } from '../../../derivation/protocol/varint.ts'
import { fromHex, hex, Rng } from './helpers.ts'

function rlpReason(f: () => unknown): string {
  try {
    f()
  } catch (e) {
    if (e instanceof RlpError) return e.reason
    throw e
  }
  return 'ok'
}

function item(h: string) {
  const b = fromHex(h)
  return { b, it: readRlpHeader(b, 0, b.length, false, newRlpItem()) }
}

describe('rlp: geth-compatible decoding rules', () => {
  it('parses strings, single bytes and lists', () => {
    const { b, it } = item('83010203')
    expect(hex(rlpBytes(b, it))).toBe('010203')
    const one = item('7f')
    expect(hex(rlpBytes(one.b, one.it))).toBe('7f')
    const list = fromHex('c3010203')
    const l = readRlpList(list, 0, list.length)
    const c = new RlpListCursor(list, l)
    const got: number[] = []
    while (c.hasNext()) got.push(Number(rlpUint64(list, c.next())))
    expect(got).toEqual([1, 2, 3])
  })

  it('rejects non-canonical sizes and integers', () => {
    expect(rlpReason(() => item('b801ff'))).toBe('non-canonical-size') // long form for < 56
    expect(rlpReason(() => item(`b90038${'00'.repeat(56)}`))).toBe('non-canonical-size') // leading zero in size
    const wrapped = item('817f') // single byte < 0x80 wrapped
    expect(rlpReason(() => rlpBytes(wrapped.b, wrapped.it))).toBe('non-canonical-size')
    expect(rlpReason(() => rlpUintBytes(wrapped.b, wrapped.it, 8))).toBe('non-canonical-size')
    const zero = item('00')
    expect(rlpReason(() => rlpUint64(zero.b, zero.it))).toBe('non-canonical-int')
    const lead = item('820001')
    expect(rlpReason(() => rlpUint64(lead.b, lead.it))).toBe('non-canonical-int')
    const wide = item('89010000000000000000')
    expect(rlpReason(() => rlpUint64(wide.b, wide.it))).toBe('uint-overflow')
    const big = item('89010000000000000000')
    expect(bytesToBigInt(rlpUintBytes(big.b, big.it, Number.POSITIVE_INFINITY))).toBe(1n << 64n)
  })

  it('checks fixed-size arrays, element bounds and struct element counts', () => {
    const s = item('8401020304')
    expect(rlpReason(() => rlpFixedBytes(s.b, s.it, 20))).toBe('wrong-length')
    expect(rlpReason(() => item('8401020304'.slice(0, 6)))).toBe('value-too-large')
    const bad = fromHex('c38301')
    expect(rlpReason(() => readRlpList(bad, 0, bad.length))).toBe('value-too-large')
    const inner = fromHex('c2830102')
    const l = readRlpList(inner, 0, inner.length)
    expect(rlpReason(() => new RlpListCursor(inner, l).next())).toBe('element-too-large')
    const two = fromHex('c20102')
    const c = new RlpListCursor(two, readRlpList(two, 0, two.length))
    c.next()
    expect(rlpReason(() => c.finish())).toBe('too-many-elements')
    c.next()
    expect(rlpReason(() => c.next())).toBe('too-few-elements')
    const str = item('8401020304')
    expect(rlpReason(() => new RlpListCursor(str.b, str.it))).toBe('expected-list')
  })

  it('encodes like @ethereumjs/rlp', () => {
    const rng = new Rng(11)
    for (let i = 0; i < 200; i++) {
      const b = rng.bytes(rng.int(3) === 0 ? rng.int(2) : rng.int(2000))
      expect(hex(encodeRlpBytes(b))).toBe(hex(RLP.encode(b)))
      const v = rng.u256()
      expect(hex(encodeRlpUint(v))).toBe(hex(RLP.encode(v)))
    }
    expect(hex(encodeRlpUint(0))).toBe('80')
    expect(hex(encodeRlpUint(127))).toBe('7f')
    expect(hex(encodeRlpUint(128))).toBe('8180')
    const items = [encodeRlpBytes(fromHex('0102')), encodeRlpUint(5n)]
    expect(hex(encodeRlpList(items))).toBe(hex(RLP.encode([fromHex('0102'), 5n])))
    const long = Array.from({ length: 30 }, () => encodeRlpBytes(rng.bytes(10)))
    expect(encodeRlpList(long)[0]).toBe(0xf9)
  })
})

describe('uvarint (Go binary.ReadUvarint semantics)', () => {
  it('round-trips u64 values of every width', () => {
    const rng = new Rng(12)
    const values = [0n, 1n, 127n, 128n, 300n, (1n << 49n) - 1n, 1n << 49n, (1n << 53n) + 1n, (1n << 64n) - 1n]
    for (let i = 0; i < 200; i++) values.push(rng.u64())
    for (const v of values) {
      const out = new Uint8Array(10)
      const n = writeUvarint(out, 0, v)
      expect(n).toBe(uvarintLength(v))
      const c = new ByteCursor(out.subarray(0, n))
      expect(c.uvarint('v')).toBe(v)
      expect(c.pos).toBe(n)
      if (v <= BigInt(Number.MAX_SAFE_INTEGER)) {
        expect(new ByteCursor(out.subarray(0, n)).uvarintNumber('v')).toBe(Number(v))
      }
    }
  })

  it('accepts non-minimal encodings and rejects overflow and truncation', () => {
    expect(new ByteCursor(fromHex('8000')).uvarint('v')).toBe(0n)
    expect(new ByteCursor(fromHex('ffffffffffffffffff01')).uvarint('v')).toBe((1n << 64n) - 1n)
    const reason = (h: string) => {
      try {
        new ByteCursor(fromHex(h)).uvarint('v')
      } catch (e) {
        return (e as SpanBatchError).reason
      }
      return 'ok'
    }
    expect(reason('ffffffffffffffffff02')).toBe('varint-overflow')
    expect(reason('ffffffffffffffffffff01')).toBe('varint-overflow')
    expect(reason('ff')).toBe('truncated')
    expect(reason('')).toBe('truncated')
  })
})
