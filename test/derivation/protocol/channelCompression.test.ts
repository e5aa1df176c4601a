import { brotliCompressSync, constants, deflateRawSync, deflateSync, inflateRawSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { ChannelCompressionError } from '../../../derivation/protocol/batchErrors.ts'
import {
  CHANNEL_VERSION_BROTLI,
  compressBrotli,
  compressChannel,
  compressZlib,
  decompressChannel,
  detectCompression,
  MAX_RLP_BYTES_PER_CHANNEL_BEDROCK,
  MAX_RLP_BYTES_PER_CHANNEL_FJORD,
  maxRlpBytesPerChannel,
  zlibBody,
} from '../../../derivation/protocol/channelCompression.ts'
import { parseFrames } from '../../../derivation/protocol/frame.ts'
import { inflateRaw } from '../../../derivation/protocol/inflate.ts'
import { concat, fixtureJson, fromHex, hex, opMainnetBatcherCalldata, opMainnetSpanChannel, Rng } from './helpers.ts'

function reason(f: () => unknown): string {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(ChannelCompressionError)
    return (e as ChannelCompressionError).reason
  }
  return 'ok'
}

/** Compressible pseudo-text: words from a small vocabulary plus random bytes. */
function sampleData(rng: Rng, n: number): Uint8Array {
  const words = ['batch', 'frame', 'channel', 'span', 'rollup', 'op', 'stack', '0x00000000', '\n']
  const out = new Uint8Array(n)
  let i = 0
  while (i < n) {
    if (rng.int(10) === 0) out[i++] = rng.u32() & 0xff
    else {
      const w = words[rng.int(words.length)]!
      for (let k = 0; k < w.length && i < n; k++) out[i++] = w.charCodeAt(k)
    }
  }
  return out
}

function eq(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0
}

describe('channel compression: algorithm detection', () => {
  it('detects zlib by CM 8 or 15 and brotli by 0x01 only from Fjord', () => {
    for (const c of [0x78, 0x08, 0x48, 0x0f, 0x1f, 0xff, 0xf8]) {
      expect(detectCompression(Uint8Array.of(c), false)).toBe('zlib')
    }
    expect(detectCompression(Uint8Array.of(CHANNEL_VERSION_BROTLI), true)).toBe('brotli')
    expect(reason(() => detectCompression(Uint8Array.of(0x01), false))).toBe('brotli-before-fjord')
    for (const c of [0x00, 0x02, 0x10, 0x7e, 0x81]) {
      expect(reason(() => detectCompression(Uint8Array.of(c), true))).toBe('unknown-algorithm')
    }
    expect(reason(() => detectCompression(new Uint8Array(0), true))).toBe('empty')
    expect(reason(() => decompressChannel(new Uint8Array(0), { isFjord: true }))).toBe('empty')
  })

  it('validates the zlib header like Go zlib.NewReader', () => {
    expect(zlibBody(fromHex('78da01')).length).toBe(1)
    expect(reason(() => zlibBody(fromHex('78')))).toBe('zlib-header')
    expect(reason(() => zlibBody(fromHex('0f00')))).toBe('zlib-header') // CM 15 passes detection, not the header
    expect(reason(() => zlibBody(fromHex('8800')))).toBe('zlib-header') // CINFO 8
    expect(reason(() => zlibBody(fromHex('78db')))).toBe('zlib-header') // FCHECK
    expect(reason(() => zlibBody(fromHex('78bb')))).toBe('zlib-dictionary') // FDICT set, valid FCHECK
    expect(reason(() => decompressChannel(fromHex('0f00'), { isFjord: false }))).toBe('zlib-header')
  })

  it('uses the fork-dependent MAX_RLP_BYTES_PER_CHANNEL', () => {
    expect(maxRlpBytesPerChannel(false)).toBe(MAX_RLP_BYTES_PER_CHANNEL_BEDROCK)
    expect(maxRlpBytesPerChannel(true)).toBe(MAX_RLP_BYTES_PER_CHANNEL_FJORD)
    expect(MAX_RLP_BYTES_PER_CHANNEL_BEDROCK).toBe(10_000_000)
    expect(MAX_RLP_BYTES_PER_CHANNEL_FJORD).toBe(100_000_000)
  })
})

describe('channel compression: vectors', () => {
  it('decompresses the unterminated zlib channel of the OP Mainnet batcher tx to 240,308 bytes', () => {
    const channel = parseFrames(opMainnetBatcherCalldata())[0]!.data
    expect(channel[0]).toBe(0x78)
    const d = decompressChannel(channel, { isFjord: false })
    expect(d.algo).toBe('zlib')
    expect(d.data.length).toBe(240_308)
    expect(d.error).toBeUndefined()
    expect(d.atLimit).toBe(false)
    // The stream ends on a sync flush: no final block, no Adler-32.
    expect(hex(channel.subarray(channel.length - 4))).toBe('0000ffff')
    const exact = inflateRaw(zlibBody(channel), MAX_RLP_BYTES_PER_CHANNEL_BEDROCK)
    expect(exact.status).toBe('truncated')
    expect(eq(exact.output, d.data)).toBe(true)
  })

  it('decompresses the complete 143-block channel to 1,409,463 bytes', () => {
    const channel = opMainnetSpanChannel()
    expect(channel.length).toBe(615_361)
    const d = decompressChannel(channel, { isFjord: false })
    expect(d.data.length).toBe(1_409_463)
    const exact = inflateRaw(zlibBody(channel), MAX_RLP_BYTES_PER_CHANNEL_FJORD)
    expect(exact.status).toBe('end')
    expect(eq(exact.output, d.data)).toBe(true)
  })

  it('decompresses both kona brotli streams (with the 0x01 channel version byte)', () => {
    const v = fixtureJson<{ cases: { compressed_hex: string; expected_decompressed_hex: string }[] }>(
      'batcher/brotli_vectors.json',
    )
    expect(v.cases).toHaveLength(2)
    for (const c of v.cases) {
      const channel = concat(Uint8Array.of(CHANNEL_VERSION_BROTLI), fromHex(c.compressed_hex))
      const d = decompressChannel(channel, { isFjord: true })
      expect(d.algo).toBe('brotli')
      expect(hex(d.data)).toBe(hex(fromHex(c.expected_decompressed_hex)))
      expect(reason(() => decompressChannel(channel, { isFjord: false }))).toBe('brotli-before-fjord')
    }
    expect(fromHex(v.cases[1]!.expected_decompressed_hex).length).toBe(12_506)
  })
})

describe('channel compression: round trips and limits', () => {
  const rng = new Rng(41)
  const inputs = [new Uint8Array(0), Uint8Array.of(7), sampleData(rng, 1000), rng.bytes(5000), sampleData(rng, 200_000)]

  it('compress -> decompress for zlib and brotli', () => {
    for (const data of inputs) {
      for (const algo of ['zlib', 'brotli'] as const) {
        const c = compressChannel(data, algo)
        expect(detectCompression(c, true)).toBe(algo)
        const d = decompressChannel(c, { isFjord: true })
        expect(d.algo).toBe(algo)
        expect(eq(d.data, data)).toBe(true)
      }
      for (const level of [0, 1, 6, 9]) {
        expect(eq(decompressChannel(compressZlib(data, level), { isFjord: false }).data, data)).toBe(true)
      }
      for (const q of [0, 5, 11]) {
        expect(eq(decompressChannel(compressBrotli(data, q), { isFjord: true }).data, data)).toBe(true)
      }
    }
    expect(compressZlib(inputs[2]!)[0]).toBe(0x78)
    expect(compressBrotli(inputs[2]!)[0]).toBe(0x01)
  })

  it('tolerates unterminated zlib streams (sync flush, no final block, no Adler-32)', () => {
    const data = inputs[4]!
    const unterminated = deflateSync(data, { finishFlush: constants.Z_SYNC_FLUSH })
    expect(hex(unterminated.subarray(unterminated.length - 4))).toBe('0000ffff')
    const d = decompressChannel(unterminated, { isFjord: false })
    expect(eq(d.data, data)).toBe(true)
    // And a stream cut in the middle yields a prefix of the data.
    const cut = decompressChannel(unterminated.subarray(0, unterminated.length >> 1), { isFjord: false })
    expect(cut.data.length).toBeGreaterThan(0)
    expect(eq(cut.data, data.subarray(0, cut.data.length))).toBe(true)
  })

  it('ignores a wrong Adler-32 and bytes after the final block (Go reads all data first)', () => {
    const data = inputs[2]!
    const z = compressZlib(data)
    const badAdler = z.slice()
    badAdler[badAdler.length - 1] = badAdler[badAdler.length - 1]! ^ 0xff
    expect(eq(decompressChannel(badAdler, { isFjord: false }).data, data)).toBe(true)
    expect(eq(decompressChannel(concat(z, fromHex('deadbeef')), { isFjord: false }).data, data)).toBe(true)
  })

  it('caps output at maxBytes and returns exactly the first maxBytes bytes', () => {
    const data = inputs[4]!
    for (const algo of ['zlib', 'brotli'] as const) {
      const c = compressChannel(data, algo)
      for (const maxBytes of [0, 1, 12_345, 65_536, data.length - 1]) {
        const d = decompressChannel(c, { isFjord: true, maxBytes })
        expect(d.data.length).toBe(maxBytes)
        expect(d.atLimit).toBe(true)
        expect(eq(d.data, data.subarray(0, maxBytes))).toBe(true)
        expect(d.error).toBeUndefined()
      }
      const exact = decompressChannel(c, { isFjord: true, maxBytes: data.length })
      expect(eq(exact.data, data)).toBe(true)
    }
  })

  it('keeps what was decoded before a corrupt zlib block', () => {
    const a = sampleData(rng, 30_000)
    // Part A ends on a full flush (byte aligned); then a block header with the reserved type 3.
    const partA = deflateSync(a, { finishFlush: constants.Z_FULL_FLUSH })
    const corrupt = concat(partA, Uint8Array.of(0x07), rng.bytes(100))
    const d = decompressChannel(corrupt, { isFjord: false })
    expect(eq(d.data, a)).toBe(true)
    expect(d.error).toMatch(/block type/)
  })

  it('keeps what was decoded before a corrupt brotli meta-block', () => {
    const a = sampleData(rng, 30_000)
    // Part A ends on a flush (byte aligned, not last); then a meta-block header with the reserved bit set.
    const partA = brotliCompressSync(a, { finishFlush: constants.BROTLI_OPERATION_FLUSH })
    const corrupt = concat(Uint8Array.of(1), partA, Uint8Array.of(0x0e), rng.bytes(50))
    const d = decompressChannel(corrupt, { isFjord: true })
    expect(eq(d.data, a)).toBe(true)
    expect(d.error).toBeDefined()
  })

  it('never throws on randomly corrupted or truncated brotli streams', () => {
    const data = inputs[4]!
    const body = brotliCompressSync(data)
    for (let i = 0; i < 20; i++) {
      const bad = new Uint8Array(body)
      const at = rng.int(bad.length)
      bad[at] = bad[at]! ^ (1 + rng.int(255))
      const d = decompressChannel(concat(Uint8Array.of(1), bad), { isFjord: true })
      expect(d.data.length).toBeLessThanOrEqual(MAX_RLP_BYTES_PER_CHANNEL_FJORD)
    }
    const cut = decompressChannel(concat(Uint8Array.of(1), body.subarray(0, body.length >> 1)), { isFjord: true })
    expect(cut.data.length).toBeGreaterThan(0)
    expect(eq(cut.data, data.subarray(0, cut.data.length))).toBe(true)
  })
})

describe('inflateRaw (exact fallback decoder)', () => {
  const rng = new Rng(42)
  const strategies = [
    constants.Z_DEFAULT_STRATEGY,
    constants.Z_FILTERED,
    constants.Z_HUFFMAN_ONLY,
    constants.Z_RLE,
    constants.Z_FIXED,
  ]

  it('matches native zlib on streams of every block type, strategy, level and window size', () => {
    for (let i = 0; i < 60; i++) {
      const data = rng.int(3) === 0 ? rng.bytes(rng.int(70_000)) : sampleData(rng, rng.int(150_000))
      const raw = deflateRawSync(data, {
        level: rng.int(10),
        strategy: strategies[rng.int(strategies.length)]!,
        windowBits: 9 + rng.int(7),
        memLevel: 1 + rng.int(9),
      })
      const r = inflateRaw(raw, 1 << 30)
      expect(r.status).toBe('end')
      expect(eq(r.output, data)).toBe(true)

      // Truncated prefixes: every complete symbol, exactly as native zlib with a sync flush.
      for (let k = 0; k < 4; k++) {
        const cut = raw.subarray(0, rng.int(raw.length))
        const t = inflateRaw(cut, 1 << 30)
        expect(t.status === 'truncated' || (t.status === 'end' && cut.length === raw.length)).toBe(true)
        const native = inflateRawSync(cut, { finishFlush: constants.Z_SYNC_FLUSH })
        expect(eq(t.output, native)).toBe(true)
      }

      // Output limit: the first maxOutput bytes.
      if (data.length > 0) {
        const lim = rng.int(data.length)
        const l = inflateRaw(raw, lim)
        expect(l.status).toBe('limit')
        expect(eq(l.output, data.subarray(0, lim))).toBe(true)
      }
    }
  })

  it('agrees with native zlib on random garbage whenever native accepts it, and never throws', () => {
    let accepted = 0
    for (let i = 0; i < 3000; i++) {
      const input = rng.bytes(1 + rng.int(64))
      const r = inflateRaw(input, 1 << 20)
      let native: Buffer | undefined
      try {
        native = inflateRawSync(input, { finishFlush: constants.Z_SYNC_FLUSH })
      } catch {
        native = undefined
      }
      if (native !== undefined) {
        accepted++
        expect(r.status === 'error').toBe(false)
        expect(eq(r.output, native)).toBe(true)
      }
    }
    expect(accepted).toBeGreaterThan(100)
  })

  it('reports Go-style corruption', () => {
    expect(inflateRaw(Uint8Array.of(0x07), 100)).toMatchObject({ status: 'error', error: 'invalid block type 3' })
    // stored block with LEN/NLEN mismatch
    expect(inflateRaw(fromHex('010100fffe'), 100).status).toBe('error')
    // fixed block referencing a distance before the start of the output
    const far = deflateRawSync(sampleData(rng, 1000), { strategy: constants.Z_FIXED })
    expect(inflateRaw(far, 1 << 20).status).toBe('end')
    expect(inflateRaw(fromHex('0300'), 10)).toMatchObject({ status: 'end' }) // empty fixed final block
  })
})
