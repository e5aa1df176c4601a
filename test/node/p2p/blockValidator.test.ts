import snappy from 'snappyjs'
import { describe, expect, it } from 'vitest'
import { bytesToHex } from '../../../config/bytes.ts'
import type { ExecutionPayloadEnvelope } from '../../../config/executionPayload.ts'
import { BlockGossipValidator, type BlockValidation } from '../../../node/p2p/blockValidator.ts'
import { encodeGossipMessage, type PayloadVersion } from '../../../node/p2p/gossipCodec.ts'
import { computePayloadBlockHash, verifyPayloadBlockHash } from '../../../node/p2p/payloadBlockHash.ts'
import { DEV_ADDRS, DEV_KEYS } from '../../helpers/engineFixture.ts'
import { CHAIN, ecotoneEnvelope } from './gossipFixture.ts'

const NOW = 1_800_000_000
const SEQ_KEY = DEV_KEYS[0] as Uint8Array
const SEQ_ADDR = DEV_ADDRS[0] as Uint8Array

function validator(signer: Uint8Array | undefined) {
  return new BlockGossipValidator({
    chain: CHAIN,
    expectedSigner: () => signer,
    verifyBlockHash: verifyPayloadBlockHash,
    now: () => NOW,
  })
}

const msg = (env: ExecutionPayloadEnvelope, key = SEQ_KEY, version: PayloadVersion = 3) =>
  encodeGossipMessage(env, version, 901n, key)

const reason = (r: BlockValidation) => (r.verdict === 'accept' ? 'accepted' : r.reason)

describe('block gossip validation (op-node rules)', () => {
  it('accepts a block signed by the unsafe block signer and returns the decoded envelope', async () => {
    const env = ecotoneEnvelope(10n, BigInt(NOW))
    const r = await validator(SEQ_ADDR).validate(3, msg(env))
    expect(r.verdict).toBe('accept')
    if (r.verdict === 'accept') expect(r.envelope).toEqual(env)
  })

  it('ignores a block seen before, and rejects a 7th distinct block at one height', async () => {
    const v = validator(SEQ_ADDR)
    const first = ecotoneEnvelope(11n, BigInt(NOW), 0)
    expect((await v.validate(3, msg(first))).verdict).toBe('accept')
    const again = await v.validate(3, msg(first))
    expect([again.verdict, reason(again)]).toEqual(['ignore', 'block already seen'])
    // op-node rejects once more than 5 distinct blocks were already seen at the height
    for (let salt = 1; salt <= 5; salt++) {
      expect((await v.validate(3, msg(ecotoneEnvelope(11n, BigInt(NOW), salt)))).verdict).toBe('accept')
    }
    const seventh = await v.validate(3, msg(ecotoneEnvelope(11n, BigInt(NOW), 6)))
    expect(seventh.verdict).toBe('reject')
    expect(reason(seventh)).toMatch(/more than 5 blocks/)
  })

  it('rejects a wrong signer, and ignores every block when no signer is configured', async () => {
    const env = ecotoneEnvelope(12n, BigInt(NOW))
    const wrong = await validator(SEQ_ADDR).validate(3, msg(env, DEV_KEYS[1] as Uint8Array))
    expect(wrong.verdict).toBe('reject')
    expect(reason(wrong)).toContain(bytesToHex(DEV_ADDRS[1] as Uint8Array))
    const none = await validator(undefined).validate(3, msg(env))
    expect(none.verdict).toBe('ignore')
  })

  it('rejects blocks more than 60 s old or more than 5 s ahead', async () => {
    const v = validator(SEQ_ADDR)
    expect((await v.validate(3, msg(ecotoneEnvelope(13n, BigInt(NOW - 60))))).verdict).toBe('accept')
    const old = await v.validate(3, msg(ecotoneEnvelope(14n, BigInt(NOW - 61))))
    expect([old.verdict, reason(old)]).toEqual(['reject', 'payload is too old'])
    expect((await v.validate(3, msg(ecotoneEnvelope(15n, BigInt(NOW + 5))))).verdict).toBe('accept')
    const early = await v.validate(3, msg(ecotoneEnvelope(16n, BigInt(NOW + 6))))
    expect([early.verdict, reason(early)]).toEqual(['reject', 'payload is too new'])
  })

  it('rejects a block whose hash does not match its contents', async () => {
    const env = ecotoneEnvelope(17n, BigInt(NOW))
    env.executionPayload.gasUsed += 1n
    const r = await validator(SEQ_ADDR).validate(3, msg(env))
    expect([r.verdict, reason(r)]).toEqual(['reject', 'payload has bad block hash'])
  })

  it('rejects a block on the topic of another fork, and Ecotone blocks with blob gas', async () => {
    const env = ecotoneEnvelope(18n, BigInt(NOW))
    // the v3 message decoded as v2 misreads the layout; a well-formed v2 message of an Ecotone block is rejected
    const v2env: ExecutionPayloadEnvelope = {
      executionPayload: { ...env.executionPayload, blobGasUsed: undefined, excessBlobGas: undefined },
    }
    delete v2env.executionPayload.blobGasUsed
    delete v2env.executionPayload.excessBlobGas
    v2env.executionPayload.blockHash = computePayloadBlockHash(v2env)
    const wrongTopic = await validator(SEQ_ADDR).validate(2, msg(v2env, SEQ_KEY, 2))
    expect([wrongTopic.verdict, reason(wrongTopic)]).toEqual(['reject', 'v2 topic carries a block of a v3 fork'])
    const blob = ecotoneEnvelope(19n, BigInt(NOW))
    blob.executionPayload.blobGasUsed = 1n
    blob.executionPayload.blockHash = computePayloadBlockHash(blob)
    const r = await validator(SEQ_ADDR).validate(3, msg(blob))
    expect([r.verdict, reason(r)]).toEqual(['reject', 'blobGasUsed must be 0'])
  })

  it('rejects invalid snappy, undersized messages and undecodable payloads', async () => {
    const v = validator(SEQ_ADDR)
    expect((await v.validate(3, Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff))).verdict).toBe('reject')
    expect((await v.validate(3, snappy.compress(new Uint8Array(40)))).verdict).toBe('reject')
    // signed by the right key but not an SSZ payload
    const env = ecotoneEnvelope(20n, BigInt(NOW))
    const r = await v.validate(4, msg(env))
    expect(r.verdict).toBe('reject')
  })
})
