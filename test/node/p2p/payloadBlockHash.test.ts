import { afterEach, describe, expect, it } from 'vitest'
import { bytesToHex } from '../../../config/bytes.ts'
import { payloadFromBlock } from '../../../node/engine/engine.ts'
import { decodeGossipMessage, encodeGossipMessage } from '../../../node/p2p/gossipCodec.ts'
import { computePayloadBlockHash, verifyPayloadBlockHash } from '../../../node/p2p/payloadBlockHash.ts'
import {
  attributes,
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

describe('payload block hash', () => {
  it('matches the hash of a block the engine built (Ecotone, with transactions), also after a gossip round trip', async () => {
    const e = await openEngine()
    closers.push(() => e.close())
    const g = e.engine.head.unsafe
    const tx = signTransfer(DEV_KEYS[0] as Uint8Array, 0n, DEV_ADDRS[1] as Uint8Array, 5n)
    const block = await e.engine.buildBlock(attributes(g.header.timestamp, [l1InfoDeposit(), tx]))
    const env = { executionPayload: payloadFromBlock(block), parentBeaconBlockRoot: block.header.parentBeaconBlockRoot }
    expect(bytesToHex(computePayloadBlockHash(env))).toBe(bytesToHex(block.hash))
    const received = decodeGossipMessage(encodeGossipMessage(env, 3, 901n, DEV_KEYS[0] as Uint8Array), 3).envelope
    expect(verifyPayloadBlockHash(received)).toBe(true)
    // any changed field, or a different beacon root, breaks it
    expect(verifyPayloadBlockHash({ ...received, parentBeaconBlockRoot: new Uint8Array(32) })).toBe(false)
    const p = received.executionPayload
    expect(verifyPayloadBlockHash({ ...received, executionPayload: { ...p, transactions: [tx] } })).toBe(false)
    expect(verifyPayloadBlockHash({ ...received, executionPayload: { ...p, gasLimit: p.gasLimit + 1n } })).toBe(false)
  })
})
