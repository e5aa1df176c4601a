import { bigIntToBytes as ejsBigIntToBytes, bytesToBigInt as ejsBytesToBigInt } from '@ethereumjs/util'
import { describe, expect, it } from 'vitest'
import {
  BytesError,
  bigIntToMinimalBytes,
  bytesToBigInt,
  bytesToHex,
  hexToBytes,
  readU64BE,
  uintToBytes,
  writeUintBE,
} from '../../config/bytes.ts'
import { rng } from '../helpers/random.ts'

describe('config/bytes', () => {
  it('hex round-trips and rejects bad input', () => {
    expect(bytesToHex(hexToBytes('0xDeadBEEF00'))).toBe('0xdeadbeef00')
    expect(hexToBytes('0102')).toEqual(new Uint8Array([1, 2]))
    expect(hexToBytes('0x')).toEqual(new Uint8Array(0))
    expect(() => hexToBytes('0x123')).toThrow(BytesError)
    expect(() => hexToBytes('0xzz')).toThrow(BytesError)
  })

  it('integer conversions agree with @ethereumjs/util on random values of every width', () => {
    const r = rng(3)
    for (let i = 0; i < 2000; i++) {
      const len = r.int(40)
      const b = r.bytes(len)
      expect(bytesToBigInt(b)).toBe(len === 0 ? 0n : ejsBytesToBigInt(b))
      const v = r.bigint(256)
      const minimal = bigIntToMinimalBytes(v)
      expect(minimal).toEqual(v === 0n ? new Uint8Array(0) : ejsBigIntToBytes(v))
      expect(bytesToBigInt(uintToBytes(v, 32))).toBe(v)
    }
    expect(bytesToBigInt(new Uint8Array([0, 0, 1, 2, 3, 4, 5, 6, 7]), 2, 9)).toBe(0x01020304050607n)
    expect(readU64BE(hexToBytes('0xffffffffffffffff'), 0)).toBe(2n ** 64n - 1n)
  })

  it('writeUintBE refuses values that do not fit', () => {
    expect(() => uintToBytes(256n, 1)).toThrow(expect.objectContaining({ code: 'BYTES_INT_RANGE' }))
    expect(() => uintToBytes(1n << 64n, 8)).toThrow(expect.objectContaining({ code: 'BYTES_INT_RANGE' }))
    expect(() => uintToBytes(-1n, 8)).toThrow(expect.objectContaining({ code: 'BYTES_INT_RANGE' }))
    const out = new Uint8Array(6).fill(0xee)
    writeUintBE(out, 1, 4, 0x0102n)
    expect(Array.from(out)).toEqual([0xee, 0, 0, 1, 2, 0xee])
    expect(uintToBytes(2n ** 64n - 1n, 8)).toEqual(new Uint8Array(8).fill(0xff))
  })
})
