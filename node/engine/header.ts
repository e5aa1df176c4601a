import { RLP } from '@ethereumjs/rlp'
import { keccak256 as keccak_256 } from '../../config/keccak.ts'
import type { BlockHeader } from './types.ts'

// Geth header RLP: the optional tail fields are appended in fork order and must be contiguous.

export const EMPTY_OMMERS_HASH = keccak_256(RLP.encode([]))
export const EMPTY_TRIE_ROOT = keccak_256(RLP.encode(new Uint8Array(0)))

function uint(n: bigint): Uint8Array {
  if (n === 0n) return new Uint8Array(0)
  let hex = n.toString(16)
  if (hex.length % 2) hex = `0${hex}`
  return Uint8Array.from(Buffer.from(hex, 'hex'))
}

function toBigInt(b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt(`0x${Buffer.from(b).toString('hex')}`)
}

export function headerFields(h: BlockHeader): Uint8Array[] {
  const f: Uint8Array[] = [
    h.parentHash,
    h.ommersHash,
    h.coinbase,
    h.stateRoot,
    h.transactionsRoot,
    h.receiptsRoot,
    h.logsBloom,
    uint(h.difficulty),
    uint(h.number),
    uint(h.gasLimit),
    uint(h.gasUsed),
    uint(h.timestamp),
    h.extraData,
    h.mixHash,
    h.nonce,
    uint(h.baseFeePerGas),
  ]
  const tail: (Uint8Array | undefined)[] = [
    h.withdrawalsRoot,
    h.blobGasUsed === undefined ? undefined : uint(h.blobGasUsed),
    h.excessBlobGas === undefined ? undefined : uint(h.excessBlobGas),
    h.parentBeaconBlockRoot,
    h.requestsHash,
  ]
  // Stop at the first absent field: geth would reject a gap.
  for (const t of tail) {
    if (t === undefined) break
    f.push(t)
  }
  return f
}

export function encodeHeader(h: BlockHeader): Uint8Array {
  return RLP.encode(headerFields(h))
}

export function hashHeader(h: BlockHeader): Uint8Array {
  return keccak_256(encodeHeader(h))
}

export function decodeHeader(raw: Uint8Array): BlockHeader {
  const f = RLP.decode(raw) as Uint8Array[]
  if (!Array.isArray(f) || f.length < 15) throw new Error('header: not an RLP list of at least 15 fields')
  const at = (i: number) => f[i] as Uint8Array
  const h: BlockHeader = {
    parentHash: at(0),
    ommersHash: at(1),
    coinbase: at(2),
    stateRoot: at(3),
    transactionsRoot: at(4),
    receiptsRoot: at(5),
    logsBloom: at(6),
    difficulty: toBigInt(at(7)),
    number: toBigInt(at(8)),
    gasLimit: toBigInt(at(9)),
    gasUsed: toBigInt(at(10)),
    timestamp: toBigInt(at(11)),
    extraData: at(12),
    mixHash: at(13),
    nonce: at(14),
    baseFeePerGas: f.length > 15 ? toBigInt(at(15)) : 0n,
  }
  if (f.length > 16) h.withdrawalsRoot = at(16)
  if (f.length > 17) h.blobGasUsed = toBigInt(at(17))
  if (f.length > 18) h.excessBlobGas = toBigInt(at(18))
  if (f.length > 19) h.parentBeaconBlockRoot = at(19)
  if (f.length > 20) h.requestsHash = at(20)
  return h
}
