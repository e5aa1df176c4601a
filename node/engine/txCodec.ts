import { RLP } from '@ethereumjs/rlp'
import { keccak256 as keccak_256 } from '../../config/keccak.ts'
import { InvalidTransactionError } from './errors.ts'
import { bytesToBigint } from './state/account.ts'

// A lean decoder for signed legacy (0), EIP-2930 (1) and EIP-1559 (2) transactions: the block builder's hot
// path. It validates what consensus requires (canonical integers, field sizes, chain id, signature ranges)
// without constructing ethereumjs tx objects (which copy their Common per transaction).

export interface SignedTx {
  type: 0 | 1 | 2
  chainId?: bigint
  nonce: bigint
  gasLimit: bigint
  /** Legacy and 2930: gasPrice; 1559: maxFeePerGas. */
  maxFeePerGas: bigint
  /** Legacy and 2930: gasPrice; 1559: maxPriorityFeePerGas. */
  maxPriorityFeePerGas: bigint
  to?: Uint8Array
  value: bigint
  data: Uint8Array
  accessList: [Uint8Array, Uint8Array[]][]
  v: bigint
  r: Uint8Array
  s: Uint8Array
  raw: Uint8Array
  /** keccak(raw) */
  hash: Uint8Array
  /** The hash the sender signed. */
  signingHash: Uint8Array
  /** Recovery id (0/1). */
  recid: number
}

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
const HALF_N = SECP256K1_N / 2n
const MAX_U64 = (1n << 64n) - 1n

function uint(b: unknown, name: string, max?: bigint): bigint {
  if (!(b instanceof Uint8Array)) throw new InvalidTransactionError(`${name}: expected a byte string`)
  if (b.length > 0 && b[0] === 0) throw new InvalidTransactionError(`${name}: non-canonical integer (leading zero)`)
  if (b.length > 32) throw new InvalidTransactionError(`${name}: integer longer than 32 bytes`)
  const v = bytesToBigint(b)
  if (max !== undefined && v > max) throw new InvalidTransactionError(`${name}: out of range`)
  return v
}

function bytes(b: unknown, name: string): Uint8Array {
  if (!(b instanceof Uint8Array)) throw new InvalidTransactionError(`${name}: expected a byte string`)
  return b
}

function toField(b: unknown): Uint8Array | undefined {
  const t = bytes(b, 'to')
  if (t.length === 0) return undefined
  if (t.length !== 20) throw new InvalidTransactionError('to: must be 20 bytes or empty')
  return t
}

function accessList(x: unknown): [Uint8Array, Uint8Array[]][] {
  if (!Array.isArray(x)) throw new InvalidTransactionError('accessList: expected a list')
  return x.map((item) => {
    if (!Array.isArray(item) || item.length !== 2) throw new InvalidTransactionError('accessList: bad item')
    const a = bytes(item[0], 'accessList address')
    if (a.length !== 20) throw new InvalidTransactionError('accessList: address must be 20 bytes')
    if (!Array.isArray(item[1])) throw new InvalidTransactionError('accessList: storage keys must be a list')
    const keys = (item[1] as unknown[]).map((k) => {
      const kb = bytes(k, 'accessList key')
      if (kb.length !== 32) throw new InvalidTransactionError('accessList: storage key must be 32 bytes')
      return kb
    })
    return [a, keys]
  })
}

function sig(rRaw: unknown, sRaw: unknown): { r: Uint8Array; s: Uint8Array } {
  const r = uint(rRaw, 'r')
  const s = uint(sRaw, 's')
  if (r === 0n || r >= SECP256K1_N || s === 0n || s > HALF_N)
    throw new InvalidTransactionError('invalid signature values')
  return { r: bytes(rRaw, 'r'), s: bytes(sRaw, 's') }
}

function concatType(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 1)
  out[0] = type
  out.set(body, 1)
  return out
}

/** Decodes and statelessly validates a signed tx for `chainId`. Throws InvalidTransactionError. */
export function decodeSignedTx(raw: Uint8Array, chainId: bigint): SignedTx {
  if (raw.length === 0) throw new InvalidTransactionError('empty transaction')
  const first = raw[0] as number
  let f: unknown[]
  try {
    f = (first >= 0xc0 ? RLP.decode(raw) : RLP.decode(raw.subarray(1))) as unknown[]
  } catch (err) {
    throw new InvalidTransactionError(`undecodable transaction: ${(err as Error).message}`)
  }
  if (!Array.isArray(f)) throw new InvalidTransactionError('transaction is not an RLP list')
  const hash = keccak_256(raw)
  if (first >= 0xc0) {
    if (f.length !== 9) throw new InvalidTransactionError('legacy transaction must have 9 fields')
    const v = uint(f[6], 'v')
    let recid: number
    let txChainId: bigint | undefined
    if (v === 27n || v === 28n) recid = Number(v - 27n)
    else {
      txChainId = (v - 35n) / 2n
      if (v < 35n || txChainId !== chainId) throw new InvalidTransactionError('invalid chain id for signer')
      recid = Number(v - 35n - chainId * 2n)
    }
    const { r, s } = sig(f[7], f[8])
    const unsigned =
      txChainId === undefined
        ? f.slice(0, 6)
        : [...f.slice(0, 6), chainIdBytes(chainId), new Uint8Array(0), new Uint8Array(0)]
    const gasPrice = uint(f[1], 'gasPrice')
    return {
      type: 0,
      chainId: txChainId,
      nonce: uint(f[0], 'nonce', MAX_U64),
      maxFeePerGas: gasPrice,
      maxPriorityFeePerGas: gasPrice,
      gasLimit: uint(f[2], 'gasLimit', MAX_U64),
      to: toField(f[3]),
      value: uint(f[4], 'value'),
      data: bytes(f[5], 'data'),
      accessList: [],
      v,
      r,
      s,
      raw,
      hash,
      signingHash: keccak_256(RLP.encode(unsigned as never)),
      recid,
    }
  }
  if (first === 1 || first === 2) {
    const n = first === 1 ? 11 : 12
    if (f.length !== n) throw new InvalidTransactionError(`type ${first} transaction must have ${n} fields`)
    const txChainId = uint(f[0], 'chainId')
    if (txChainId !== chainId) throw new InvalidTransactionError('invalid chain id for signer')
    const yParity = uint(f[n - 3], 'yParity')
    if (yParity > 1n) throw new InvalidTransactionError('yParity must be 0 or 1')
    const { r, s } = sig(f[n - 2], f[n - 1])
    const o = first === 1 ? 0 : 1
    const gasPrice = uint(f[2], first === 1 ? 'gasPrice' : 'maxPriorityFeePerGas')
    const feeCap = first === 1 ? gasPrice : uint(f[3], 'maxFeePerGas')
    return {
      type: first,
      chainId: txChainId,
      nonce: uint(f[1], 'nonce', MAX_U64),
      maxPriorityFeePerGas: gasPrice,
      maxFeePerGas: feeCap,
      gasLimit: uint(f[3 + o], 'gasLimit', MAX_U64),
      to: toField(f[4 + o]),
      value: uint(f[5 + o], 'value'),
      data: bytes(f[6 + o], 'data'),
      accessList: accessList(f[7 + o]),
      v: yParity,
      r,
      s,
      raw,
      hash,
      signingHash: keccak_256(concatType(first, RLP.encode(f.slice(0, n - 3) as never))),
      recid: Number(yParity),
    }
  }
  throw new InvalidTransactionError(`transaction type ${first} not supported`)
}

function chainIdBytes(chainId: bigint): Uint8Array {
  if (chainId === 0n) return new Uint8Array(0)
  let h = chainId.toString(16)
  if (h.length & 1) h = `0${h}`
  return Buffer.from(h, 'hex')
}

/** Intrinsic gas (Shanghai+ rules: EIP-2028 calldata, EIP-2930 access lists, EIP-3860 initcode words). */
export function txIntrinsicGas(tx: Pick<SignedTx, 'to' | 'data' | 'accessList'>, shanghai: boolean): bigint {
  let gas = tx.to === undefined ? 53000n : 21000n
  const d = tx.data
  let nz = 0
  for (let i = 0; i < d.length; i++) if (d[i] !== 0) nz++
  gas += BigInt(nz) * 16n + BigInt(d.length - nz) * 4n
  if (tx.to === undefined && shanghai) gas += BigInt(Math.ceil(d.length / 32)) * 2n
  for (const [, keys] of tx.accessList) gas += 2400n + BigInt(keys.length) * 1900n
  return gas
}
