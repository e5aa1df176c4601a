import type { BlockSelector, CallRequest, LogFilter } from './backend.ts'
import { invalidParams } from './jsonrpc.ts'

// Strict parameter parsing: QUANTITY is 0x hex without leading zeros, DATA is even-length hex; every error
// names the parameter (-32602).

export function quantity(v: unknown, name: string): bigint {
  if (typeof v !== 'string' || !/^0x(0|[1-9a-fA-F][0-9a-fA-F]*)$/.test(v)) {
    throw invalidParams(`invalid argument ${name}: hex number with leading zero digits or not a 0x quantity`)
  }
  if (v.length > 66) throw invalidParams(`invalid argument ${name}: hex number > 256 bits`)
  return BigInt(v)
}

export function data(v: unknown, name: string, len?: number): Uint8Array {
  if (typeof v !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(v))
    throw invalidParams(`invalid argument ${name}: not 0x-prefixed even-length hex`)
  const b = Buffer.from(v.slice(2), 'hex')
  if (len !== undefined && b.length !== len) throw invalidParams(`invalid argument ${name}: must be ${len} bytes`)
  return b
}

export const address = (v: unknown, name: string) => data(v, name, 20)
export const hash32 = (v: unknown, name: string) => data(v, name, 32)

export function bool(v: unknown, name: string): boolean {
  if (typeof v !== 'boolean') throw invalidParams(`invalid argument ${name}: must be true or false`)
  return v
}

const TAGS = new Set(['latest', 'pending', 'safe', 'finalized', 'earliest'])

/** Block number or tag (eth_getBlockByNumber style). */
export function blockNumberOrTag(v: unknown, name: string): BlockSelector {
  if (typeof v === 'string' && TAGS.has(v)) return { tag: v as 'latest' }
  return { number: quantity(v, name) }
}

/** EIP-1898: number/tag, or {blockHash, requireCanonical?} / {blockNumber}. Defaults to latest. */
export function blockRef(v: unknown, name: string): BlockSelector {
  if (v === undefined || v === null) return { tag: 'latest' }
  if (typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>
    if (o.blockHash !== undefined) {
      if (o.blockNumber !== undefined)
        throw invalidParams(`invalid argument ${name}: give blockHash or blockNumber, not both`)
      return { hash: hash32(o.blockHash, `${name}.blockHash`), requireCanonical: o.requireCanonical === true }
    }
    if (o.blockNumber !== undefined) return blockNumberOrTag(o.blockNumber, `${name}.blockNumber`)
    throw invalidParams(`invalid argument ${name}: expected blockHash or blockNumber`)
  }
  return blockNumberOrTag(v, name)
}

export function callRequest(v: unknown, name: string): CallRequest {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw invalidParams(`invalid argument ${name}: must be an object`)
  const o = v as Record<string, unknown>
  const r: CallRequest = {}
  if (o.from !== undefined && o.from !== null) r.from = address(o.from, `${name}.from`)
  if (o.to !== undefined && o.to !== null) r.to = address(o.to, `${name}.to`)
  if (o.gas !== undefined && o.gas !== null) r.gas = quantity(o.gas, `${name}.gas`)
  if (o.gasPrice !== undefined && o.gasPrice !== null) r.gasPrice = quantity(o.gasPrice, `${name}.gasPrice`)
  if (o.maxFeePerGas !== undefined && o.maxFeePerGas !== null)
    r.maxFeePerGas = quantity(o.maxFeePerGas, `${name}.maxFeePerGas`)
  if (o.maxPriorityFeePerGas !== undefined && o.maxPriorityFeePerGas !== null) {
    r.maxPriorityFeePerGas = quantity(o.maxPriorityFeePerGas, `${name}.maxPriorityFeePerGas`)
  }
  if (r.gasPrice !== undefined && (r.maxFeePerGas !== undefined || r.maxPriorityFeePerGas !== undefined)) {
    throw invalidParams(`invalid argument ${name}: both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified`)
  }
  if (o.value !== undefined && o.value !== null) r.value = quantity(o.value, `${name}.value`)
  if (o.nonce !== undefined && o.nonce !== null) r.nonce = quantity(o.nonce, `${name}.nonce`)
  const d = o.input ?? o.data
  if (o.input !== undefined && o.data !== undefined && o.input !== o.data) {
    throw invalidParams(`invalid argument ${name}: both "data" and "input" are set and not equal`)
  }
  if (d !== undefined && d !== null) r.data = data(d, `${name}.input`)
  if (o.accessList !== undefined && o.accessList !== null) {
    if (!Array.isArray(o.accessList)) throw invalidParams(`invalid argument ${name}.accessList: must be an array`)
    r.accessList = o.accessList.map((e, i) => {
      const x = e as Record<string, unknown>
      if (!Array.isArray(x?.storageKeys)) throw invalidParams(`invalid argument ${name}.accessList[${i}].storageKeys`)
      return {
        address: address(x.address, `${name}.accessList[${i}].address`),
        storageKeys: x.storageKeys.map((k, j) => hash32(k, `${name}.accessList[${i}].storageKeys[${j}]`)),
      }
    })
  }
  return r
}

export interface RawLogFilter {
  fromBlock?: BlockSelector
  toBlock?: BlockSelector
  blockHash?: Uint8Array
  addresses: Uint8Array[]
  topics: (Uint8Array[] | null)[]
}

export function logFilter(v: unknown, name: string): RawLogFilter {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw invalidParams(`invalid argument ${name}: must be an object`)
  const o = v as Record<string, unknown>
  const f: RawLogFilter = { addresses: [], topics: [] }
  if (o.blockHash !== undefined && o.blockHash !== null) {
    if (o.fromBlock !== undefined || o.toBlock !== undefined)
      throw invalidParams(`invalid argument ${name}: cannot specify both blockHash and fromBlock/toBlock`)
    f.blockHash = hash32(o.blockHash, `${name}.blockHash`)
  }
  if (o.fromBlock !== undefined && o.fromBlock !== null)
    f.fromBlock = blockNumberOrTag(o.fromBlock, `${name}.fromBlock`)
  if (o.toBlock !== undefined && o.toBlock !== null) f.toBlock = blockNumberOrTag(o.toBlock, `${name}.toBlock`)
  if (o.address !== undefined && o.address !== null) {
    f.addresses = Array.isArray(o.address)
      ? o.address.map((a, i) => address(a, `${name}.address[${i}]`))
      : [address(o.address, `${name}.address`)]
  }
  if (o.topics !== undefined && o.topics !== null) {
    if (!Array.isArray(o.topics)) throw invalidParams(`invalid argument ${name}.topics: must be an array`)
    if (o.topics.length > 4) throw invalidParams(`invalid argument ${name}.topics: at most 4 positions`)
    f.topics = o.topics.map((t, i) => {
      if (t === null) return null
      if (Array.isArray(t)) return t.map((x, j) => hash32(x, `${name}.topics[${i}][${j}]`))
      return [hash32(t, `${name}.topics[${i}]`)]
    })
  }
  return f
}

export type { LogFilter }
