import { RLP } from '@ethereumjs/rlp'
import { createTxFromRLP } from '@ethereumjs/tx'
import { describe, expect, it } from 'vitest'
import { type BatchData, decodeBatch, encodeBatch } from '../../../derivation/protocol/batch.ts'
import { SpanBatchError } from '../../../derivation/protocol/batchErrors.ts'
import { decompressChannel } from '../../../derivation/protocol/channelCompression.ts'
import { splitChannelBatches } from '../../../derivation/protocol/channelReader.ts'
import { parseFrames } from '../../../derivation/protocol/frame.ts'
import type { SingularBatch } from '../../../derivation/protocol/singularBatch.ts'
import {
  bitlistFromFlags,
  decodeRawSpanBatch,
  deriveSpanBatch,
  encodeRawSpanBatch,
  getBit,
  MAX_SPAN_BATCH_ELEMENT_COUNT,
  popcount,
  type RawSpanBatch,
  SpanBatchBuilder,
  spanBatchBlockOrigins,
  spanBatchBlockTimestamp,
  spanBatchFromSingularBatches,
  spanBatchStartEpochNum,
} from '../../../derivation/protocol/spanBatch.ts'
import { uvarintLength, writeUvarint } from '../../../derivation/protocol/varint.ts'
import {
  ALL_TX_KINDS,
  commonFor,
  concat,
  fixture,
  fixtureJson,
  fromHex,
  hex,
  OP_MAINNET,
  opMainnetBatcherCalldata,
  opMainnetSpanChannel,
  Rng,
  randomSignedTx,
  randomSingularBatches,
} from './helpers.ts'

interface ExpectedSpan {
  block_count: number
  total_txs: number
  rel_timestamp: number
  l1_origin_num: number
  parent_check: string
  l1_origin_check: string
  origin_bits_hex: string
  origin_bits_popcount: number
  origin_bit0: number
  first_block_l1_origin: number
  last_block_l1_origin: number
  start_epoch_num_rule: number
  block_tx_counts: number[]
  tx_type_counts: Record<string, number>
  legacy_count: number
  contract_creation_count: number
  protected_legacy_count: number
  first_nonce: number
  first_gas: number
  op_mainnet_first_block_timestamp: number
  op_mainnet_last_block_timestamp: number
  op_mainnet_first_block_number: number
}

const expected = fixtureJson<{
  files: Record<string, { decoded_independently: Record<string, unknown> & { span_batch?: ExpectedSpan } }>
}>('batcher/expected.json').files

const derivationOpts = { genesisTimestamp: OP_MAINNET.genesisL2Time, blockTime: OP_MAINNET.blockTime, l2ChainId: 10 }

function spanReason(f: () => unknown): string {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(SpanBatchError)
    return (e as SpanBatchError).reason
  }
  return 'ok'
}

/** The single batch string of a decompressed channel, checking every byte is consumed. */
function onlyBatchString(decompressed: Uint8Array): Uint8Array {
  const split = splitChannelBatches(decompressed)
  expect(split.error).toBeUndefined()
  expect(split.consumed).toBe(decompressed.length)
  expect(split.batches).toHaveLength(1)
  return split.batches[0]!
}

function checkAgainstExpected(raw: RawSpanBatch, e: ExpectedSpan): void {
  expect(raw.blockCount).toBe(e.block_count)
  expect(raw.txs.totalTxCount).toBe(e.total_txs)
  expect(raw.relTimestamp).toBe(BigInt(e.rel_timestamp))
  expect(raw.l1OriginNum).toBe(BigInt(e.l1_origin_num))
  expect(hex(raw.parentCheck)).toBe(e.parent_check)
  expect(hex(raw.l1OriginCheck)).toBe(e.l1_origin_check)
  expect(`0x${BigInt(`0x${hex(raw.originBits)}`).toString(16)}`).toBe(e.origin_bits_hex)
  expect(popcount(raw.originBits)).toBe(e.origin_bits_popcount)
  expect(getBit(raw.originBits, 0)).toBe(e.origin_bit0)
  expect(raw.blockTxCounts).toEqual(e.block_tx_counts)
  const typeCounts: Record<string, number> = {}
  for (const t of raw.txs.txTypes) typeCounts[t] = (typeCounts[t] ?? 0) + 1
  expect(typeCounts).toEqual(e.tx_type_counts)
  expect(raw.txs.legacyTxCount).toBe(e.legacy_count)
  expect(popcount(raw.txs.contractCreationBits)).toBe(e.contract_creation_count)
  expect(popcount(raw.txs.protectedBits)).toBe(e.protected_legacy_count)
  expect(raw.txs.txNonces[0]).toBe(BigInt(e.first_nonce))
  expect(raw.txs.txGases[0]).toBe(BigInt(e.first_gas))
  expect(spanBatchStartEpochNum(raw)).toBe(BigInt(e.start_epoch_num_rule))
  const origins = spanBatchBlockOrigins(raw)
  expect(origins[0]).toBe(BigInt(e.first_block_l1_origin))
  expect(origins[origins.length - 1]).toBe(BigInt(e.last_block_l1_origin))
}

/** Derive, then check every transaction with @ethereumjs/tx: it parses, and senders' nonces are consecutive. */
function checkDerived(raw: RawSpanBatch, e: ExpectedSpan, recoverSenders = Number.POSITIVE_INFINITY): void {
  const sb = deriveSpanBatch(raw, derivationOpts)
  expect(sb.elements).toHaveLength(e.block_count)
  expect(sb.elements[0]!.timestamp).toBe(BigInt(e.op_mainnet_first_block_timestamp))
  expect(sb.elements.at(-1)!.timestamp).toBe(BigInt(e.op_mainnet_last_block_timestamp))
  const firstNumber = (e.op_mainnet_first_block_timestamp - OP_MAINNET.genesisL2Time) / 2 + OP_MAINNET.genesisL2Block
  expect(firstNumber).toBe(e.op_mainnet_first_block_number)
  expect(sb.elements.map((el) => el.transactions.length)).toEqual(e.block_tx_counts)
  expect(sb.elements[0]!.epochNum).toBe(BigInt(e.first_block_l1_origin))
  sb.elements.forEach((el, k) => {
    expect(el.timestamp).toBe(spanBatchBlockTimestamp(raw, k, OP_MAINNET.genesisL2Time, OP_MAINNET.blockTime))
  })
  const lastNonce = new Map<string, bigint>()
  let repeats = 0
  let i = 0
  for (const el of sb.elements) {
    for (const txBytes of el.transactions) {
      const tx = createTxFromRLP(txBytes, { common: commonFor(10n) })
      expect(tx.type).toBe(raw.txs.txTypes[i])
      expect(tx.nonce).toBe(raw.txs.txNonces[i])
      expect(tx.gasLimit).toBe(raw.txs.txGases[i])
      expect(hex(tx.serialize())).toBe(hex(txBytes))
      if (tx.type === 0) {
        expect((tx as { v?: bigint }).v! >= 55n).toBe(true) // EIP-155 with chain id 10
      }
      // A wrong rebuild changes the signing hash, so recovered senders would be random: consecutive nonces
      // per sender show the transactions are byte-exact. (Recovery is slow in JS: optionally only a prefix.)
      if (i < recoverSenders) {
        const from = tx.getSenderAddress().toString()
        const prev = lastNonce.get(from)
        if (prev !== undefined) {
          repeats++
          expect(tx.nonce).toBe(prev + 1n)
        }
        lastNonce.set(from, tx.nonce)
      }
      i++
    }
  }
  expect(repeats).toBeGreaterThan(10)
  // Rebuilding the span batch from the derived blocks reproduces the original encoding.
  const b = new SpanBatchBuilder({ genesisTimestamp: OP_MAINNET.genesisL2Time, l2ChainId: 10 })
  const origins = spanBatchBlockOrigins(raw)
  sb.elements.forEach((el, k) => {
    const parentHash = k === 0 ? concat(raw.parentCheck, new Uint8Array(12)) : new Uint8Array(32)
    const epochHash = k === sb.elements.length - 1 ? concat(raw.l1OriginCheck, new Uint8Array(12)) : new Uint8Array(32)
    b.append(
      { parentHash, epochNum: origins[k]!, epochHash, timestamp: el.timestamp, transactions: el.transactions },
      getBit(raw.originBits, 0) === 1 ? 0 : 1,
    )
  })
  expect(hex(encodeRawSpanBatch(b.toRawSpanBatch()))).toBe(hex(encodeRawSpanBatch(raw)))
}

describe('span batch: OP Mainnet batcher transaction (27 blocks)', () => {
  const channel = parseFrames(opMainnetBatcherCalldata())[0]!.data
  const decompressed = decompressChannel(channel, { isFjord: false }).data
  const batchString = onlyBatchString(decompressed)
  const e = expected['op-mainnet-batcher-tx.bin']!.decoded_independently.span_batch!

  it('decodes every field bit-exact', () => {
    expect(batchString[0]).toBe(1)
    const d = decodeBatch(batchString)
    expect(d.type).toBe(1)
    checkAgainstExpected(d.batch as RawSpanBatch, e)
  })

  it('re-encodes to identical bytes', () => {
    expect(hex(encodeBatch(decodeBatch(batchString)))).toBe(hex(batchString))
  })

  it('derives 27 blocks of full signed transactions', () => {
    checkDerived(decodeBatch(batchString).batch as RawSpanBatch, e)
  })
})

describe('span batch: OP Mainnet 143-block channel', () => {
  const decompressed = decompressChannel(opMainnetSpanChannel(), { isFjord: false }).data
  const batchString = onlyBatchString(decompressed)
  const e = expected['op-mainnet-span-batch-channel.zlib.hex']!.decoded_independently.span_batch!

  it('decodes every field bit-exact and consumes every byte', () => {
    expect(decompressed.length).toBe(1_409_463)
    expect(batchString.length).toBe(1_409_459)
    const raw = decodeRawSpanBatch(batchString.subarray(1))
    checkAgainstExpected(raw, e)
    expect(hex(encodeRawSpanBatch(raw))).toBe(hex(batchString.subarray(1)))
  })

  it('derives 143 blocks; the contract creation has no recipient', () => {
    const raw = decodeRawSpanBatch(batchString.subarray(1))
    checkDerived(raw, e, 600)
    const sb = deriveSpanBatch(raw, derivationOpts)
    const all = sb.elements.flatMap((el) => el.transactions)
    const creations = all.filter((t) => createTxFromRLP(t, { common: commonFor(10n) }).to === undefined)
    expect(creations).toHaveLength(1)
  })
})

describe('span batch: random raw span batch (op-node generator)', () => {
  const bytes = fixture('batcher/random-raw-span-batch.bin')
  const e = expected['random-raw-span-batch.bin']!.decoded_independently as {
    rel_timestamp: number
    l1_origin_num: number
    parent_check: string
    l1_origin_check: string
    block_count: number
    origin_bits: number
    block_tx_counts: number[]
    total_txs: number
    legacy_txs: number
  }

  it('decodes the fields and re-encodes to identical bytes', () => {
    const raw = decodeRawSpanBatch(bytes)
    expect(raw.relTimestamp).toBe(1_639_845_645n)
    expect(raw.relTimestamp).toBe(BigInt(e.rel_timestamp))
    expect(raw.l1OriginNum).toBe(16_988_980_031_808_077_784n)
    expect(`0x${hex(raw.parentCheck)}`).toBe(e.parent_check)
    expect(`0x${hex(raw.l1OriginCheck)}`).toBe(e.l1_origin_check)
    expect(raw.blockCount).toBe(e.block_count)
    expect(Number(BigInt(`0x${hex(raw.originBits)}`))).toBe(e.origin_bits)
    expect(raw.blockTxCounts).toEqual(e.block_tx_counts)
    expect(raw.txs.totalTxCount).toBe(e.total_txs)
    expect(raw.txs.legacyTxCount).toBe(e.legacy_txs)
    expect(hex(encodeRawSpanBatch(raw))).toBe(hex(bytes))
    expect(hex(encodeBatch({ type: 1, batch: raw }))).toBe(hex(concat(Uint8Array.of(1), bytes)))
  })
})

describe('span batch: build from singular batches, encode, decode, derive', () => {
  function roundTrip(batches: SingularBatch[], firstSeqNum: number, chainId: bigint, genesis: bigint) {
    const raw = spanBatchFromSingularBatches(batches, firstSeqNum, { genesisTimestamp: genesis, l2ChainId: chainId })
    const enc = encodeBatch({ type: 1, batch: raw })
    const dec = decodeBatch(enc) as Extract<BatchData, { type: 1 }>
    expect(dec.batch).toEqual(raw)
    expect(hex(encodeBatch(dec))).toBe(hex(enc))
    const sb = deriveSpanBatch(dec.batch, {
      genesisTimestamp: genesis,
      blockTime: 2n,
      l2ChainId: chainId,
      isthmus: true,
    })
    expect(sb.elements).toHaveLength(batches.length)
    sb.elements.forEach((el, i) => {
      const b = batches[i]!
      expect(el.timestamp).toBe(b.timestamp)
      expect(el.epochNum).toBe(b.epochNum)
      expect(el.transactions.map(hex)).toEqual(b.transactions.map(hex))
    })
    expect(hex(sb.parentCheck)).toBe(hex(batches[0]!.parentHash.subarray(0, 20)))
    expect(hex(sb.l1OriginCheck)).toBe(hex(batches.at(-1)!.epochHash.subarray(0, 20)))
    expect(spanBatchStartEpochNum(dec.batch)).toBe(batches[0]!.epochNum)
    expect(getBit(dec.batch.originBits, 0)).toBe(firstSeqNum === 0 ? 1 : 0)
    return raw
  }

  it('round-trips random signed transactions of every type (chain id 901)', () => {
    const rng = new Rng(51)
    for (let i = 0; i < 6; i++) {
      const batches = randomSingularBatches(rng, {
        blocks: 1 + rng.int(12),
        chainId: 901n,
        kinds: ALL_TX_KINDS,
        genesisTimestamp: 1_600_000_000n,
      })
      roundTrip(batches, i % 2 === 0 ? 0 : 1 + rng.int(5), 901n, 1_600_000_000n)
    }
  })

  it('round-trips with a large chain id, legacy-only and empty blocks', () => {
    const rng = new Rng(52)
    const chainId = (1n << 40n) + 7n
    roundTrip(
      randomSingularBatches(rng, { blocks: 8, chainId, kinds: ['legacy-protected', 'legacy-unprotected'] }),
      0,
      chainId,
      1_700_000_000n,
    )
    roundTrip(randomSingularBatches(rng, { blocks: 5, chainId, kinds: ['dynamic-fee'], maxTxs: 0 }), 2, chainId, 0n)
  })

  it('rejects what op-batcher rejects', () => {
    const rng = new Rng(53)
    const b = new SpanBatchBuilder({ genesisTimestamp: 0, l2ChainId: 10 })
    const batch = (txs: Uint8Array[], timestamp = 100n): SingularBatch => ({
      parentHash: rng.bytes(32),
      epochNum: 5n,
      epochHash: rng.bytes(32),
      timestamp,
      transactions: txs,
    })
    expect(spanReason(() => b.append(batch([randomSignedTx(rng, 'dynamic-fee', 11n)]), 0))).toBe('chain-id-mismatch')
    expect(spanReason(() => b.append(batch([randomSignedTx(rng, 'legacy-protected', 11n)]), 0))).toBe(
      'chain-id-mismatch',
    )
    expect(spanReason(() => b.append(batch([fromHex('7e01')]), 0))).toBe('tx-type-unsupported')
    expect(spanReason(() => b.append(batch([fromHex('03c0')]), 0))).toBe('tx-type-unsupported')
    expect(spanReason(() => b.append(batch([fromHex('02c0')]), 0))).toBe('invalid-tx')
    expect(b.blockCount).toBe(0) // failed appends leave no trace
    b.append(batch([randomSignedTx(rng, 'dynamic-fee', 10n)]), 0)
    expect(spanReason(() => b.append(batch([], 98n), 1))).toBe('unordered')
    expect(b.blockCount).toBe(1)
    expect(spanReason(() => new SpanBatchBuilder({ genesisTimestamp: 0, l2ChainId: 10 }).toRawSpanBatch())).toBe(
      'empty',
    )
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Malformed span batches

function sampleRaw(seed = 61, blocks = 3): RawSpanBatch {
  const rng = new Rng(seed)
  const batches = randomSingularBatches(rng, {
    blocks,
    chainId: 10n,
    kinds: ['legacy-protected', 'legacy-unprotected', 'dynamic-fee'],
    maxTxs: 3,
  })
  if (batches.every((x) => x.transactions.length === 0))
    batches[0]!.transactions.push(randomSignedTx(rng, 'legacy-protected', 10n))
  return spanBatchFromSingularBatches(batches, 0, { genesisTimestamp: 1_700_000_000n, l2ChainId: 10n })
}

/** Byte offsets of the sections of an encoded raw span batch. */
function layout(raw: RawSpanBatch) {
  const t = raw.txs
  const originBits =
    uvarintLength(raw.relTimestamp) + uvarintLength(raw.l1OriginNum) + 40 + uvarintLength(raw.blockCount)
  const counts = originBits + raw.originBits.length
  let creationBits = counts
  for (const n of raw.blockTxCounts) creationBits += uvarintLength(n)
  const yParityBits = creationBits + t.contractCreationBits.length
  const sigs = yParityBits + t.yParityBits.length
  const tos = sigs + t.txSigs.length
  const datas = tos + t.txTos.length
  let nonces = datas
  for (const d of t.txDatas) nonces += d.length
  let gases = nonces
  for (const n of t.txNonces) gases += uvarintLength(n)
  let protectedBits = gases
  for (const g of t.txGases) protectedBits += uvarintLength(g)
  return { originBits, counts, creationBits, yParityBits, sigs, tos, datas, nonces, gases, protectedBits }
}

/** prefix ++ uvarint(block_count) ++ rest. */
function withCounts(blockCount: number, rest: Uint8Array = new Uint8Array(0)): Uint8Array {
  const head = new Uint8Array(2 + 40 + 10)
  let pos = writeUvarint(head, 0, 1)
  pos = writeUvarint(head, pos, 1)
  pos += 40
  pos = writeUvarint(head, pos, blockCount)
  return concat(head.subarray(0, pos), rest)
}

function uv(v: number | bigint): Uint8Array {
  const out = new Uint8Array(10)
  return out.subarray(0, writeUvarint(out, 0, v))
}

describe('span batch: malformed input', () => {
  const raw = sampleRaw()
  const enc = encodeRawSpanBatch(raw)
  const at = layout(raw)

  it('every truncation is a SpanBatchError', () => {
    for (let cut = 0; cut < enc.length; cut++) {
      expect(spanReason(() => decodeRawSpanBatch(enc.subarray(0, cut)))).not.toBe('ok')
    }
    expect(spanReason(() => decodeRawSpanBatch(enc))).toBe('ok')
    // Trailing bytes are ignored.
    expect(decodeRawSpanBatch(concat(enc, fromHex('00ff')))).toEqual(raw)
  })

  it('rejects bitlists with bits set above their length', () => {
    const withHighBit = (offset: number, bitLength: number) => {
      const b = enc.slice()
      b[offset] = b[offset]! | (1 << (bitLength % 8 || 8)) // first bit past the length
      return b
    }
    expect(raw.blockCount % 8).not.toBe(0)
    expect(spanReason(() => decodeRawSpanBatch(withHighBit(at.originBits, raw.blockCount)))).toBe('bitlist-overflow')
    const n = raw.txs.totalTxCount
    if (n % 8 !== 0) {
      expect(spanReason(() => decodeRawSpanBatch(withHighBit(at.creationBits, n)))).toBe('bitlist-overflow')
      expect(spanReason(() => decodeRawSpanBatch(withHighBit(at.yParityBits, n)))).toBe('bitlist-overflow')
    }
    const legacy = raw.txs.legacyTxCount
    if (legacy % 8 !== 0) {
      expect(spanReason(() => decodeRawSpanBatch(withHighBit(at.protectedBits, legacy)))).toBe('bitlist-overflow')
    }
    // Unit cases of the rule itself.
    expect(spanReason(() => decodeRawSpanBatch(withCounts(3, fromHex('08'))))).toBe('bitlist-overflow')
    expect(spanReason(() => decodeRawSpanBatch(withCounts(9, fromHex('0200'))))).toBe('bitlist-overflow')
    expect(spanReason(() => decodeRawSpanBatch(withCounts(8, fromHex('80'))))).toBe('truncated') // bit 7 is fine
  })

  it('enforces MAX_SPAN_BATCH_ELEMENT_COUNT on block_count, each tx count and the total', () => {
    expect(MAX_SPAN_BATCH_ELEMENT_COUNT).toBe(10_000_000)
    expect(spanReason(() => decodeRawSpanBatch(withCounts(0)))).toBe('empty')
    expect(spanReason(() => decodeRawSpanBatch(withCounts(10_000_001)))).toBe('too-big')
    // block_count at the limit is fine until the data runs out.
    expect(spanReason(() => decodeRawSpanBatch(withCounts(10_000_000)))).toBe('truncated')
    expect(spanReason(() => decodeRawSpanBatch(withCounts(1, concat(fromHex('00'), uv(10_000_001)))))).toBe('too-big')
    expect(spanReason(() => decodeRawSpanBatch(withCounts(1, concat(fromHex('00'), uv(10_000_000)))))).toBe('truncated')
    expect(
      spanReason(() => decodeRawSpanBatch(withCounts(2, concat(fromHex('00'), uv(6_000_000), uv(4_000_001))))),
    ).toBe('too-big')
    expect(spanReason(() => decodeRawSpanBatch(withCounts(1, concat(fromHex('00'), uv(1n << 63n)))))).toBe('too-big')
    // A tx_datas entry whose RLP list is larger than MAX_SPAN_BATCH_ELEMENT_COUNT bytes.
    const oneTx = concat(fromHex('00'), uv(1), fromHex('00'), fromHex('00'), new Uint8Array(64), new Uint8Array(20))
    // header (4 bytes) and payload count together, like op-node's size-limited RLP stream
    expect(spanReason(() => decodeRawSpanBatch(withCounts(1, concat(oneTx, fromHex('02fa98967d')))))).toBe('too-big')
    expect(spanReason(() => decodeRawSpanBatch(withCounts(1, concat(oneTx, fromHex('02fa98967c')))))).toBe('truncated')
  })

  it('rejects uvarints longer than 64 bits', () => {
    expect(spanReason(() => decodeRawSpanBatch(fromHex('ffffffffffffffffff7f')))).toBe('varint-overflow')
  })

  it('rejects tx_datas entries that are not an RLP list', () => {
    const oneTx = concat(fromHex('00'), uv(1), fromHex('00'), fromHex('00'), new Uint8Array(64), new Uint8Array(20))
    const reasonFor = (txData: string) =>
      spanReason(() => decodeRawSpanBatch(withCounts(1, concat(oneTx, fromHex(txData), fromHex('000000')))))
    expect(reasonFor('83010203')).toBe('tx-data-not-list') // legacy form must be a list
    expect(reasonFor('0283010203')).toBe('tx-data-not-list')
    expect(reasonFor('0205')).toBe('tx-data-not-list')
    expect(reasonFor('02b801ff')).toBe('tx-data-rlp') // non-canonical size
    expect(reasonFor('c3')).toBe('truncated')
    expect(reasonFor('c0')).toBe('ok') // structurally fine for the raw decoder
  })
})

describe('span batch: derivation failures', () => {
  /** A one-block, one-transaction raw span batch with the given tx_data. */
  function single(txData: Uint8Array, opts: { creation?: boolean; legacy?: boolean } = {}): RawSpanBatch {
    const type = txData[0]! <= 0x7f ? txData[0]! : 0
    const legacy = type === 0
    return {
      relTimestamp: 10n,
      l1OriginNum: 100n,
      parentCheck: new Uint8Array(20),
      l1OriginCheck: new Uint8Array(20),
      blockCount: 1,
      originBits: Uint8Array.of(1),
      blockTxCounts: [1],
      txs: {
        totalTxCount: 1,
        contractCreationBits: bitlistFromFlags([opts.creation ? 1 : 0]),
        yParityBits: Uint8Array.of(1),
        txSigs: new Uint8Array(64).fill(7),
        txTos: opts.creation ? new Uint8Array(0) : new Uint8Array(20).fill(9),
        txDatas: [txData],
        txTypes: Uint8Array.of(type),
        txNonces: [3n],
        txGases: [21000n],
        legacyTxCount: legacy ? 1 : 0,
        protectedBits: legacy ? Uint8Array.of(1) : new Uint8Array(0),
      },
    }
  }
  const opts = { genesisTimestamp: 0, blockTime: 2, l2ChainId: 10 }
  const derive = (raw: RawSpanBatch, isthmus = false) =>
    spanReason(() => deriveSpanBatch(decodeRawSpanBatch(encodeRawSpanBatch(raw)), { ...opts, isthmus }))
  const access = [[new Uint8Array(20).fill(1), [new Uint8Array(32).fill(2)]]]
  const auth = [[10n, new Uint8Array(20).fill(3), 1n, 1n, 5n, 6n]]

  it('rebuilds legacy (protected and not), type 1, type 2 and, with Isthmus, type 4', () => {
    const legacy = RLP.encode([1n, 2n, fromHex('abcd')])
    expect(derive(single(legacy))).toBe('ok')
    const tx = deriveSpanBatch(single(legacy), opts).elements[0]!.transactions[0]!
    const fields = RLP.decode(tx) as Uint8Array[]
    expect(fields).toHaveLength(9)
    expect(hex(fields[6]!)).toBe((10 * 2 + 35 + 1).toString(16)) // v = chainId*2 + 35 + yParity
    const unprotected = single(legacy)
    unprotected.txs.protectedBits = Uint8Array.of(0)
    expect(
      hex((RLP.decode(deriveSpanBatch(unprotected, opts).elements[0]!.transactions[0]!) as Uint8Array[])[6]!),
    ).toBe('1c')
    expect(derive(single(concat(Uint8Array.of(1), RLP.encode([1n, 2n, fromHex('ab'), access]))))).toBe('ok')
    expect(derive(single(concat(Uint8Array.of(2), RLP.encode([1n, 2n, 3n, fromHex('ab'), access]))))).toBe('ok')
    const setCode = single(concat(Uint8Array.of(4), RLP.encode([1n, 2n, 3n, fromHex('ab'), access, auth])))
    expect(derive(setCode, true)).toBe('ok')
    const full = deriveSpanBatch(setCode, { ...opts, isthmus: true }).elements[0]!.transactions[0]!
    expect(full[0]).toBe(4)
    expect((RLP.decode(full.subarray(1)) as unknown[]).length).toBe(13)
  })

  it('rejects unsupported transaction types', () => {
    const setCode = concat(Uint8Array.of(4), RLP.encode([1n, 2n, 3n, fromHex('ab'), access, auth]))
    expect(derive(single(setCode), false)).toBe('tx-type-unsupported')
    expect(derive(single(concat(Uint8Array.of(3), RLP.encode([1n, 2n, 3n, fromHex('ab'), access]))))).toBe(
      'tx-type-unsupported',
    )
    expect(derive(single(concat(Uint8Array.of(0x7e), RLP.encode([1n]))))).toBe('tx-type-unsupported')
    // An explicit 0x00 type byte is counted as legacy by the raw decoder but cannot be rebuilt.
    const explicitZero = single(concat(Uint8Array.of(0), RLP.encode([1n, 2n, fromHex('ab')])))
    expect(decodeRawSpanBatch(encodeRawSpanBatch(explicitZero)).txs.legacyTxCount).toBe(1)
    expect(derive(explicitZero)).toBe('tx-type-unsupported')
  })

  it('rejects a SetCode transaction marked as contract creation', () => {
    const setCode = concat(Uint8Array.of(4), RLP.encode([1n, 2n, 3n, fromHex('ab'), access, auth]))
    expect(derive(single(setCode, { creation: true }), true)).toBe('set-code-creation')
  })

  it('validates tx_data fields like rlp.DecodeBytes into op-node structs', () => {
    const bad = [
      RLP.encode([1n, 2n]), // too few
      RLP.encode([1n, 2n, fromHex('ab'), 4n]), // too many
      concat(fromHex('c5'), fromHex('820001'), fromHex('02'), fromHex('80')), // value with a leading zero
      RLP.encode([1n, 2n, [fromHex('ab')]]), // data is a list
      concat(Uint8Array.of(1), RLP.encode([1n, 2n, fromHex('ab'), [[new Uint8Array(19), []]]])), // 19-byte address
      concat(Uint8Array.of(1), RLP.encode([1n, 2n, fromHex('ab'), [[new Uint8Array(20), [new Uint8Array(31)]]]])),
      concat(Uint8Array.of(2), RLP.encode([1n, 2n, 3n, fromHex('ab'), fromHex('01')])), // access list not a list
    ]
    for (const d of bad) expect(derive(single(d))).toBe('tx-data-rlp')
    const wideValue = concat(Uint8Array.of(4), RLP.encode([1n << 256n, 2n, 3n, fromHex('ab'), access, auth]))
    expect(derive(single(wideValue), true)).toBe('tx-data-rlp')
    const badAuth = concat(
      Uint8Array.of(4),
      RLP.encode([1n, 2n, 3n, fromHex('ab'), access, [[10n, new Uint8Array(20)]]]),
    )
    expect(derive(single(badAuth), true)).toBe('tx-data-rlp')
  })

  it('wraps u64 arithmetic for timestamps and origins like op-node', () => {
    const raw = single(RLP.encode([1n, 2n, fromHex('ab')]))
    raw.relTimestamp = (1n << 64n) - 1n
    raw.l1OriginNum = 0n
    raw.blockCount = 2
    raw.blockTxCounts = [1, 0]
    raw.originBits = Uint8Array.of(2)
    const sb = deriveSpanBatch(raw, { ...opts, genesisTimestamp: 5 })
    expect(sb.elements[0]!.timestamp).toBe(4n)
    expect(sb.elements[1]!.timestamp).toBe(6n)
    expect(sb.elements[0]!.epochNum).toBe((1n << 64n) - 1n)
    expect(sb.elements[1]!.epochNum).toBe(0n)
    expect(spanBatchStartEpochNum(raw)).toBe((1n << 64n) - 1n)
  })
})
