import { bytesEqual, bytesToHex } from '../../config/bytes.ts'
import { errorMessage } from '../../config/errors.ts'
import type { ExecutionPayloadEnvelope } from '../../config/executionPayload.ts'
import {
  decodeSignedPayload,
  decompressGossipMessage,
  type GossipChainConfig,
  type PayloadVersion,
  payloadVersionAt,
  recoverBlockSigner,
  splitGossipMessage,
} from './gossipCodec.ts'

// op-node's blocks-topic validator (p2p/gossip.go BuildBlocksValidator), in its order: snappy and size, signature
// and signer, SSZ, timestamp window, block hash, version-specific fields, then the per-height seen-block limits.
// `reject` penalises the sending peer in gossipsub scoring; `ignore` drops the message without penalty.

export type GossipVerdict = 'accept' | 'ignore' | 'reject'

export type BlockValidation =
  | { verdict: 'accept'; envelope: ExecutionPayloadEnvelope }
  | { verdict: 'ignore' | 'reject'; reason: string }

export interface BlockValidatorOptions {
  chain: GossipChainConfig
  /** The unsafe block signer (SystemConfig / --p2p.sequencer.address); undefined ignores all blocks, as op-node. */
  expectedSigner: () => Uint8Array | undefined
  /** True when the payload's blockHash matches its contents (header rebuilt and hashed). */
  verifyBlockHash: (envelope: ExecutionPayloadEnvelope) => boolean | Promise<boolean>
  /** Wall clock in seconds (tests pin it). */
  now?: () => number
}

/** Blocks older than this (seconds) are rejected. */
export const MAX_BLOCK_AGE = 60
/** Blocks further than this (seconds) in the future are rejected. */
export const MAX_BLOCK_FUTURE = 5
/** More distinct blocks than this at one height are rejected (equivocation bound). */
export const MAX_BLOCKS_PER_HEIGHT = 5
/** Heights whose seen block hashes are remembered (op-node's LRU size). */
const SEEN_HEIGHTS = 1000

export class BlockGossipValidator {
  private readonly seen = new Map<bigint, Set<string>>()
  private readonly now: () => number

  constructor(private readonly opts: BlockValidatorOptions) {
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000))
  }

  async validate(version: PayloadVersion, data: Uint8Array): Promise<BlockValidation> {
    const chainId = BigInt(this.opts.chain.l2_chain_id)
    let signature: Uint8Array
    let signedBytes: Uint8Array
    try {
      ;({ signature, signedBytes } = splitGossipMessage(decompressGossipMessage(data)))
    } catch (err) {
      return { verdict: 'reject', reason: errorMessage(err) }
    }

    let signer: Uint8Array
    try {
      signer = recoverBlockSigner(chainId, signature, signedBytes)
    } catch (err) {
      return { verdict: 'reject', reason: errorMessage(err) }
    }
    const expected = this.opts.expectedSigner()
    if (!expected) return { verdict: 'ignore', reason: 'no unsafe block signer configured' }
    if (!bytesEqual(signer, expected)) {
      return { verdict: 'reject', reason: `unexpected block signer ${bytesToHex(signer)}` }
    }

    let envelope: ExecutionPayloadEnvelope
    try {
      envelope = decodeSignedPayload(signedBytes, version)
    } catch (err) {
      return { verdict: 'reject', reason: errorMessage(err) }
    }
    const p = envelope.executionPayload

    const now = BigInt(this.now())
    if (p.timestamp < now - BigInt(MAX_BLOCK_AGE)) return { verdict: 'reject', reason: 'payload is too old' }
    if (p.timestamp > now + BigInt(MAX_BLOCK_FUTURE)) return { verdict: 'reject', reason: 'payload is too new' }

    if (!(await this.opts.verifyBlockHash(envelope))) return { verdict: 'reject', reason: 'payload has bad block hash' }

    const fieldError = this.checkVersionFields(version, envelope)
    if (fieldError) return { verdict: 'reject', reason: fieldError }

    const hash = bytesToHex(p.blockHash)
    let atHeight = this.seen.get(p.blockNumber)
    if (!atHeight) {
      atHeight = new Set()
      this.rememberHeight(p.blockNumber, atHeight)
    }
    if (atHeight.size > MAX_BLOCKS_PER_HEIGHT) {
      return { verdict: 'reject', reason: `more than ${MAX_BLOCKS_PER_HEIGHT} blocks seen at this height` }
    }
    if (atHeight.has(hash)) return { verdict: 'ignore', reason: 'block already seen' }
    atHeight.add(hash)
    return { verdict: 'accept', envelope }
  }

  /** The topic must be the one of the fork active at the block's timestamp, and carry that fork's fields. */
  private checkVersionFields(version: PayloadVersion, env: ExecutionPayloadEnvelope): string | undefined {
    const p = env.executionPayload
    const forkVersion = payloadVersionAt(this.opts.chain, p.timestamp)
    if (forkVersion !== version) return `v${version} topic carries a block of a v${forkVersion} fork`
    if (version >= 2 && (p.withdrawals === undefined || p.withdrawals.length > 0)) {
      return 'withdrawals must be present and empty'
    }
    if (version >= 3) {
      if (p.blobGasUsed !== 0n) return 'blobGasUsed must be 0'
      if (p.excessBlobGas !== 0n) return 'excessBlobGas must be 0'
      if (!env.parentBeaconBlockRoot) return 'parentBeaconBlockRoot missing'
    }
    if (version >= 4 && !p.withdrawalsRoot) return 'withdrawalsRoot missing'
    return undefined
  }

  private rememberHeight(n: bigint, set: Set<string>): void {
    this.seen.set(n, set)
    if (this.seen.size > SEEN_HEIGHTS) {
      const oldest = this.seen.keys().next().value as bigint
      this.seen.delete(oldest)
    }
  }
}
