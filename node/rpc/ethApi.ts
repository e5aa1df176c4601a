import { keccak_256 } from '@noble/hashes/sha3.js'
import type { Block } from '../engine/types.ts'
import type { BlockSelector, ChainBackend, FeeHistoryBlock, IndexedLog, RpcTransaction } from './backend.ts'
import {
  blockLogs,
  formatBlock,
  formatBlockReceipts,
  formatLog,
  formatProof,
  formatReceipt,
  formatTransaction,
  revertError,
  toHex,
  toQuantity,
} from './format.ts'
import { RpcError, type RpcHandler, RpcMethods } from './jsonrpc.ts'
import {
  address,
  type BlockTag,
  blockNumberOrHash,
  blockTagOrNumber,
  bool,
  callRequest,
  data,
  hash32,
  logFilter,
  ParamError,
  ParamReader,
  type Parser,
  smallInt,
  storageSlot,
} from './params.ts'

// eth_*, net_* and web3_* handlers over a ChainBackend.

export interface EthApiOptions {
  /** web3_clientVersion. */
  clientVersion: string
  /** net_version (defaults to the chain id). */
  networkId?: bigint
  /** eth_getLogs: max blocks in one range query. */
  getLogsMaxBlockRange: number
  /** eth_getLogs: max logs in one response. */
  getLogsMaxResults: number
  /** eth_feeHistory: blockCount above this is truncated (geth --rpc.feehistory.maxblockhistory). */
  feeHistoryMaxBlocks: number
  /** eth_feeHistory: max reward percentiles (geth: 100). */
  feeHistoryMaxPercentiles: number
  /** eth_getProof: max storage keys. */
  getProofMaxKeys: number
}

export const defaultEthApiOptions: EthApiOptions = {
  clientVersion: 'oln/v0.1.0',
  getLogsMaxBlockRange: 10_000,
  getLogsMaxResults: 10_000,
  feeHistoryMaxBlocks: 1024,
  feeHistoryMaxPercentiles: 100,
  getProofMaxKeys: 1024,
}

const LATEST: BlockSelector = { tag: 'latest' }

/** Does a log pass an address/topic filter (geth filter semantics)? */
export function logMatches(l: IndexedLog, addresses: Uint8Array[], topics: (Uint8Array[] | null)[]): boolean {
  if (addresses.length > 0 && !addresses.some((a) => Buffer.compare(a, l.address) === 0)) return false
  if (topics.length > l.topics.length) return false
  for (let i = 0; i < topics.length; i++) {
    const want = topics[i]
    if (!want || want.length === 0) continue
    const t = l.topics[i] as Uint8Array
    if (!want.some((w) => Buffer.compare(w, t) === 0)) return false
  }
  return true
}

/** eth_feeHistory blockCount: geth's HexOrDecimal64 (hex or decimal string, or a JSON number). */
const blockCount: Parser<number> = (v) => {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0) throw new ParamError('expected a non-negative integer')
    return v
  }
  if (typeof v === 'string' && /^[0-9]+$/.test(v)) return Number(v)
  return smallInt(v)
}

const percentiles =
  (max: number): Parser<number[]> =>
  (v) => {
    if (!Array.isArray(v)) throw new ParamError('expected an array of numbers')
    if (v.length > max) throw new ParamError(`invalid reward percentile: over the query limit ${max}`)
    v.forEach((p, i) => {
      if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 100) {
        throw new ParamError(`invalid reward percentile #${i}: ${JSON.stringify(p)} (want 0..100)`)
      }
      if (i > 0 && p <= (v[i - 1] as number)) {
        throw new ParamError(`invalid reward percentile: #${i - 1}:${v[i - 1]} >= #${i}:${p} (want ascending)`)
      }
    })
    return v as number[]
  }

/** Rewards at the given percentiles, weighted by gas used (geth eth/gasprice processBlock). */
export function rewardPercentiles(b: FeeHistoryBlock, pcts: number[]): bigint[] {
  if (b.rewards.length === 0) return pcts.map(() => 0n)
  const sorted = [...b.rewards].sort((x, y) => (x.tip < y.tip ? -1 : x.tip > y.tip ? 1 : 0))
  // geth weighs against block gasUsed; deposits carry no tip and are not in `rewards`, so use their own total.
  const total = sorted.reduce((s, r) => s + r.gasUsed, 0n)
  const out: bigint[] = []
  let idx = 0
  let sum = (sorted[0] as (typeof sorted)[number]).gasUsed
  for (const p of pcts) {
    const threshold = BigInt(Math.floor(Number(total) * (p / 100)))
    while (sum < threshold && idx < sorted.length - 1) {
      idx++
      sum += (sorted[idx] as (typeof sorted)[number]).gasUsed
    }
    out.push((sorted[idx] as (typeof sorted)[number]).tip)
  }
  return out
}

/** The eth, net and web3 namespaces. */
export function createEthApi(backend: ChainBackend, options: Partial<EthApiOptions> = {}): RpcMethods {
  const opts: EthApiOptions = { ...defaultEthApiOptions, ...options }
  const m = new RpcMethods()
  const def = (name: string, params: readonly string[], fn: (p: ParamReader) => unknown): void => {
    const handler: RpcHandler = (raw) => fn(new ParamReader(raw, params))
    m.register(name, handler)
  }

  const resolveNumber = (t: { tag: BlockTag } | { number: bigint }): bigint => {
    if ('number' in t) return t.number
    if (t.tag === 'earliest') return 0n
    if (t.tag === 'safe' || t.tag === 'finalized') return backend.headNumber(t.tag)
    return backend.headNumber('latest')
  }

  const state = async (sel: BlockSelector) => {
    const s = await backend.stateAt(sel)
    if (!s) throw RpcError.server('header not found')
    return s
  }

  const txAt = async (block: Block | undefined, index: number) => {
    if (!block || index >= block.transactions.length) return null
    const tx = (await backend.getBlockTransactions(block))[index]
    if (!tx) return null
    return formatTransaction(
      tx,
      { blockHash: block.hash, blockNumber: block.header.number, index },
      block.header.baseFeePerGas,
    )
  }

  const blockJson = async (block: Block | undefined, full: boolean) => {
    if (!block) return null
    return formatBlock(block, full ? await backend.getBlockTransactions(block) : undefined)
  }

  // --- web3 / net ---
  def('web3_clientVersion', [], () => opts.clientVersion)
  def('web3_sha3', ['data'], (p) => toHex(keccak_256(p.required(0, data))))
  def('net_version', [], () => (opts.networkId ?? backend.chainId).toString(10))
  def('net_listening', [], () => true)

  // --- chain ---
  def('eth_chainId', [], () => toQuantity(backend.chainId))
  def('eth_blockNumber', [], () => toQuantity(backend.headNumber('latest')))
  def('eth_syncing', [], () => false)
  def('eth_accounts', [], () => [])

  def('eth_getBlockByNumber', ['block', 'fullTransactions'], async (p) => {
    const sel = p.required(0, blockTagOrNumber)
    const full = p.required(1, bool)
    return blockJson(await backend.getBlock(sel), full)
  })
  def('eth_getBlockByHash', ['blockHash', 'fullTransactions'], async (p) => {
    const hash = p.required(0, hash32)
    const full = p.required(1, bool)
    return blockJson(await backend.getBlock({ hash }), full)
  })
  def('eth_getBlockTransactionCountByNumber', ['block'], async (p) => {
    const block = await backend.getBlock(p.required(0, blockTagOrNumber))
    return block ? toQuantity(block.transactions.length) : null
  })
  def('eth_getBlockTransactionCountByHash', ['blockHash'], async (p) => {
    const block = await backend.getBlock({ hash: p.required(0, hash32) })
    return block ? toQuantity(block.transactions.length) : null
  })

  // --- transactions & receipts ---
  def('eth_getTransactionByHash', ['transactionHash'], async (p) => {
    const found = await backend.getTransaction(p.required(0, hash32))
    if (!found) return null
    let baseFee: bigint | undefined
    if (found.tx.maxFeePerGas !== undefined && found.tx.gasPrice === undefined && found.location.blockNumber >= 0n) {
      baseFee = (await backend.getBlock({ hash: found.location.blockHash }))?.header.baseFeePerGas
    }
    return formatTransaction(found.tx, found.location, baseFee)
  })
  def('eth_getTransactionByBlockNumberAndIndex', ['block', 'index'], async (p) => {
    const sel = p.required(0, blockTagOrNumber)
    const index = p.required(1, smallInt)
    return txAt(await backend.getBlock(sel), index)
  })
  def('eth_getTransactionByBlockHashAndIndex', ['blockHash', 'index'], async (p) => {
    const hash = p.required(0, hash32)
    const index = p.required(1, smallInt)
    return txAt(await backend.getBlock({ hash }), index)
  })
  def('eth_getTransactionReceipt', ['transactionHash'], async (p) => {
    const found = await backend.getReceipt(p.required(0, hash32))
    if (!found) return null
    // Log indexes are block-wide: count the logs of the receipts before this one.
    let firstLogIndex = 0
    if (found.location.index > 0) {
      const block = await backend.getBlock({ hash: found.location.blockHash })
      if (block) {
        const receipts = await backend.getReceipts(block)
        for (let i = 0; i < found.location.index; i++) firstLogIndex += receipts[i]?.logs.length ?? 0
      }
    }
    return formatReceipt(found.receipt, found.tx, found.location, firstLogIndex)
  })
  def('eth_getBlockReceipts', ['block'], async (p) => {
    const block = await backend.getBlock(p.required(0, blockNumberOrHash))
    if (!block) return null
    const [receipts, txs] = await Promise.all([backend.getReceipts(block), backend.getBlockTransactions(block)])
    return formatBlockReceipts(block, receipts, txs as RpcTransaction[])
  })

  // --- state ---
  def('eth_getBalance', ['address', 'block'], async (p) => {
    const a = p.required(0, address)
    const s = await state(p.optional(1, blockNumberOrHash) ?? LATEST)
    return toQuantity(await s.getBalance(a))
  })
  def('eth_getTransactionCount', ['address', 'block'], async (p) => {
    const a = p.required(0, address)
    const s = await state(p.optional(1, blockNumberOrHash) ?? LATEST)
    return toQuantity(await s.getNonce(a))
  })
  def('eth_getCode', ['address', 'block'], async (p) => {
    const a = p.required(0, address)
    const s = await state(p.optional(1, blockNumberOrHash) ?? LATEST)
    return toHex(await s.getCode(a))
  })
  def('eth_getStorageAt', ['address', 'slot', 'block'], async (p) => {
    const a = p.required(0, address)
    const slot = p.required(1, storageSlot)
    const s = await state(p.optional(2, blockNumberOrHash) ?? LATEST)
    const v = await s.getStorageAt(a, slot)
    const out = new Uint8Array(32)
    out.set(v.subarray(Math.max(0, v.length - 32)), 32 - Math.min(32, v.length))
    return toHex(out)
  })
  def('eth_getProof', ['address', 'storageKeys', 'block'], async (p) => {
    const a = p.required(0, address)
    const keyStrings = p.required(1, (v) => {
      if (!Array.isArray(v)) throw new ParamError('expected an array of storage keys')
      if (v.length > opts.getProofMaxKeys) {
        throw new ParamError(`too many storage keys (${v.length}, limit ${opts.getProofMaxKeys}: getProofMaxKeys)`)
      }
      v.forEach((k, i) => {
        try {
          storageSlot(k)
        } catch (err) {
          throw err instanceof ParamError ? new ParamError(`key ${i}: ${err.message}`) : err
        }
      })
      return v as string[]
    })
    const s = await state(p.optional(2, blockNumberOrHash) ?? LATEST)
    return formatProof(await s.getProof(a, keyStrings.map(storageSlot)), keyStrings)
  })

  // --- execution ---
  def('eth_call', ['transaction', 'block', 'stateOverrides'], async (p) => {
    const req = p.required(0, callRequest)
    const sel = p.optional(1, blockNumberOrHash) ?? LATEST
    if (p.raw[2] !== undefined && p.raw[2] !== null) {
      throw RpcError.invalidParams('invalid argument 2 (stateOverrides): state overrides are not supported')
    }
    const r = await backend.call(req, sel)
    if (r.reverted) throw revertError(r.returnData)
    if (r.error) throw RpcError.server(r.error)
    return toHex(r.returnData)
  })
  def('eth_estimateGas', ['transaction', 'block'], async (p) => {
    const req = p.required(0, callRequest)
    const sel = p.optional(1, blockNumberOrHash) ?? LATEST
    try {
      return toQuantity(await backend.estimateGas(req, sel))
    } catch (err) {
      // Backends report a revert as code 3 with hex data; rebuild the message with the decoded reason.
      const e = err as { code?: unknown; data?: unknown }
      if (e?.code === 3 && typeof e.data === 'string' && /^0x([0-9a-fA-F]{2})*$/.test(e.data)) {
        throw revertError(Uint8Array.from(Buffer.from(e.data.slice(2), 'hex')))
      }
      throw err
    }
  })
  def('eth_sendRawTransaction', ['transaction'], async (p) => {
    const raw = p.required(0, data)
    if (raw.length === 0) throw RpcError.invalidParams('invalid argument 0 (transaction): empty transaction')
    return toHex(await backend.sendRawTransaction(raw))
  })

  // --- fees ---
  def('eth_gasPrice', [], async () => toQuantity(await backend.gasPrice()))
  def('eth_maxPriorityFeePerGas', [], async () => toQuantity(await backend.maxPriorityFeePerGas()))
  def('eth_feeHistory', ['blockCount', 'newestBlock', 'rewardPercentiles'], async (p) => {
    let count = p.required(0, blockCount)
    const newest = p.required(1, blockTagOrNumber)
    const pcts = p.optional(2, percentiles(opts.feeHistoryMaxPercentiles))
    const head = backend.headNumber('latest')
    if ('number' in newest && newest.number > head) {
      throw RpcError.server(`request beyond head block: requested ${newest.number}, head ${head}`)
    }
    const last = resolveNumber(newest)
    if (count > opts.feeHistoryMaxBlocks) count = opts.feeHistoryMaxBlocks
    if (BigInt(count) > last + 1n) count = Number(last + 1n)
    const empty = { oldestBlock: '0x0', baseFeePerGas: [], gasUsedRatio: [], ...(pcts ? { reward: [] } : {}) }
    if (count === 0) return empty
    const { blocks, nextBaseFee } = await backend.feeHistory(count, last)
    if (blocks.length === 0) return empty
    const out: Record<string, unknown> = {
      oldestBlock: toQuantity((blocks[0] as FeeHistoryBlock).number),
      baseFeePerGas: [...blocks.map((b) => toQuantity(b.baseFeePerGas)), toQuantity(nextBaseFee)],
      gasUsedRatio: blocks.map((b) => (b.gasLimit > 0n ? Number(b.gasUsed) / Number(b.gasLimit) : 0)),
    }
    if (pcts) out.reward = blocks.map((b) => rewardPercentiles(b, pcts).map(toQuantity))
    return out
  })

  // --- logs ---
  def('eth_getLogs', ['filter'], async (p) => {
    const f = p.required(0, logFilter)
    let logs: IndexedLog[]
    if (f.blockHash) {
      const block = await backend.getBlock({ hash: f.blockHash })
      if (!block) throw RpcError.server('unknown block')
      logs = blockLogs(block, await backend.getReceipts(block)).filter((l) => logMatches(l, f.addresses, f.topics))
    } else {
      const head = backend.headNumber('latest')
      const from = f.fromBlock ? resolveNumber(f.fromBlock) : head
      let to = f.toBlock ? resolveNumber(f.toBlock) : head
      if (from > to) throw RpcError.server('invalid block range params')
      if (from > head) return []
      if (to > head) to = head
      const span = to - from + 1n
      if (span > BigInt(opts.getLogsMaxBlockRange)) {
        throw RpcError.limitExceeded(
          `block range too large: ${span} blocks, limit is ${opts.getLogsMaxBlockRange} (getLogsMaxBlockRange)`,
        )
      }
      logs = await backend.getLogs({ fromBlock: from, toBlock: to, addresses: f.addresses, topics: f.topics })
    }
    if (logs.length > opts.getLogsMaxResults) {
      throw RpcError.limitExceeded(
        `query returned more than ${opts.getLogsMaxResults} results (getLogsMaxResults); narrow the block range or filter`,
      )
    }
    return logs.map(formatLog)
  })

  return m
}
