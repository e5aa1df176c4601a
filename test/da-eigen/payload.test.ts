import { describe, expect, it } from 'vitest'
import { bytesToHex, concatBytes, hexToBytes, readU32BE } from '../../config/bytes.ts'
import {
  decodePayload,
  encodedPayloadSymbols,
  encodePayload,
  PayloadError,
  type PayloadErrorCode,
} from '../../da-eigen/index.ts'
import { rng } from '../helpers/random.ts'
import { v3Vectors } from './fixtures.ts'

function expectPayloadError(fn: () => unknown, code: PayloadErrorCode): PayloadError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(PayloadError)
    expect((err as PayloadError).code).toBe(code)
    return err as PayloadError
  }
  throw new Error(`expected PayloadError ${code}, nothing was thrown`)
}

// Reference sizes straight from eigenda.md §3.1: blob bytes = nextPow2(ceil(len/31)*32 + 32).
function referenceEncodedLength(len: number): number {
  const raw = Math.ceil(len / 31) * 32 + 32
  let p = 32
  while (p < raw) p *= 2
  return p
}

describe('real encoded payloads (hokulea Sepolia V3 vectors)', () => {
  it.each(v3Vectors().map((v) => [v.name, v] as const))('%s decodes and re-encodes byte for byte', (_, v) => {
    const encoded = hexToBytes(v.encoded_payload)
    const h = v.expected_encoded_payload_header
    expect(encoded.length).toBe(h.len_symbols * 32)
    expect(encoded[0]).toBe(h.byte0)
    expect(encoded[1]).toBe(h.payload_encoding_version)
    expect(readU32BE(encoded, 2)).toBe(h.payload_length)

    const payload = decodePayload(encoded)
    expect(bytesToHex(payload)).toBe(v.expected_decoded_payload)
    expect(payload.length).toBe(h.payload_length)
    expect(bytesToHex(encodePayload(payload))).toBe(v.encoded_payload)

    // the decoded payload is DerivationVersion0 ++ one OP frame
    const f = v.expected_payload_frame
    expect(payload[0]).toBe(f.derivation_version)
    expect(bytesToHex(payload.subarray(1, 17))).toBe(f.channel_id)
    expect((payload[17]! << 8) | payload[18]!).toBe(f.frame_number)
    expect(readU32BE(payload, 19)).toBe(f.frame_data_length)
    expect(payload.length).toBe(1 + 16 + 2 + 4 + f.frame_data_length + 1)
    expect(payload[payload.length - 1]).toBe(f.is_last)
  })

  it('the three vectors have the documented payload lengths', () => {
    expect(v3Vectors().map((v) => decodePayload(hexToBytes(v.encoded_payload)).length)).toEqual([145, 149, 157])
  })
})

describe('encodePayload / decodePayload round trip', () => {
  const r = rng(0xe16e4da)
  const sizes = new Set([0, 1, 2, 30, 31, 32, 61, 62, 63, 92, 93, 94, 145, 149, 157, 1000])
  // power-of-two boundaries: 1 + ceil(len/31) == 2^k is the largest length with 2^k symbols
  for (let k = 1; k <= 13; k++) {
    const edge = 31 * (2 ** k - 1)
    for (const d of [-1, 0, 1]) if (edge + d >= 0) sizes.add(edge + d)
  }

  it.each([...sizes].sort((a, b) => a - b))('%i bytes', (len) => {
    const data = r.bytes(len)
    const encoded = encodePayload(data)
    expect(encoded.length).toBe(referenceEncodedLength(len))
    expect(encoded.length).toBe(encodedPayloadSymbols(len) * 32)
    const symbols = encoded.length / 32
    expect(symbols & (symbols - 1)).toBe(0)
    // header
    expect(encoded[0]).toBe(0)
    expect(encoded[1]).toBe(0)
    expect(readU32BE(encoded, 2)).toBe(len)
    expect(encoded.subarray(6, 32).every((b) => b === 0)).toBe(true)
    // every symbol starts with 0x00 and carries the next 31 payload bytes
    for (let s = 1; s < symbols; s++) {
      expect(encoded[s * 32]).toBe(0)
      const chunk = data.subarray((s - 1) * 31, s * 31)
      expect(encoded.subarray(s * 32 + 1, s * 32 + 1 + chunk.length)).toEqual(chunk)
    }
    expect(decodePayload(encoded)).toEqual(data)
  })

  it('the symbol count steps at the power-of-two boundaries', () => {
    expect(encodedPayloadSymbols(0)).toBe(1)
    expect(encodedPayloadSymbols(1)).toBe(2)
    expect(encodedPayloadSymbols(31)).toBe(2)
    expect(encodedPayloadSymbols(32)).toBe(4)
    expect(encodedPayloadSymbols(93)).toBe(4)
    expect(encodedPayloadSymbols(94)).toBe(8)
    expect(encodedPayloadSymbols(217)).toBe(8)
    expect(encodedPayloadSymbols(218)).toBe(16)
  })

  it('the empty payload is the header alone', () => {
    expect(encodePayload(new Uint8Array(0))).toEqual(new Uint8Array(32))
    expect(decodePayload(new Uint8Array(32))).toEqual(new Uint8Array(0))
  })

  it('decodes from a subarray with a non-zero byte offset', () => {
    const encoded = hexToBytes(v3Vectors()[1]!.encoded_payload)
    const shifted = concatBytes(Uint8Array.of(0xff, 0xff, 0xff), encoded).subarray(3)
    expect(decodePayload(shifted)).toEqual(decodePayload(encoded))
  })
})

describe('decodePayload rejections', () => {
  const good = hexToBytes(v3Vectors()[0]!.encoded_payload) // 8 symbols, length 145
  const with_ = (f: (b: Uint8Array) => void): Uint8Array => {
    const b = good.slice()
    f(b)
    return b
  }
  const setLen = (b: Uint8Array, len: number) => new DataView(b.buffer, b.byteOffset).setUint32(2, len, false)

  it('the unmodified vector decodes (so each rejection below is caused by its mutation)', () => {
    expect(decodePayload(with_(() => {})).length).toBe(145)
  })

  it('a length that is not a power-of-two number of 32-byte symbols', () => {
    for (const n of [0, 1, 31, 33, 63, 96, 160, 224]) {
      expectPayloadError(() => decodePayload(new Uint8Array(n)), 'PAYLOAD_BAD_ENCODED_LENGTH')
    }
    expectPayloadError(() => decodePayload(good.subarray(0, 224)), 'PAYLOAD_BAD_ENCODED_LENGTH')
    expectPayloadError(() => decodePayload(concatBytes(good, new Uint8Array(32))), 'PAYLOAD_BAD_ENCODED_LENGTH')
  })

  it('a non-zero first header byte', () => {
    expectPayloadError(() => decodePayload(with_((b) => (b[0] = 1))), 'PAYLOAD_BAD_HEADER_PREFIX')
  })

  it('an unknown encoding version', () => {
    for (const v of [1, 2, 0xff]) {
      const err = expectPayloadError(() => decodePayload(with_((b) => (b[1] = v))), 'PAYLOAD_UNKNOWN_VERSION')
      expect(err.meta.version).toBe(v)
    }
  })

  it('non-zero header padding (bytes 6..31)', () => {
    for (const i of [6, 17, 31]) {
      const err = expectPayloadError(() => decodePayload(with_((b) => (b[i] = 1))), 'PAYLOAD_HEADER_PADDING_NONZERO')
      expect(err.meta.index).toBe(i)
    }
  })

  it('a body symbol whose first byte is not zero', () => {
    for (const s of [1, 5, 6, 7]) {
      // 145 bytes fill symbols 1..5; symbols 6 and 7 are the power-of-two zero fill
      const err = expectPayloadError(
        () => decodePayload(with_((b) => (b[s * 32] = 0x01))),
        'PAYLOAD_SYMBOL_PREFIX_NONZERO',
      )
      expect(err.meta.symbol).toBe(s)
    }
  })

  it('a length beyond the data', () => {
    // 8 symbols hold 7 * 31 = 217 payload bytes
    expect(decodePayload(with_((b) => setLen(b, 217))).length).toBe(217)
    for (const len of [218, 0xffff_ffff]) {
      const err = expectPayloadError(() => decodePayload(with_((b) => setLen(b, len))), 'PAYLOAD_LENGTH_EXCEEDS_DATA')
      expect(err.meta).toMatchObject({ length: len, capacity: 217 })
    }
    // a header alone holds no payload bytes
    const headerOnly = new Uint8Array(32)
    setLen(headerOnly, 1)
    expectPayloadError(() => decodePayload(headerOnly), 'PAYLOAD_LENGTH_EXCEEDS_DATA')
  })

  it('non-zero bytes after the payload length', () => {
    // 145 = 4 * 31 + 21: the payload ends at byte 21 of the 5th chunk (symbol 5)
    const firstPad = 5 * 32 + 1 + 21
    for (const at of [firstPad, 5 * 32 + 31, 6 * 32 + 1, 7 * 32 + 31]) {
      const err = expectPayloadError(() => decodePayload(with_((b) => (b[at] = 0x01))), 'PAYLOAD_PADDING_NONZERO')
      expect(err.meta.length).toBe(145)
    }
    // shortening the length exposes the last payload byte as padding (unless it happens to be zero)
    const last = 5 * 32 + 1 + 20
    expect(good[last]).not.toBe(0)
    expectPayloadError(() => decodePayload(with_((b) => setLen(b, 144))), 'PAYLOAD_PADDING_NONZERO')
  })

  it('encodePayload refuses payloads whose length does not fit 32 bits', () => {
    expectPayloadError(() => encodePayload({ length: 2 ** 32 } as Uint8Array), 'PAYLOAD_TOO_LARGE')
  })
})
