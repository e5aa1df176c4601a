import { describe, expect, it } from 'vitest'
import type { Address, Hash } from '../../../config/types.ts'
import type { DerivationConfig } from '../../../derivation/params.ts'
import { EOF, NOT_ENOUGH_DATA } from '../../../derivation/pipelineErrors.ts'
import { type BatchData, encodeBatchForChannel } from '../../../derivation/protocol/batch.ts'
import { encodeBlob } from '../../../derivation/protocol/blob.ts'
import { encodeFrames } from '../../../derivation/protocol/frame.ts'
import { ChannelBank } from '../../../derivation/stages/channelBank.ts'
import { ChannelInReader } from '../../../derivation/stages/channelInReader.ts'
import { FrameQueue } from '../../../derivation/stages/frameQueue.ts'
import { L1Retrieval } from '../../../derivation/stages/l1Retrieval.ts'
import { buildFrames, dataItems, singular } from '../../fakes/batcherData.ts'
import { captureLogger } from '../../fakes/captureLogger.ts'
import { channelId } from '../../fakes/fakeFrameProvider.ts'
import { FakeL1Traversal, InMemoryBlobSource, InMemoryL1Source, tx } from '../../fakes/inMemoryL1Source.ts'
import { Rng, randomSingularBatches } from '../protocol/helpers.ts'

const INBOX: Address = '0xff00000000000000000000000000000000000010'
const BATCHER: Address = '0xba7c4e00000000000000000000000000000000aa'
const OTHER: Address = '0x1234000000000000000000000000000000000001'
const hex = (b: BatchData) => Buffer.from(encodeBatchForChannel(b)).toString('hex')

describe('L1Retrieval -> FrameQueue -> ChannelBank -> ChannelInReader', () => {
  it('yields the batches the batcher put into calldata and blobs', async () => {
    const rng = new Rng(99)
    const all = singular(
      randomSingularBatches(rng, { blocks: 30, chainId: 10n, kinds: ['dynamic-fee', 'access-list'] }),
    )
    const [first, second, third] = [all.slice(0, 12), all.slice(12, 20), all.slice(20)]

    const l1 = new InMemoryL1Source() // blocks at t = 1000, 1012, 1024, ...
    // Canyon/Delta from genesis; Ecotone and Fjord from block 3 (t = 1036).
    const cfg: DerivationConfig = {
      blockTime: 2,
      channelTimeout: 10,
      batchInboxAddress: INBOX,
      canyonTime: 0,
      deltaTime: 0,
      ecotoneTime: 1_036,
      fjordTime: 1_036,
    }
    const a = dataItems(buildFrames(channelId('A'), first, 400))
    const b = dataItems(buildFrames(channelId('B'), second, 300))
    expect(a.length).toBeGreaterThan(3)
    expect(b.length).toBeGreaterThan(2)
    const noise = tx({ to: INBOX, from: OTHER, data: b[0]! }) // a replay by someone else: ignored
    // Block 0: A's frames 1.. (out of order) and noise. Block 1: B's frames reversed interleaved with A's frame 0.
    l1.addBlock([...a.slice(1).map((d) => tx({ to: INBOX, from: BATCHER, data: d })), noise])
    l1.addBlock([
      ...b
        .slice(1)
        .reverse()
        .map((d) => tx({ type: 0, to: INBOX, from: BATCHER, data: d })),
      tx({ to: INBOX, from: BATCHER, data: a[0]! }),
      tx({ to: INBOX, from: BATCHER, data: new Uint8Array([0, 1, 2]) }), // malformed: dropped
    ])
    l1.addBlock([tx({ to: INBOX, from: BATCHER, data: b[0]! })])
    // Block 3 (Ecotone + Fjord): a brotli channel carried in two blobs, whole frames per blob.
    const c = buildFrames(channelId('C'), third, 2_000, 'brotli')
    const blobs = new InMemoryBlobSource()
    const half = Math.ceil(c.length / 2)
    const blobHashes: Hash[] = []
    for (const [i, part] of [c.slice(0, half), c.slice(half)].entries()) {
      const hash = `0x01${(i + 1).toString(16).padStart(62, '0')}` as Hash
      blobs.add(hash, encodeBlob(encodeFrames(part)))
      blobHashes.push(hash)
    }
    l1.addBlock([tx({ type: 3, to: INBOX, from: BATCHER, blobVersionedHashes: blobHashes })])

    const { logger } = captureLogger()
    const trav = new FakeL1Traversal(l1, BATCHER)
    const retrieval = new L1Retrieval(cfg, trav, { l1, blobs, logger })
    const frames = new FrameQueue(retrieval, { logger })
    const bank = new ChannelBank(cfg, frames, { logger })
    const reader = new ChannelInReader(cfg, bank, { logger })

    const out: BatchData[] = []
    const originsAtBatch: number[] = []
    for (let steps = 0; steps < 10_000; steps++) {
      const r = await reader.nextBatch()
      if (r === EOF) {
        if (!trav.advance()) break
        continue
      }
      if (r === NOT_ENOUGH_DATA) continue
      out.push(r)
      originsAtBatch.push(reader.origin()!.number)
    }
    expect(out.map(hex)).toEqual(all.map(hex))
    // A completes in block 1, B in block 2, C in block 3.
    expect(originsAtBatch).toEqual([...first.map(() => 1), ...second.map(() => 2), ...third.map(() => 3)])
    expect(bank.channelIds()).toEqual([])
  })
})
