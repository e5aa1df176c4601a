import type { BlockSelector, CallRequest } from './backend.ts'
import { RpcError } from './jsonrpc.ts'

// Strict parameter parsing (execution-apis encoding rules, geth's messages where it has one).
// A parser throws ParamError with the reason; ParamReader turns it into -32602 naming the argument.

export class ParamError extends Error {}

export type Parser<T> = (v: unknown) => T

const HEX_RE = /^[0-9a-fA-F]*$/

export type BlockTag = 'latest' | 'pending' | 'safe' | 'finalized' | 'earliest'
const BLOCK_TAGS: readonly string[] = ['latest', 'pending', 'safe', 'finalized', 'earliest']

function hexBody(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new ParamError(`expected ${what} as a 0x-prefixed hex string, got ${typeName(v)}`)
  if (!v.startsWith('0x') && !v.startsWith('0X')) throw new ParamError('hex string without 0x prefix')
  const body = v.slice(2)
  if (!HEX_RE.test(body)) throw new ParamError(`invalid hex string ${short(v)}`)
  return body
}

function typeName(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`
}

function short(s: string): string {
  return JSON.stringify(s.length > 20 ? `${s.slice(0, 20)}...` : s)
}

/** QUANTITY: 0x-prefixed, at least one digit, no leading zeros, at most `bits` bits. */
export function quantity(bits = 256): Parser<bigint> {
  return (v) => {
    const body = hexBody(v, 'a QUANTITY')
    if (body.length === 0) throw new ParamError('hex string "0x" has no digits')
    if (body.length > 1 && body[0] === '0') throw new ParamError('hex number with leading zero digits')
    if (body.length > bits / 4) throw new ParamError(`hex number > ${bits} bits`)
    return BigInt(`0x${body}`)
  }
}

export const uint256 = quantity(256)
export const uint64 = quantity(64)

/** A uint64 QUANTITY returned as a JS number (indexes, counts); refuses values above 2^53. */
export const smallInt: Parser<number> = (v) => {
  const n = uint64(v)
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new ParamError('number too large')
  return Number(n)
}

/** DATA: 0x-prefixed, even number of hex digits. */
export const data: Parser<Uint8Array> = (v) => {
  const body = hexBody(v, 'DATA')
  if (body.length % 2 !== 0) throw new ParamError('hex string of odd length')
  return Uint8Array.from(Buffer.from(body, 'hex'))
}

function fixedData(n: number, what: string): Parser<Uint8Array> {
  return (v) => {
    const body = hexBody(v, what)
    if (body.length !== n * 2) {
      throw new ParamError(`hex string has length ${body.length}, want ${n * 2} for ${what}`)
    }
    return Uint8Array.from(Buffer.from(body, 'hex'))
  }
}

export const address = fixedData(20, 'a 20-byte address')
export const hash32 = fixedData(32, 'a 32-byte hash')

/** A storage slot: up to 32 bytes of hex (geth also accepts short and odd-length forms), left-padded. */
export const storageSlot: Parser<Uint8Array> = (v) => {
  let body = hexBody(v, 'a storage slot')
  if (body.length > 64) throw new ParamError('hex string too long, want at most 32 bytes')
  if (body.length % 2) body = `0${body}`
  const out = new Uint8Array(32)
  out.set(Buffer.from(body, 'hex'), 32 - body.length / 2)
  return out
}

export const bool: Parser<boolean> = (v) => {
  if (typeof v !== 'boolean') throw new ParamError(`expected a boolean, got ${typeName(v)}`)
  return v
}

/** A block tag or number (eth_getBlockByNumber, getLogs fromBlock...). */
export const blockTagOrNumber: Parser<{ tag: BlockTag } | { number: bigint }> = (v) => {
  if (typeof v === 'string' && BLOCK_TAGS.includes(v)) return { tag: v as BlockTag }
  if (typeof v !== 'string') {
    throw new ParamError(`expected a block number or one of ${BLOCK_TAGS.join('|')}, got ${typeName(v)}`)
  }
  if (!v.startsWith('0x') && !v.startsWith('0X')) {
    throw new ParamError(`expected a hex block number or one of ${BLOCK_TAGS.join('|')}, got ${short(v)}`)
  }
  return { number: uint64(v) }
}

/** EIP-1898 block parameter: tag, number, 32-byte hash, {blockHash, requireCanonical} or {blockNumber}. */
export const blockNumberOrHash: Parser<BlockSelector> = (v) => {
  if (typeof v === 'string') {
    if (v.length === 66 && (v.startsWith('0x') || v.startsWith('0X'))) return { hash: hash32(v) }
    return blockTagOrNumber(v)
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = v as Record<string, unknown>
    const hasHash = o.blockHash !== undefined && o.blockHash !== null
    const hasNumber = o.blockNumber !== undefined && o.blockNumber !== null
    if (hasHash && hasNumber)
      throw new ParamError('cannot specify both blockHash and blockNumber, choose one or the other')
    if (hasHash) {
      const hash = field(o, 'blockHash', hash32)
      const rc = o.requireCanonical
      if (rc !== undefined && rc !== null && typeof rc !== 'boolean') {
        throw new ParamError(`field 'requireCanonical': expected a boolean, got ${typeName(rc)}`)
      }
      return rc === true ? { hash, requireCanonical: true } : { hash }
    }
    if (hasNumber) return field(o, 'blockNumber', blockTagOrNumber)
    throw new ParamError('expected blockHash or blockNumber')
  }
  throw new ParamError(`expected a block number, tag, hash or {blockHash|blockNumber}, got ${typeName(v)}`)
}

/** Reads one field of an object parameter, prefixing errors with the field name. */
export function field<T>(o: Record<string, unknown>, name: string, parse: Parser<T>): T {
  try {
    return parse(o[name])
  } catch (err) {
    if (err instanceof ParamError) throw new ParamError(`field '${name}': ${err.message}`)
    throw err
  }
}

function optField<T>(o: Record<string, unknown>, name: string, parse: Parser<T>): T | undefined {
  const v = o[name]
  return v === undefined || v === null ? undefined : field(o, name, parse)
}

export function object(v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new ParamError(`expected an object, got ${typeName(v)}`)
  }
  return v as Record<string, unknown>
}

export function arrayOf<T>(parse: Parser<T>, max?: number): Parser<T[]> {
  return (v) => {
    if (!Array.isArray(v)) throw new ParamError(`expected an array, got ${typeName(v)}`)
    if (max !== undefined && v.length > max) throw new ParamError(`too many items (${v.length}, max ${max})`)
    return v.map((item, i) => {
      try {
        return parse(item)
      } catch (err) {
        if (err instanceof ParamError) throw new ParamError(`item ${i}: ${err.message}`)
        throw err
      }
    })
  }
}

const accessList = arrayOf((v) => {
  const o = object(v)
  return { address: field(o, 'address', address), storageKeys: field(o, 'storageKeys', arrayOf(hash32)) }
})

/** eth_call / eth_estimateGas transaction object (geth TransactionArgs subset). Unknown fields are ignored. */
export const callRequest: Parser<CallRequest> = (v) => {
  const o = object(v)
  const req: CallRequest = {}
  const from = optField(o, 'from', address)
  const to = optField(o, 'to', address)
  const gas = optField(o, 'gas', uint64)
  const gasPrice = optField(o, 'gasPrice', uint256)
  const maxFeePerGas = optField(o, 'maxFeePerGas', uint256)
  const maxPriorityFeePerGas = optField(o, 'maxPriorityFeePerGas', uint256)
  const value = optField(o, 'value', uint256)
  const nonce = optField(o, 'nonce', uint64)
  const input = optField(o, 'input', data)
  const dataField = optField(o, 'data', data)
  const al = optField(o, 'accessList', accessList)
  if (input && dataField && Buffer.compare(input, dataField) !== 0) {
    throw new ParamError(
      `both "data" and "input" are set and not equal. Please use "input" to pass transaction call data`,
    )
  }
  if (gasPrice !== undefined && (maxFeePerGas !== undefined || maxPriorityFeePerGas !== undefined)) {
    throw new ParamError('both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified')
  }
  if (maxFeePerGas !== undefined && maxPriorityFeePerGas !== undefined && maxPriorityFeePerGas > maxFeePerGas) {
    throw new ParamError(
      `maxFeePerGas (${maxFeePerGas}) < maxPriorityFeePerGas (${maxPriorityFeePerGas}): fee cap less than tip cap`,
    )
  }
  if (from) req.from = from
  if (to) req.to = to
  if (gas !== undefined) req.gas = gas
  if (gasPrice !== undefined) req.gasPrice = gasPrice
  if (maxFeePerGas !== undefined) req.maxFeePerGas = maxFeePerGas
  if (maxPriorityFeePerGas !== undefined) req.maxPriorityFeePerGas = maxPriorityFeePerGas
  if (value !== undefined) req.value = value
  if (nonce !== undefined) req.nonce = nonce
  const d = input ?? dataField
  if (d) req.data = d
  if (al) req.accessList = al
  return req
}

/** Topic filter: up to 4 positions, each null (any), a hash, or an array of hashes (null inside = any). */
export const topicFilter: Parser<(Uint8Array[] | null)[]> = (v) => {
  if (!Array.isArray(v)) throw new ParamError(`expected an array, got ${typeName(v)}`)
  if (v.length > 4) throw new ParamError('exceed max topics (4)')
  return v.map((pos, i) => {
    try {
      if (pos === null) return null
      if (Array.isArray(pos)) {
        if (pos.some((t) => t === null)) return null
        return pos.map((t) => hash32(t))
      }
      return [hash32(pos)]
    } catch (err) {
      if (err instanceof ParamError) throw new ParamError(`topic ${i}: ${err.message}`)
      throw err
    }
  })
}

/** An address filter: one address or an array of them. */
export const addressFilter: Parser<Uint8Array[]> = (v) => (Array.isArray(v) ? arrayOf(address)(v) : [address(v)])

export interface RawLogFilter {
  blockHash?: Uint8Array
  fromBlock?: { tag: BlockTag } | { number: bigint }
  toBlock?: { tag: BlockTag } | { number: bigint }
  addresses: Uint8Array[]
  topics: (Uint8Array[] | null)[]
}

export const logFilter: Parser<RawLogFilter> = (v) => {
  const o = object(v)
  const blockHash = optField(o, 'blockHash', hash32)
  const fromBlock = optField(o, 'fromBlock', blockTagOrNumber)
  const toBlock = optField(o, 'toBlock', blockTagOrNumber)
  if (blockHash && (fromBlock || toBlock)) {
    throw new ParamError('cannot specify both BlockHash and FromBlock/ToBlock, choose one or the other')
  }
  const f: RawLogFilter = {
    addresses: optField(o, 'address', addressFilter) ?? [],
    topics: optField(o, 'topics', topicFilter) ?? [],
  }
  if (blockHash) f.blockHash = blockHash
  if (fromBlock) f.fromBlock = fromBlock
  if (toBlock) f.toBlock = toBlock
  return f
}

/** Reads positional params; errors name the argument: "invalid argument 0 (address): ...". */
export class ParamReader {
  constructor(
    readonly raw: unknown[],
    readonly names: readonly string[],
  ) {
    if (raw.length > names.length) {
      throw RpcError.invalidParams(`too many arguments, want at most ${names.length}`)
    }
  }

  required<T>(i: number, parse: Parser<T>): T {
    const v = this.raw[i]
    if (v === undefined || v === null) {
      throw RpcError.invalidParams(`missing value for required argument ${i} (${this.names[i]})`)
    }
    return this.parse(i, v, parse)
  }

  optional<T>(i: number, parse: Parser<T>): T | undefined {
    const v = this.raw[i]
    return v === undefined || v === null ? undefined : this.parse(i, v, parse)
  }

  private parse<T>(i: number, v: unknown, parse: Parser<T>): T {
    try {
      return parse(v)
    } catch (err) {
      if (err instanceof ParamError) {
        throw RpcError.invalidParams(`invalid argument ${i} (${this.names[i]}): ${err.message}`)
      }
      throw err
    }
  }
}
