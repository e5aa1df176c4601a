import { createHash } from 'node:crypto'
import secp256k1 from 'secp256k1'
import snappy from 'snappyjs'
import type { ExecutionPayloadEnvelope } from '../../config/executionPayload.ts'
import { keccak256 } from '../../config/keccak.ts'
import type { RollupConfig } from '../../config/rollupConfig.ts'
import { recoverAddress } from '../engine/crypto.ts'
import { GossipDecodeError, P2PError } from './errors.ts'
import { decodeExecutionPayload, encodeExecutionPayload, type PayloadVersion } from './executionPayloadSsz.ts'

// op-node's unsafe-block gossip message (specs rollup-node-p2p.md, op-node p2p/gossip.go):
//   message     = snappy_block(signature(65) ++ signedBytes)
//   signedBytes = SSZ(payload)                          v1, v2
//               = parentBeaconBlockRoot(32) ++ SSZ(payload)   v3, v4
//   signature   = secp256k1 r ++ s ++ yParity over keccak256(bytes32(0) ++ uint256(chainId) ++ keccak256(signedBytes))

export type { PayloadVersion }

/** The chain facts the gossip codec needs; a RollupConfig satisfies it. */
export type GossipChainConfig = Pick<RollupConfig, 'l2_chain_id' | 'canyon_time' | 'ecotone_time' | 'isthmus_time'>

export const SIGNATURE_LENGTH = 65
/** Smallest decompressed message: a signature plus at least one payload byte (op-node minGossipSize). */
export const MIN_GOSSIP_SIZE = 66
/** Largest decompressed message and largest gossipsub message (op-node maxGossipSize). */
export const MAX_GOSSIP_SIZE = 10 * (1 << 20)
export const PAYLOAD_VERSIONS: readonly PayloadVersion[] = [1, 2, 3, 4]

/** `/optimism/<chainId>/<version - 1>/blocks`. */
export function blocksTopic(chainId: bigint | number, version: PayloadVersion): string {
  return `/optimism/${BigInt(chainId)}/${version - 1}/blocks`
}

/** The payload version whose topic carries blocks with this timestamp (the fork active at that time). */
export function payloadVersionAt(cfg: GossipChainConfig, timestamp: bigint): PayloadVersion {
  const active = (t: number | undefined) => t !== undefined && BigInt(t) <= timestamp
  if (active(cfg.isthmus_time)) return 4
  if (active(cfg.ecotone_time)) return 3
  if (active(cfg.canyon_time)) return 2
  return 1
}

/** keccak256(domain(32 zero bytes) ++ chainId(32 bytes BE) ++ keccak256(signedBytes)). */
export function blockSigningHash(chainId: bigint, signedBytes: Uint8Array): Uint8Array {
  const pre = new Uint8Array(96)
  let c = chainId
  for (let i = 63; i >= 32; i--) {
    pre[i] = Number(c & 0xffn)
    c >>= 8n
  }
  pre.set(keccak256(signedBytes), 64)
  return keccak256(pre)
}

/** Signs with the unsafe block signer key (32 bytes): r ++ s ++ yParity. */
export function signBlock(privateKey: Uint8Array, chainId: bigint, signedBytes: Uint8Array): Uint8Array {
  if (privateKey.length !== 32 || !secp256k1.privateKeyVerify(privateKey)) {
    throw new P2PError('P2P_NO_SIGNER', 'the unsafe block signer key must be a valid 32-byte secp256k1 private key')
  }
  const { signature, recid } = secp256k1.ecdsaSign(blockSigningHash(chainId, signedBytes), privateKey)
  const out = new Uint8Array(SIGNATURE_LENGTH)
  out.set(signature, 0)
  out[64] = recid
  return out
}

/** The address that produced `signature` over `signedBytes`; throws GossipDecodeError if none can be recovered. */
export function recoverBlockSigner(chainId: bigint, signature: Uint8Array, signedBytes: Uint8Array): Uint8Array {
  if (signature.length !== SIGNATURE_LENGTH) {
    throw new GossipDecodeError('P2P_SIGNATURE_INVALID', `block signature must be ${SIGNATURE_LENGTH} bytes`)
  }
  try {
    return recoverAddress(
      blockSigningHash(chainId, signedBytes),
      signature[64] as number,
      signature.subarray(0, 32),
      signature.subarray(32, 64),
    )
  } catch (err) {
    throw new GossipDecodeError(
      'P2P_SIGNATURE_INVALID',
      'block signature does not recover a public key',
      {},
      { cause: err },
    )
  }
}

/** The bytes covered by the signature: SSZ payload, prefixed by parentBeaconBlockRoot from v3. */
export function encodeSignedPayload(envelope: ExecutionPayloadEnvelope, version: PayloadVersion): Uint8Array {
  const ssz = encodeExecutionPayload(envelope.executionPayload, version)
  if (version < 3) return ssz
  const root = envelope.parentBeaconBlockRoot
  if (root?.length !== 32) {
    throw new GossipDecodeError('P2P_SSZ_INVALID', `v${version} payloads need a 32-byte parentBeaconBlockRoot`)
  }
  const out = new Uint8Array(32 + ssz.length)
  out.set(root, 0)
  out.set(ssz, 32)
  return out
}

export function decodeSignedPayload(signedBytes: Uint8Array, version: PayloadVersion): ExecutionPayloadEnvelope {
  if (version < 3) return { executionPayload: decodeExecutionPayload(signedBytes, version) }
  if (signedBytes.length < 32) throw new GossipDecodeError('P2P_SSZ_INVALID', 'missing parentBeaconBlockRoot')
  return {
    parentBeaconBlockRoot: signedBytes.slice(0, 32),
    executionPayload: decodeExecutionPayload(signedBytes.subarray(32), version),
  }
}

/** Length announced by a snappy block's varint header, or undefined if the header is malformed. */
export function snappyDecodedLength(data: Uint8Array): number | undefined {
  let len = 0
  for (let i = 0; i < 5 && i < data.length; i++) {
    const b = data[i] as number
    len += (b & 0x7f) * 2 ** (7 * i)
    if ((b & 0x80) === 0) return len <= 0xffffffff ? len : undefined
  }
  return undefined
}

/** Snappy-block decompression with op-node's size bounds (66 bytes .. 10 MiB). */
export function decompressGossipMessage(data: Uint8Array): Uint8Array {
  const len = snappyDecodedLength(data)
  if (len === undefined) throw new GossipDecodeError('P2P_SNAPPY_INVALID', 'invalid snappy length header')
  if (len > MAX_GOSSIP_SIZE || len < MIN_GOSSIP_SIZE) {
    throw new GossipDecodeError(
      'P2P_MESSAGE_SIZE',
      `decompressed size ${len} outside ${MIN_GOSSIP_SIZE}..${MAX_GOSSIP_SIZE}`,
    )
  }
  let out: Uint8Array
  try {
    // snappyjs returns the input's type: view Buffers (as libp2p delivers them) as plain Uint8Arrays
    out = snappy.uncompress(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), MAX_GOSSIP_SIZE)
  } catch (err) {
    throw new GossipDecodeError('P2P_SNAPPY_INVALID', 'invalid snappy block data', {}, { cause: err })
  }
  if (out.length !== len) throw new GossipDecodeError('P2P_SNAPPY_INVALID', 'snappy data shorter than its header')
  return out
}

export interface SignedGossipMessage {
  signature: Uint8Array
  signedBytes: Uint8Array
}

/** Splits a decompressed message into its signature and the signed bytes. */
export function splitGossipMessage(raw: Uint8Array): SignedGossipMessage {
  if (raw.length < MIN_GOSSIP_SIZE) throw new GossipDecodeError('P2P_MESSAGE_SIZE', 'message shorter than 66 bytes')
  return { signature: raw.subarray(0, SIGNATURE_LENGTH), signedBytes: raw.subarray(SIGNATURE_LENGTH) }
}

/** Builds the wire message: snappy(signature ++ signedBytes), signed with `signerKey`. */
export function encodeGossipMessage(
  envelope: ExecutionPayloadEnvelope,
  version: PayloadVersion,
  chainId: bigint,
  signerKey: Uint8Array,
): Uint8Array {
  const signedBytes = encodeSignedPayload(envelope, version)
  const raw = new Uint8Array(SIGNATURE_LENGTH + signedBytes.length)
  raw.set(signBlock(signerKey, chainId, signedBytes), 0)
  raw.set(signedBytes, SIGNATURE_LENGTH)
  return snappy.compress(raw)
}

export interface DecodedGossipMessage extends SignedGossipMessage {
  envelope: ExecutionPayloadEnvelope
}

/** Decompresses and decodes a message (no signature or content checks: see blockValidator.ts). */
export function decodeGossipMessage(data: Uint8Array, version: PayloadVersion): DecodedGossipMessage {
  const parts = splitGossipMessage(decompressGossipMessage(data))
  return { ...parts, envelope: decodeSignedPayload(parts.signedBytes, version) }
}

const DOMAIN_VALID_SNAPPY = Uint8Array.of(1, 0, 0, 0)
const DOMAIN_INVALID_SNAPPY = Uint8Array.of(0, 0, 0, 0)

/**
 * Gossipsub message id (op-node BuildMsgIdFn): sha256(domain ++ le64(len(topic)) ++ topic ++ data)[0:20], where data
 * is the decompressed message when snappy decodes within 10 MiB (domain 1) and the raw bytes otherwise (domain 0).
 */
export function gossipMessageId(topic: string, data: Uint8Array): Uint8Array {
  let body = data
  let domain = DOMAIN_INVALID_SNAPPY
  const len = snappyDecodedLength(data)
  if (len !== undefined && len <= MAX_GOSSIP_SIZE) {
    try {
      body = snappy.uncompress(data, MAX_GOSSIP_SIZE)
      domain = DOMAIN_VALID_SNAPPY
    } catch {
      body = data
    }
  }
  const topicBytes = Buffer.from(topic, 'utf8')
  const topicLen = Buffer.alloc(8)
  topicLen.writeBigUInt64LE(BigInt(topicBytes.length))
  const h = createHash('sha256').update(domain).update(topicLen).update(topicBytes).update(body).digest()
  return new Uint8Array(h.subarray(0, 20))
}
