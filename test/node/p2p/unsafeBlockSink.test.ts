import { afterEach, describe, expect, it } from 'vitest'
import { bytesToHex } from '../../../config/bytes.ts'
import type { ExecutionPayloadEnvelope } from '../../../config/executionPayload.ts'
import { payloadFromBlock } from '../../../node/engine/engine.ts'
import type { Block } from '../../../node/engine/types.ts'
import { computePayloadBlockHash } from '../../../node/p2p/payloadBlockHash.ts'
import { UnsafeBlockSink } from '../../../node/p2p/unsafeBlockSink.ts'
import {
  attributes,
  DEFAULT_L1_INFO,
  DEV_ADDRS,
  DEV_KEYS,
  l1InfoDeposit,
  openEngine,
  signTransfer,
} from '../../helpers/engineFixture.ts'

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  while (closers.length) await (closers.pop() as () => Promise<void>)()
})

const envelopeOf = (b: Block): ExecutionPayloadEnvelope => ({
  executionPayload: payloadFromBlock(b),
  parentBeaconBlockRoot: b.header.parentBeaconBlockRoot,
})

describe('unsafe block sink', () => {
  it("inserts a sequencer's blocks in order into a verifier's engine, skipping non-children and invalid blocks", async () => {
    const seq = await openEngine()
    closers.push(() => seq.close())
    const ver = await openEngine()
    closers.push(() => ver.close())
    const g = seq.engine.head.unsafe
    const tx = signTransfer(DEV_KEYS[0] as Uint8Array, 0n, DEV_ADDRS[1] as Uint8Array, 7n)
    const b1 = await seq.engine.buildBlock(attributes(g.header.timestamp, [l1InfoDeposit(), tx]))
    const b2 = await seq.engine.buildBlock(
      attributes(b1.header.timestamp, [l1InfoDeposit({ ...DEFAULT_L1_INFO, sequenceNumber: 1n })]),
    )
    const sink = new UnsafeBlockSink(ver.engine)

    // a block whose header lies about its state (hash recomputed so only execution can catch it)
    const forged = envelopeOf(b1)
    forged.executionPayload = { ...forged.executionPayload, stateRoot: new Uint8Array(32).fill(1) }
    forged.executionPayload.blockHash = computePayloadBlockHash(forged)
    // arrival order: a gap, a forgery, then the real chain
    const outcomes = await Promise.all([
      sink.insert(envelopeOf(b2)),
      sink.insert(forged),
      sink.insert(envelopeOf(b1)),
      sink.insert(envelopeOf(b2)),
    ])
    expect(outcomes).toEqual(['not-next', 'invalid', 'inserted', 'inserted'])
    expect(bytesToHex(ver.engine.head.unsafe.hash)).toBe(bytesToHex(b2.hash))
    expect(bytesToHex(ver.engine.head.safe.hash)).toBe(bytesToHex(g.hash))
    // the block at or below the head is not re-applied
    expect(await sink.insert(envelopeOf(b1))).toBe('not-next')
  })
})
