import { describe, expect, it } from 'vitest'
import type { Address, Hash, L1BlockRef } from '../../../config/types.ts'
import type { DerivationConfig } from '../../../derivation/params.ts'
import { EOF, isReset, NOT_ENOUGH_DATA, PipelineError } from '../../../derivation/pipelineErrors.ts'
import { encodeBlob } from '../../../derivation/protocol/blob.ts'
import type { DASource } from '../../../derivation/providers.ts'
import { L1Retrieval } from '../../../derivation/stages/l1Retrieval.ts'
import { captureLogger } from '../../fakes/captureLogger.ts'
import { FakeL1Traversal, InMemoryBlobSource, InMemoryL1Source, tx } from '../../fakes/inMemoryL1Source.ts'

const INBOX: Address = '0xff00000000000000000000000000000000000010'
const BATCHER: Address = '0xBa7c4e00000000000000000000000000000000aa'
const OTHER: Address = '0x1234000000000000000000000000000000000001'

const item = (...bytes: number[]) => new Uint8Array(bytes)
const h = (n: number) => `0x01${n.toString(16).padStart(62, '0')}` as Hash

function cfg(over: Partial<DerivationConfig> = {}): DerivationConfig {
  return { blockTime: 2, channelTimeout: 10, batchInboxAddress: INBOX, ...over }
}

async function drainBlock(r: L1Retrieval): Promise<number[][]> {
  const out: number[][] = []
  for (let i = 0; i < 100; i++) {
    const d = await r.nextData()
    if (d === EOF) return out
    if (d !== NOT_ENOUGH_DATA) out.push([...d])
  }
  throw new Error('no EOF')
}

function setup(over: Partial<DerivationConfig> = {}, altDA: DASource | null = null) {
  const l1 = new InMemoryL1Source()
  const blobs = new InMemoryBlobSource()
  const trav = new FakeL1Traversal(l1, BATCHER)
  const { logger, lines } = captureLogger()
  const r = new L1Retrieval(cfg(over), trav, { l1, blobs, altDA, logger })
  return { l1, blobs, trav, r, lines }
}

describe('L1Retrieval', () => {
  it('keeps only txs to the inbox from the batcher, in block order, then EOF', async () => {
    const { l1, r, trav } = setup()
    l1.addBlock([
      tx({ to: INBOX, from: BATCHER, data: item(0, 1) }),
      tx({ to: INBOX, from: OTHER, data: item(0, 2) }), // wrong sender
      tx({ to: OTHER, from: BATCHER, data: item(0, 3) }), // wrong recipient
      tx({ to: null, from: BATCHER, data: item(0, 4) }), // contract creation
      tx({ type: 4, to: INBOX, from: BATCHER, data: item(0, 5) }), // set-code tx type
      tx({
        type: 0,
        to: INBOX.toUpperCase().replace('0X', '0x') as Address,
        from: BATCHER.toLowerCase() as Address,
        data: item(0, 6),
      }),
      tx({ type: 1, to: INBOX, from: BATCHER, data: item(0, 7) }),
    ])
    l1.addBlock([tx({ to: INBOX, from: BATCHER, data: item(0, 8) })])
    expect(await drainBlock(r)).toEqual([
      [0, 1],
      [0, 6],
      [0, 7],
    ])
    expect(await r.nextData()).toBe(EOF) // traversal has nothing new until advanced
    expect(trav.advance()).toBe(true)
    expect(await drainBlock(r)).toEqual([[0, 8]])
  })

  it('drops empty items and unknown versions; 0x01 is dropped without an Alt-DA source', async () => {
    const { l1, r, lines } = setup()
    l1.addBlock([
      tx({ to: INBOX, from: BATCHER, data: item() }),
      tx({ to: INBOX, from: BATCHER, data: item(2, 9) }),
      tx({ to: INBOX, from: BATCHER, data: item(1, 0, 1) }),
      tx({ to: INBOX, from: BATCHER, data: item(0, 9) }),
    ])
    expect(await drainBlock(r)).toEqual([[0, 9]])
    expect(lines.filter((l) => String(l.msg).startsWith('Dropping')).length).toBe(3)
  })

  it('hands 0x01 items to the Alt-DA source and retries after a temporary failure', async () => {
    let fail = true
    const seen: number[][] = []
    const da: DASource = {
      async getInput(commitment: Uint8Array, _ref: L1BlockRef) {
        seen.push([...commitment])
        if (fail) {
          fail = false
          throw PipelineError.temp('DA_NOT_READY', 'not yet')
        }
        return commitment[0] === 0xee ? null : item(0, ...commitment)
      },
    }
    const { l1, r } = setup({}, da)
    l1.addBlock([
      tx({ to: INBOX, from: BATCHER, data: item(1, 0, 5) }),
      tx({ to: INBOX, from: BATCHER, data: item(1, 0xee) }),
      tx({ to: INBOX, from: BATCHER, data: item(0, 7) }),
    ])
    await expect(r.nextData()).rejects.toMatchObject({ kind: 'temporary' })
    expect(await drainBlock(r)).toEqual([
      [0, 0, 5],
      [0, 7],
    ])
    expect(seen).toEqual([[0, 5], [0, 5], [0xee]])
  })

  it('reads type-3 calldata before Ecotone (no blob fetch)', async () => {
    const { l1, r, blobs } = setup({ ecotoneTime: 10_000 })
    l1.addBlock([tx({ type: 3, to: INBOX, from: BATCHER, data: item(0, 1), blobVersionedHashes: [h(1)] })])
    expect(await drainBlock(r)).toEqual([[0, 1]])
    expect(blobs.requests).toEqual([])
  })

  it('from Ecotone (by L1 block time) reads blobs in block order, indexing every blob of the block', async () => {
    const { l1, r, blobs, trav } = setup({ ecotoneTime: 1_012 })
    l1.addBlock([tx({ type: 3, to: INBOX, from: BATCHER, data: item(0, 1), blobVersionedHashes: [h(1)] })])
    blobs.add(h(10), encodeBlob(item(0, 10)))
    blobs.add(h(11), encodeBlob(item(0, 11)))
    blobs.add(h(12), encodeBlob(item(0, 12)))
    const bad = encodeBlob(item(0, 13))
    bad[1] = 1 // encoding version 1: fails to decode, skipped
    blobs.add(h(13), bad)
    l1.addBlock([
      tx({ type: 3, to: INBOX, from: OTHER, blobVersionedHashes: [h(90), h(91)] }), // not the batcher
      tx({ type: 3, to: INBOX, from: BATCHER, data: item(0, 99), blobVersionedHashes: [h(10), h(11)] }),
      tx({ type: 2, to: INBOX, from: BATCHER, data: item(0, 2) }),
      tx({ type: 3, to: INBOX, from: BATCHER, blobVersionedHashes: [h(13), h(12)] }),
    ])
    expect(await drainBlock(r)).toEqual([[0, 1]]) // block 0 (t=1000) is pre-Ecotone: calldata
    trav.advance()
    expect(await drainBlock(r)).toEqual([
      [0, 10],
      [0, 11],
      [0, 2],
      [0, 12],
    ])
    expect(blobs.requests).toEqual([
      [
        { index: 2, hash: h(10) },
        { index: 3, hash: h(11) },
        { index: 4, hash: h(13) },
        { index: 5, hash: h(12) },
      ],
    ])
  })

  it('propagates a missing blob as a reset error', async () => {
    const { l1, r } = setup({ ecotoneTime: 0 })
    l1.addBlock([tx({ type: 3, to: INBOX, from: BATCHER, blobVersionedHashes: [h(1)] })])
    const err = await r.nextData().catch((e) => e)
    expect(isReset(err)).toBe(true)
  })

  it('reset re-opens the data of the base block', async () => {
    const { l1, r } = setup()
    const base = l1.addBlock([tx({ to: INBOX, from: BATCHER, data: item(0, 1) })])
    expect(await drainBlock(r)).toEqual([[0, 1]])
    r.reset(base, BATCHER)
    expect(await r.nextData()).toEqual(item(0, 1))
  })
})
