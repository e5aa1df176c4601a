import { describe, expect, it } from 'vitest'
import {
  BLOB_SIZE,
  BlobError,
  BlobExtraneousDataError,
  BlobExtraneousDataFieldElementError,
  BlobInputTooLargeError,
  BlobInvalidEncodingVersionError,
  BlobInvalidFieldElementError,
  BlobInvalidLengthError,
  BlobInvalidSizeError,
  decodeBlob,
  encodeBlob,
  MAX_BLOB_DATA_SIZE,
} from '../../../derivation/protocol/blob.ts'
import { fixtureJson, fromHex, hex, Rng } from './helpers.ts'

interface BlobVectors {
  decode: {
    blob_prefix_hex: string
    expected_output_hex?: string
    expected_output?: { zero_bytes: number }
    expected_error?: string
  }[]
  encode: {
    input?: { zero_bytes: number }
    input_hex?: string
    expected_blob_prefix_hex?: string
    expected_error?: string
  }[]
}

const vectors = fixtureJson<BlobVectors>('blob/blob_codec_vectors.json')

function blobWithPrefix(prefixHex: string): Uint8Array {
  const blob = new Uint8Array(BLOB_SIZE)
  blob.set(fromHex(prefixHex))
  return blob
}

function errorName(f: () => unknown): string {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(BlobError)
    return (e as BlobError).refName
  }
  return 'ok'
}

describe('blob codec v0: op-service/eth/blob_test.go vectors', () => {
  it.each(vectors.decode.map((v, i) => [i, v] as const))('decode case %i', (_i, v) => {
    const blob = blobWithPrefix(v.blob_prefix_hex)
    if (v.expected_error) {
      expect(errorName(() => decodeBlob(blob))).toBe(v.expected_error)
      return
    }
    const out = decodeBlob(blob)
    if (v.expected_output) {
      expect(out.length).toBe(v.expected_output.zero_bytes)
      expect(out.every((b) => b === 0)).toBe(true)
    } else {
      expect(`0x${hex(out)}`).toBe(v.expected_output_hex)
    }
  })

  it.each(vectors.encode.map((v, i) => [i, v] as const))('encode case %i', (_i, v) => {
    const input = v.input ? new Uint8Array(v.input.zero_bytes) : fromHex(v.input_hex!)
    if (v.expected_error) {
      expect(errorName(() => encodeBlob(input))).toBe(v.expected_error)
      return
    }
    const blob = encodeBlob(input)
    expect(blob.length).toBe(BLOB_SIZE)
    const prefix = fromHex(v.expected_blob_prefix_hex!)
    expect(hex(blob.subarray(0, prefix.length))).toBe(hex(prefix))
    expect(blob.subarray(prefix.length).every((b) => b === 0)).toBe(true)
    expect(hex(decodeBlob(blob))).toBe(hex(input))
  })
})

describe('blob codec v0: round trips', () => {
  it('round-trips random data at boundary lengths 0..130044', () => {
    const rng = new Rng(31)
    const lengths = new Set<number>([0, 1, 2, 26, 27, 28, 30, 31, 32, 58, 59, 60, 122, 123, 124, 126, 127, 128])
    for (const base of [250, 254, 1000, 4096, 65536, MAX_BLOB_DATA_SIZE]) {
      for (let d = -3; d <= 3; d++) if (base + d >= 0 && base + d <= MAX_BLOB_DATA_SIZE) lengths.add(base + d)
    }
    for (let k = 1; k <= 1024; k *= 2) {
      const roundEnd = 127 * k - 4 // data bytes filling exactly k rounds
      for (const l of [roundEnd - 1, roundEnd, roundEnd + 1]) if (l >= 0 && l <= MAX_BLOB_DATA_SIZE) lengths.add(l)
    }
    for (let i = 0; i < 20; i++) lengths.add(rng.int(MAX_BLOB_DATA_SIZE + 1))
    for (const len of lengths) {
      const data = rng.bytes(len)
      const blob = encodeBlob(data)
      expect(blob.length).toBe(BLOB_SIZE)
      let topBits = 0
      for (let fe = 0; fe < 4096; fe++) topBits |= blob[fe * 32]! & 0xc0
      expect(topBits).toBe(0)
      expect(Buffer.compare(decodeBlob(blob), data)).toBe(0)
    }
  })

  it('round-trips all-0xff data (every 6-bit chunk set)', () => {
    for (const len of [27, 28, 127, 1000, MAX_BLOB_DATA_SIZE]) {
      const data = new Uint8Array(len).fill(0xff)
      expect(hex(decodeBlob(encodeBlob(data)))).toBe(hex(data))
    }
  })
})

describe('blob codec v0: every invalidity rule has its own error', () => {
  const data = new Rng(32).bytes(1000)
  const good = encodeBlob(data)

  it('wrong blob size', () => {
    expect(() => decodeBlob(good.subarray(1))).toThrow(BlobInvalidSizeError)
  })

  it('encoding version not 0', () => {
    const b = good.slice()
    b[1] = 1
    expect(() => decodeBlob(b)).toThrow(BlobInvalidEncodingVersionError)
  })

  it('length above MaxBlobDataSize', () => {
    const b = good.slice()
    b[2] = 0xff
    expect(() => decodeBlob(b)).toThrow(BlobInvalidLengthError)
  })

  it('a field element with a top bit set (within and after the data)', () => {
    for (const fe of [1, 2, 3, 4, 7, 30, 4095]) {
      for (const bit of [0x40, 0x80]) {
        const b = good.slice()
        b[fe * 32] = b[fe * 32]! | bit
        // inside the decoded rounds: invalid field element; past them: extraneous data
        const expected = fe < 32 ? BlobInvalidFieldElementError : BlobExtraneousDataError
        expect(() => decodeBlob(b)).toThrow(expected)
      }
    }
  })

  it('a non-zero decoded byte past the length within the last round', () => {
    // 1000 data bytes + 4 header bytes end in round 7 (bytes 889..1015): set data byte 1005.
    const b = good.slice()
    const round = 7
    b[round * 128 + 97 + 20] = 1 // a low byte of field element 3 of the last round, past the data
    expect(() => decodeBlob(b)).toThrow(BlobExtraneousDataFieldElementError)
  })

  it('a non-zero blob byte after the last decoded round', () => {
    const b = good.slice()
    b[BLOB_SIZE - 1] = 1
    expect(() => decodeBlob(b)).toThrow(BlobExtraneousDataError)
    const c = good.slice()
    c[8 * 128 + 5] = 1
    expect(() => decodeBlob(c)).toThrow(BlobExtraneousDataError)
  })

  it('input too large to encode', () => {
    expect(() => encodeBlob(new Uint8Array(MAX_BLOB_DATA_SIZE + 1))).toThrow(BlobInputTooLargeError)
  })

  it('masks (does not check) the top bits of field element 0, like op-node and kona', () => {
    // Spec prose says every field element; both reference decoders copy blob[0] unchecked. Bits 6..7 of
    // blob[0] are dropped, so the data still decodes.
    const b = good.slice()
    b[0] = b[0]! | 0x40
    expect(hex(decodeBlob(b))).toBe(hex(data))
  })

  it('errors are NodeErrors with distinct codes', () => {
    const codes = new Set(
      [
        new BlobInvalidFieldElementError(0),
        new BlobInvalidEncodingVersionError(1),
        new BlobInvalidLengthError(1),
        new BlobInputTooLargeError(1),
        new BlobExtraneousDataError(1),
        new BlobExtraneousDataFieldElementError(1),
        new BlobInvalidSizeError(1),
      ].map((e) => e.code),
    )
    expect(codes.size).toBe(7)
  })
})
