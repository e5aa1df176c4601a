import { bytesToHex } from '../../../config/bytes.ts'
import { keccak256 } from '../../../config/keccak.ts'
import type { Hash } from '../../../config/types.ts'
import { decodeChannel } from '../../../derivation/protocol/channelReader.ts'
import type { Frame } from '../../../derivation/protocol/frame.ts'
import { deriveSpanBatch, type SpanBatchElement } from '../../../derivation/protocol/spanBatch.ts'
import type { L2BlockForBatch } from '../../../sequencer/batcher/l2BlockSource.ts'
import { DEFAULT_L1_INFO, DEV_KEYS, l1InfoDeposit, signTransfer } from '../../helpers/engineFixture.ts'

// Synthetic L2 blocks for the batcher tests: an L1-info deposit first, then signed EIP-1559 transfers (chain 901),
// linked by parent hash. Block hashes are made up (the batcher never recomputes them).

export const GENESIS_TIME = 1_700_000_000
export const BLOCK_TIME = 2
export const L2_CHAIN_ID = 901n

export function blockHash(n: number, salt = 0): Hash {
  return bytesToHex(keccak256(Uint8Array.of(n >> 16, (n >> 8) & 0xff, n & 0xff, salt)))
}

let nonce = 0n

/** A chain of `count` blocks after block `start - 1`; each holds `txsPerBlock` transfers to fresh recipients. */
export function makeBlocks(
  start: number,
  count: number,
  txsPerBlock: number,
  opts: { l1Origin?: (n: number) => number; salt?: number } = {},
): L2BlockForBatch[] {
  const out: L2BlockForBatch[] = []
  const originOf = opts.l1Origin ?? (() => Number(DEFAULT_L1_INFO.number))
  for (let n = start; n < start + count; n++) {
    const origin = originOf(n)
    const prevOrigin = n > start ? originOf(n - 1) : origin
    const seq = n === start || origin !== prevOrigin ? 0n : BigInt(n - start)
    const originHash = keccak256(Uint8Array.of(origin & 0xff, origin >> 8))
    const txs = [l1InfoDeposit({ ...DEFAULT_L1_INFO, number: BigInt(origin), hash: originHash, sequenceNumber: seq })]
    for (let i = 0; i < txsPerBlock; i++) {
      const to = keccak256(Uint8Array.of(n & 0xff, n >> 8, i & 0xff, i >> 8)).subarray(0, 20)
      txs.push(signTransfer(DEV_KEYS[0]!, nonce++, to, 1_000_000_000n + BigInt(i)))
    }
    out.push({
      number: n,
      hash: blockHash(n, opts.salt),
      parentHash: blockHash(n - 1, n === start ? 0 : opts.salt),
      timestamp: GENESIS_TIME + n * BLOCK_TIME,
      l1origin: { number: origin, hash: bytesToHex(originHash) },
      transactions: txs,
    })
  }
  return out
}

/** Derivation's view of frames: reassemble the channel, decompress, read the span batch, rebuild the txs. */
export function deriveFrames(frames: readonly Frame[], genesisTimestamp: number = GENESIS_TIME): SpanBatchElement[] {
  const sorted = [...frames].sort((a, b) => a.frameNumber - b.frameNumber)
  const total = sorted.reduce((s, f) => s + f.data.length, 0)
  const data = new Uint8Array(total)
  let pos = 0
  for (const f of sorted) {
    data.set(f.data, pos)
    pos += f.data.length
  }
  const ch = decodeChannel(data, { isFjord: true })
  if (ch.error || ch.decompressError)
    throw new Error(`channel did not decode: ${ch.error?.message ?? ch.decompressError}`)
  const out: SpanBatchElement[] = []
  for (const b of ch.batches) {
    if (b.type !== 1) throw new Error('expected span batches')
    out.push(...deriveSpanBatch(b.batch, { genesisTimestamp, blockTime: BLOCK_TIME, l2ChainId: L2_CHAIN_ID }).elements)
  }
  return out
}
