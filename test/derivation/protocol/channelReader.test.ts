import { constants, deflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import {
  type BatchData,
  decodeBatch,
  encodeBatch,
  encodeBatchForChannel,
  encodeChannelData,
  SINGULAR_BATCH_TYPE,
  SPAN_BATCH_TYPE,
} from '../../../derivation/protocol/batch.ts'
import { BatchError, ChannelReadError, UnknownBatchTypeError } from '../../../derivation/protocol/batchErrors.ts'
import { CHANNEL_VERSION_BROTLI, compressChannel } from '../../../derivation/protocol/channelCompression.ts'
import { decodeChannel, readChannelBatches, splitChannelBatches } from '../../../derivation/protocol/channelReader.ts'
import { parseFrames } from '../../../derivation/protocol/frame.ts'
import type { SingularBatch } from '../../../derivation/protocol/singularBatch.ts'
import { spanBatchFromSingularBatches } from '../../../derivation/protocol/spanBatch.ts'
import {
  ALL_TX_KINDS,
  concat,
  fixtureJson,
  fromHex,
  hex,
  opMainnetBatcherCalldata,
  opMainnetSpanChannel,
  Rng,
  randomSingularBatches,
} from './helpers.ts'

const rng = new Rng(71)

function singular(txs = 2): BatchData {
  const b = randomSingularBatches(rng, { blocks: 1, chainId: 10n, kinds: ALL_TX_KINDS, maxTxs: txs })[0]!
  return { type: SINGULAR_BATCH_TYPE, batch: b }
}

function span(): BatchData {
  const bs = randomSingularBatches(rng, { blocks: 4, chainId: 10n, kinds: ['dynamic-fee', 'legacy-protected'] })
  return { type: SPAN_BATCH_TYPE, batch: spanBatchFromSingularBatches(bs, 0, { genesisTimestamp: 0, l2ChainId: 10 }) }
}

function bigSingular(txBytes: number): BatchData {
  const b: SingularBatch = {
    parentHash: new Uint8Array(32),
    epochNum: 1n,
    epochHash: new Uint8Array(32),
    timestamp: 2n,
    transactions: [new Uint8Array(txBytes).fill(0x5a)],
  }
  return { type: SINGULAR_BATCH_TYPE, batch: b }
}

describe('channel reader: vectors', () => {
  it('reads the OP Mainnet batcher channel: one span batch, every byte consumed', () => {
    const ch = decodeChannel(parseFrames(opMainnetBatcherCalldata())[0]!.data, { isFjord: false })
    expect(ch.algo).toBe('zlib')
    expect(ch.decompressedLength).toBe(240_308)
    expect(ch.error).toBeUndefined()
    expect(ch.batches).toHaveLength(1)
    expect(ch.batches[0]!.type).toBe(SPAN_BATCH_TYPE)
  })

  it('reads the 143-block channel the same way before and after Fjord', () => {
    for (const isFjord of [false, true]) {
      const ch = decodeChannel(opMainnetSpanChannel(), { isFjord })
      expect(ch.decompressedLength).toBe(1_409_463)
      expect(ch.error).toBeUndefined()
      expect(ch.batches.map((b) => b.type)).toEqual([SPAN_BATCH_TYPE])
    }
  })

  it('reads the kona brotli batch channel as the singular batch described', () => {
    const v = fixtureJson<{
      cases: { compressed_hex: string; decoded_independently?: Record<string, unknown> }[]
    }>('batcher/brotli_vectors.json')
    const c = v.cases[1]!
    const e = c.decoded_independently as {
      parent_hash: string
      epoch_number: number
      epoch_hash: string
      timestamp: number
      tx_count: number
      tx_first_bytes: string[]
      rlp_string_payload_len: number
    }
    const ch = decodeChannel(concat(Uint8Array.of(CHANNEL_VERSION_BROTLI), fromHex(c.compressed_hex)), {
      isFjord: true,
    })
    expect(ch.algo).toBe('brotli')
    expect(ch.decompressedLength).toBe(12_506)
    expect(ch.error).toBeUndefined()
    expect(ch.batches).toHaveLength(1)
    const b = ch.batches[0]!
    if (b.type !== SINGULAR_BATCH_TYPE) throw new Error('expected a singular batch')
    expect(`0x${hex(b.batch.parentHash)}`).toBe(e.parent_hash)
    expect(b.batch.epochNum).toBe(BigInt(e.epoch_number))
    expect(b.batch.epochNum).toBe(3_920_048n)
    expect(`0x${hex(b.batch.epochHash)}`).toBe(e.epoch_hash)
    expect(b.batch.timestamp).toBe(1_986_837_747n)
    expect(b.batch.timestamp).toBe(BigInt(e.timestamp))
    expect(b.batch.transactions).toHaveLength(20)
    expect(b.batch.transactions.map((t) => hex(t.subarray(0, 1)))).toEqual(e.tx_first_bytes)
    expect(encodeBatch(b).length).toBe(e.rlp_string_payload_len)
  })
})

describe('channel reader: batches in channel data', () => {
  const batches = [singular(), span(), singular(0), span()]
  const data = encodeChannelData(batches)

  it('reads several batches of both types in order, and the same after compression', () => {
    const r = readChannelBatches(data)
    expect(r.error).toBeUndefined()
    expect(r.batches).toEqual(batches)
    for (const algo of ['zlib', 'brotli'] as const) {
      const ch = decodeChannel(compressChannel(data, algo), { isFjord: true })
      expect(ch.batches).toEqual(batches)
      expect(ch.error).toBeUndefined()
    }
    expect(hex(concat(...batches.map(encodeBatchForChannel)))).toBe(hex(data))
  })

  it('keeps batches that end within MAX_RLP_BYTES_PER_CHANNEL and stops at the first that does not', () => {
    const split = splitChannelBatches(data)
    const ends: number[] = []
    let end = 0
    for (const s of split.batches) {
      end = s.byteOffset - data.byteOffset + s.length
      ends.push(end)
    }
    expect(end).toBe(data.length)
    for (let k = 0; k < ends.length; k++) {
      const exact = readChannelBatches(data, ends[k]!)
      expect(exact.batches).toEqual(batches.slice(0, k + 1))
      if (k < ends.length - 1) {
        expect(exact.error?.reason).toBe('limit')
        const short = readChannelBatches(data, ends[k]! - 1)
        expect(short.batches).toEqual(batches.slice(0, k))
        expect(short.error).toBeInstanceOf(ChannelReadError)
        expect(short.error?.reason).toBe('limit')
      }
    }
  })

  it('applies the 10 MB limit before Fjord and the 100 MB limit from Fjord', () => {
    const channel = encodeChannelData([bigSingular(6_000_000), bigSingular(6_000_000)])
    expect(channel.length).toBeGreaterThan(10_000_000)
    const compressed = compressChannel(channel, 'zlib')
    const pre = decodeChannel(compressed, { isFjord: false })
    expect(pre.decompressedLength).toBe(10_000_000)
    expect(pre.batches).toHaveLength(1)
    expect(pre.error?.reason).toBe('limit')
    const post = decodeChannel(compressed, { isFjord: true })
    expect(post.batches).toHaveLength(2)
    expect(post.error).toBeUndefined()
  })

  it('stops at a truncated batch, keeping the ones before', () => {
    const split = splitChannelBatches(data)
    const secondEnd = split.batches[1]!.byteOffset - data.byteOffset + split.batches[1]!.length
    for (const cut of [secondEnd + 1, secondEnd + 3, data.length - 1]) {
      const r = readChannelBatches(data.subarray(0, cut))
      expect(r.batches.length).toBeGreaterThanOrEqual(2)
      expect(r.batches).toEqual(batches.slice(0, r.batches.length))
      expect(r.error?.reason).toBe('truncated')
    }
  })

  it('stops at garbage between items: a list, a non-canonical header, a wrapped single byte', () => {
    const first = encodeBatchForChannel(batches[0]!)
    const second = encodeBatchForChannel(batches[1]!)
    const cases: [string, ChannelReadError['reason']][] = [
      ['c0', 'expected-string'],
      ['c3010203', 'expected-string'],
      ['b801ff', 'rlp'],
      ['8105', 'rlp'],
    ]
    for (const [garbage, reason] of cases) {
      const r = readChannelBatches(concat(first, fromHex(garbage), second))
      expect(r.batches).toEqual([batches[0]])
      expect(r.error?.reason).toBe(reason)
    }
  })

  it('stops the channel at a batch that fails to decode (op-node decodes inside the RLP read)', () => {
    const unknown = encodeBatchForChannel(batches[0]!).slice()
    // Patch the version byte inside the RLP string: first byte after the string header.
    const hdr = unknown[0]! < 0xb8 ? 1 : 1 + (unknown[0]! - 0xb7)
    unknown[hdr] = 0x02
    const r = readChannelBatches(
      concat(encodeBatchForChannel(batches[1]!), unknown, encodeBatchForChannel(batches[2]!)),
    )
    expect(r.batches).toEqual([batches[1]])
    expect(r.error?.reason).toBe('batch')
    expect(r.error?.cause).toBeInstanceOf(UnknownBatchTypeError)
    // A single-byte string (RLP byte 0x00): an empty singular batch.
    const tiny = readChannelBatches(concat(encodeBatchForChannel(batches[1]!), fromHex('00')))
    expect(tiny.batches).toHaveLength(1)
    expect(tiny.error?.reason).toBe('batch')
    expect(tiny.error?.cause).toBeInstanceOf(BatchError)
  })

  it('returns the batches before a corrupt compressed block', () => {
    const a = encodeChannelData([batches[0]!, batches[1]!])
    const partA = deflateSync(a, { finishFlush: constants.Z_FULL_FLUSH })
    const ch = decodeChannel(concat(partA, Uint8Array.of(0x07), rng.bytes(64)), { isFjord: false })
    expect(ch.batches).toEqual([batches[0], batches[1]])
    expect(ch.decompressError).toMatch(/block type/)
  })

  it('reads an empty channel as no batches', () => {
    expect(readChannelBatches(new Uint8Array(0))).toEqual({ batches: [] })
    const ch = decodeChannel(compressChannel(new Uint8Array(0), 'zlib'), { isFjord: false })
    expect(ch.batches).toEqual([])
    expect(ch.error).toBeUndefined()
  })
})

describe('batch type dispatch', () => {
  it('decodes by version byte and round-trips both types', () => {
    for (const b of [singular(), span()]) {
      const enc = encodeBatch(b)
      expect(enc[0]).toBe(b.type)
      expect(decodeBatch(enc)).toEqual(b)
    }
  })

  it('rejects unknown batch types and empty input with typed errors', () => {
    for (const v of [2, 3, 0x7e, 0xff]) {
      let err: unknown
      try {
        decodeBatch(Uint8Array.of(v, 0xc0))
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(UnknownBatchTypeError)
      expect((err as UnknownBatchTypeError).batchType).toBe(v)
      expect((err as UnknownBatchTypeError).code).toBe('BATCH_UNKNOWN_TYPE')
      expect((err as UnknownBatchTypeError).reason).toBe('unknown-batch-type')
    }
    expect(() => decodeBatch(new Uint8Array(0))).toThrow(BatchError)
  })
})
