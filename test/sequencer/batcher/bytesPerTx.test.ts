import { describe, expect, it } from 'vitest'
import { bytesToHex } from '../../../config/bytes.ts'
import { keccak256 } from '../../../config/keccak.ts'
import { FRAME_OVERHEAD } from '../../../derivation/protocol/frame.ts'
import { ChannelBuilder } from '../../../sequencer/batcher/channelBuilder.ts'
import type { L2BlockForBatch } from '../../../sequencer/batcher/l2BlockSource.ts'
import { DEFAULT_L1_INFO, DEV_KEYS, l1InfoDeposit, signTransfer } from '../../helpers/engineFixture.ts'
import { BLOCK_TIME, blockHash, deriveFrames, GENESIS_TIME, L2_CHAIN_ID } from './batcherBlocks.ts'

// L1 bytes per simple transfer in one Fjord brotli span-batch channel (target <= 100 bytes/tx). Transfers come
// from 3 senders to fresh (incompressible) recipients with varying values, as a worst case for compression.

const TXS_PER_BLOCK = 100
const BLOCKS = 12

function transferBlocks(): L2BlockForBatch[] {
  const nonces = [0n, 0n, 0n]
  const out: L2BlockForBatch[] = []
  for (let n = 1; n <= BLOCKS; n++) {
    const txs = [l1InfoDeposit({ ...DEFAULT_L1_INFO, sequenceNumber: BigInt(n - 1) })]
    for (let i = 0; i < TXS_PER_BLOCK; i++) {
      const k = i % 3
      const to = keccak256(Uint8Array.of(n, i & 0xff, i >> 8)).subarray(0, 20)
      const value = 10n ** 15n * BigInt(1 + ((n * 7919 + i * 104729) % 5000))
      txs.push(signTransfer(DEV_KEYS[k]!, nonces[k]!++, to, value))
    }
    out.push({
      number: n,
      hash: blockHash(n),
      parentHash: blockHash(n - 1),
      timestamp: GENESIS_TIME + n * BLOCK_TIME,
      l1origin: { number: Number(DEFAULT_L1_INFO.number), hash: bytesToHex(DEFAULT_L1_INFO.hash) },
      transactions: txs,
    })
  }
  return out
}

describe('batcher compression', () => {
  it(`posts a ${TXS_PER_BLOCK * BLOCKS}-transfer channel in at most 100 L1 bytes per transfer`, () => {
    const cb = new ChannelBuilder({
      maxFrameSize: 130_043,
      targetNumFrames: 6,
      maxChannelDuration: 0,
      channelTimeout: 300,
      seqWindowSize: 3600,
      subSafetyMargin: 10,
      compression: 'brotli',
      genesisTimestamp: GENESIS_TIME,
      l2ChainId: L2_CHAIN_ID,
    })
    const blocks = transferBlocks()
    for (const b of blocks) expect(cb.addBlock(b)).toBe(true)
    cb.close()
    const frames = cb.outputFrames()
    // what L1 carries: per tx one version byte, per frame its header
    const posted = frames.reduce((s, f) => s + 1 + FRAME_OVERHEAD + f.data.length, 0)
    const transfers = TXS_PER_BLOCK * BLOCKS
    const perTx = posted / transfers
    console.log(
      `batcher: ${transfers} transfers -> ${posted} bytes in ${frames.length} frame(s), ${perTx.toFixed(1)} bytes/tx`,
    )
    expect(deriveFrames(frames).reduce((s, e) => s + e.transactions.length, 0)).toBe(transfers)
    expect(perTx).toBeLessThanOrEqual(100)
  })
})
