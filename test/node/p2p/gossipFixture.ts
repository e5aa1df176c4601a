import type { ExecutionPayloadEnvelope } from '../../../config/executionPayload.ts'
import { keccak256 } from '../../../config/keccak.ts'
import { computePayloadBlockHash } from '../../../node/p2p/payloadBlockHash.ts'

// Gossip test payloads: Ecotone-shaped envelopes whose blockHash is the real hash of their header, so they pass
// the block-hash check unless a test breaks it on purpose.

export const CHAIN = { l2_chain_id: 901, canyon_time: 0, ecotone_time: 0 }

export function ecotoneEnvelope(number: bigint, timestamp: bigint, salt = 0): ExecutionPayloadEnvelope {
  // plain Uint8Arrays (the native keccak returns Buffers), so decoded envelopes compare equal
  const h = (tag: number) => Uint8Array.from(keccak256(Uint8Array.of(tag, salt, Number(number & 0xffn))))
  const env: ExecutionPayloadEnvelope = {
    executionPayload: {
      parentHash: h(1),
      feeRecipient: new Uint8Array(20).fill(0x11),
      stateRoot: h(2),
      receiptsRoot: h(3),
      logsBloom: new Uint8Array(256),
      prevRandao: h(4),
      blockNumber: number,
      gasLimit: 30_000_000n,
      gasUsed: 50_000n,
      timestamp,
      extraData: new Uint8Array(0),
      baseFeePerGas: 1_000_000_000n,
      blockHash: new Uint8Array(32),
      transactions: [Uint8Array.of(0x7e, 0xc0 + salt), Uint8Array.of(0x02, 0x01, 0x02)],
      withdrawals: [],
      blobGasUsed: 0n,
      excessBlobGas: 0n,
    },
    parentBeaconBlockRoot: h(5),
  }
  env.executionPayload.blockHash = Uint8Array.from(computePayloadBlockHash(env))
  return env
}
