import { readFileSync } from 'node:fs'
import snappy from 'snappyjs'
import { describe, expect, it } from 'vitest'
import { bytesToHex, hexToBytes } from '../../../config/bytes.ts'
import type { ExecutionPayloadEnvelope } from '../../../config/executionPayload.ts'
import { keccak256 } from '../../../config/keccak.ts'
import { GossipDecodeError } from '../../../node/p2p/errors.ts'
import { decodeExecutionPayload, encodeExecutionPayload } from '../../../node/p2p/executionPayloadSsz.ts'
import {
  blockSigningHash,
  blocksTopic,
  decodeGossipMessage,
  decompressGossipMessage,
  encodeGossipMessage,
  encodeSignedPayload,
  gossipMessageId,
  type PayloadVersion,
  payloadVersionAt,
  recoverBlockSigner,
  signBlock,
} from '../../../node/p2p/gossipCodec.ts'
import { DEV_ADDRS, DEV_KEYS } from '../../helpers/engineFixture.ts'

// Vectors: alloy-rs/op-alloy crates/rpc-types-engine/src/envelope.rs @ a93a08a0 (see test/fixtures/opstack/p2p).
interface Vector {
  version: PayloadVersion
  message_snappy_hex: string
  upstream_asserted: { payload_timestamp: number }
  decoded_independently: {
    decompressed_len: number
    signature_65: string
    parent_beacon_block_root: string | null
    payload_hash_keccak_of_signed_bytes: string
    ssz_payload: {
      block_hash: string
      timestamp: number
      tx_count: number
      withdrawals_count: number | null
      blob_gas_used: number | null
      excess_blob_gas: number | null
      withdrawals_root: string | null
      fixed_part_len: number
    }
  }
}
const vectors = JSON.parse(
  readFileSync(new URL('../../fixtures/opstack/p2p/gossip_vectors.json', import.meta.url), 'utf8'),
) as {
  signing_hash: { inner_bytes: string; chain_id: number; expected_signing_hash: string }
  messages: Vector[]
}

const KEY = DEV_KEYS[0] as Uint8Array
const KEY_ADDR = DEV_ADDRS[0] as Uint8Array

function samplePayload(version: PayloadVersion): ExecutionPayloadEnvelope {
  const fill = (n: number, v: number) => new Uint8Array(n).fill(v)
  return {
    executionPayload: {
      parentHash: fill(32, 1),
      feeRecipient: fill(20, 2),
      stateRoot: fill(32, 3),
      receiptsRoot: fill(32, 4),
      logsBloom: fill(256, 5),
      prevRandao: fill(32, 6),
      blockNumber: 123_456n,
      gasLimit: 30_000_000n,
      gasUsed: 21_000n,
      timestamp: 1_700_000_002n,
      extraData: Uint8Array.of(0, 0, 0, 0, 250, 0, 0, 0, 6),
      baseFeePerGas: 2n ** 200n + 7n,
      blockHash: fill(32, 7),
      transactions: [Uint8Array.of(0x7e, 1, 2, 3), new Uint8Array(0), fill(300, 0xaa)],
      ...(version >= 2 ? { withdrawals: [] } : {}),
      ...(version >= 3 ? { blobGasUsed: 0n, excessBlobGas: 0n } : {}),
      ...(version >= 4 ? { withdrawalsRoot: fill(32, 8) } : {}),
    },
    ...(version >= 3 ? { parentBeaconBlockRoot: fill(32, 9) } : {}),
  }
}

describe('gossip codec: op-alloy vectors', () => {
  for (const v of vectors.messages) {
    it(`decodes the v${v.version} message and re-encodes it bit-exact`, () => {
      const data = hexToBytes(v.message_snappy_hex)
      const d = v.decoded_independently
      const raw = decompressGossipMessage(data)
      expect(raw.length).toBe(d.decompressed_len)
      const msg = decodeGossipMessage(data, v.version)
      expect(bytesToHex(msg.signature)).toBe(d.signature_65)
      expect(bytesToHex(keccak256(msg.signedBytes))).toBe(d.payload_hash_keccak_of_signed_bytes)
      const p = msg.envelope.executionPayload
      expect(Number(p.timestamp)).toBe(v.upstream_asserted.payload_timestamp)
      expect(bytesToHex(p.blockHash)).toBe(d.ssz_payload.block_hash)
      expect(p.transactions.length).toBe(d.ssz_payload.tx_count)
      expect(p.withdrawals?.length ?? null).toBe(d.ssz_payload.withdrawals_count)
      expect(p.blobGasUsed ?? null).toBe(
        d.ssz_payload.blob_gas_used === null ? null : BigInt(d.ssz_payload.blob_gas_used),
      )
      expect(p.excessBlobGas ?? null).toBe(
        d.ssz_payload.excess_blob_gas === null ? null : BigInt(d.ssz_payload.excess_blob_gas),
      )
      expect(p.withdrawalsRoot ? bytesToHex(p.withdrawalsRoot) : null).toBe(d.ssz_payload.withdrawals_root)
      expect(msg.envelope.parentBeaconBlockRoot ? bytesToHex(msg.envelope.parentBeaconBlockRoot) : null).toBe(
        d.parent_beacon_block_root,
      )
      // Re-encoding the decoded envelope reproduces the signed bytes exactly. (The compressed bytes differ from
      // Rust snap's by encoder choice; both decompress to the same message.)
      const reSigned = encodeSignedPayload(msg.envelope, v.version)
      expect(bytesToHex(reSigned)).toBe(bytesToHex(msg.signedBytes))
      const recompressed = snappy.compress(raw)
      expect(bytesToHex(decompressGossipMessage(recompressed))).toBe(bytesToHex(raw))
    })
  }

  it('computes the upstream signing hash (chain 10, payload 0x99 x 32)', () => {
    const s = vectors.signing_hash
    expect(bytesToHex(blockSigningHash(BigInt(s.chain_id), hexToBytes(s.inner_bytes)))).toBe(s.expected_signing_hash)
  })

  it('rejects a vector decoded with the wrong version layout', () => {
    const v3 = vectors.messages.find((m) => m.version === 3) as Vector
    expect(() => decodeGossipMessage(hexToBytes(v3.message_snappy_hex), 4)).toThrow(GossipDecodeError)
  })
})

describe('gossip codec: SSZ, signing and framing', () => {
  for (const version of [1, 2, 3, 4] as PayloadVersion[]) {
    it(`round-trips a v${version} payload with transactions through SSZ`, () => {
      const env = samplePayload(version)
      const ssz = encodeExecutionPayload(env.executionPayload, version)
      expect(decodeExecutionPayload(ssz, version)).toEqual(env.executionPayload)
    })
  }

  it('signs with the unsafe block signer key and recovers its address', () => {
    const env = samplePayload(3)
    const data = encodeGossipMessage(env, 3, 901n, KEY)
    const msg = decodeGossipMessage(data, 3)
    expect(msg.envelope).toEqual(env)
    expect(bytesToHex(recoverBlockSigner(901n, msg.signature, msg.signedBytes))).toBe(bytesToHex(KEY_ADDR))
    // another chain id gives a different signing hash, so a different (wrong) signer
    expect(bytesToHex(recoverBlockSigner(902n, msg.signature, msg.signedBytes))).not.toBe(bytesToHex(KEY_ADDR))
    // tampering with the signed bytes changes the recovered signer
    const tampered = Uint8Array.from(msg.signedBytes)
    tampered[40] = (tampered[40] as number) ^ 1
    expect(bytesToHex(recoverBlockSigner(901n, msg.signature, tampered))).not.toBe(bytesToHex(KEY_ADDR))
  })

  it('produces signatures as r ++ s ++ yParity(0|1)', () => {
    const sig = signBlock(KEY, 10n, new Uint8Array(32).fill(0x99))
    expect(sig.length).toBe(65)
    expect([0, 1]).toContain(sig[64])
    const bad = Uint8Array.from(sig)
    bad[64] = 27
    expect(() => recoverBlockSigner(10n, bad, new Uint8Array(32).fill(0x99))).toThrow(GossipDecodeError)
  })

  it('rejects malformed SSZ: short fixed part, bad offsets, long extraData', () => {
    const ssz = encodeExecutionPayload(samplePayload(2).executionPayload, 2)
    expect(() => decodeExecutionPayload(ssz.subarray(0, 511), 2)).toThrow(/fixed part/)
    const badExtra = Uint8Array.from(ssz)
    new DataView(badExtra.buffer).setUint32(436, 600, true)
    expect(() => decodeExecutionPayload(badExtra, 2)).toThrow(/extraData offset/)
    const longExtra = { ...samplePayload(2).executionPayload, extraData: new Uint8Array(33) }
    expect(() => encodeExecutionPayload(longExtra, 2)).toThrow(/extraData/)
    const badTx = Uint8Array.from(ssz)
    // first transaction offset (relative to the list) pointing past the end
    const txOffset = new DataView(badTx.buffer).getUint32(504, true)
    new DataView(badTx.buffer).setUint32(txOffset, 0xffff, true)
    expect(() => decodeExecutionPayload(badTx, 2)).toThrow(GossipDecodeError)
  })

  it('bounds the decompressed size (66 bytes .. 10 MiB) before decompressing', () => {
    expect(() => decompressGossipMessage(snappy.compress(new Uint8Array(65)))).toThrow(/outside/)
    // a header announcing 11 MiB
    expect(() => decompressGossipMessage(Uint8Array.of(0x80, 0x80, 0xc0, 0x05, 0))).toThrow(/outside/)
    expect(() => decompressGossipMessage(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff))).toThrow(/snappy/)
  })

  it('names topics per version and picks the version by fork time', () => {
    expect(blocksTopic(901n, 1)).toBe('/optimism/901/0/blocks')
    expect(blocksTopic(10, 4)).toBe('/optimism/10/3/blocks')
    const cfg = { l2_chain_id: 901, canyon_time: 100, ecotone_time: 200, isthmus_time: 300 }
    expect(payloadVersionAt(cfg, 99n)).toBe(1)
    expect(payloadVersionAt(cfg, 100n)).toBe(2)
    expect(payloadVersionAt(cfg, 250n)).toBe(3)
    expect(payloadVersionAt(cfg, 300n)).toBe(4)
    expect(payloadVersionAt({ l2_chain_id: 1 }, 10n ** 12n)).toBe(1)
  })

  it('derives message ids from the decompressed data and the topic', () => {
    const v1 = vectors.messages[0] as Vector
    const data = hexToBytes(v1.message_snappy_hex)
    const id = gossipMessageId('/optimism/10/0/blocks', data)
    expect(id.length).toBe(20)
    // same content, different compression: same id
    const recompressed = snappy.compress(decompressGossipMessage(data))
    expect(bytesToHex(gossipMessageId('/optimism/10/0/blocks', recompressed))).toBe(bytesToHex(id))
    expect(bytesToHex(gossipMessageId('/optimism/11/0/blocks', data))).not.toBe(bytesToHex(id))
    // invalid snappy uses the raw-data domain and still yields an id
    expect(gossipMessageId('/optimism/10/0/blocks', Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff)).length).toBe(20)
  })
})
