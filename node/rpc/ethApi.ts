import { keccak256 } from '../../config/keccak.ts'
import type { ChainBackend, IndexedLog, LogFilter } from './backend.ts'
import { RpcBackendError } from './engineBackend.ts'
import { formatBlock, formatLog, formatReceipt, formatTx, hex, qty } from './format.ts'
import { invalidParams, type RpcContext, RpcError, type RpcHandler } from './jsonrpc.ts'
import { address, blockNumberOrTag, blockRef, bool, callRequest, data, hash32, logFilter, quantity } from './params.ts'

export interface EthApiOptions {
  /** Max blocks an eth_getLogs range may span. */
  maxLogRange: bigint
  /** Max logs one eth_getLogs may return. */
  maxLogResults: number
  /** Max blocks eth_feeHistory may cover. */
  maxFeeHistoryBlocks: number
  clientVersion: string
  /** Max subscriptions per WebSocket connection. */
  maxSubscriptionsPerConnection: number
}

export const defaultEthApiOptions: EthApiOptions = {
  maxLogRange: 10_000n,
  maxLogResults: 10_000,
  maxFeeHistoryBlocks: 1024,
  clientVersion: 'oln/v0.1.0',
  maxSubscriptionsPerConnection: 128,
}

function arg(params: unknown[], i: number, name: string, optional = false): unknown {
  if (params.length <= i || params[i] === undefined) {
    if (optional) return undefined
    throw invalidParams(`missing value for required argument ${i} (${name})`)
  }
  return params[i]
}

/** Reverts become code 3 with the revert data, and an Error(string) reason in the message (geth). */
function revertError(ret: Uint8Array): RpcError {
  let reason = ''
  if (ret.length >= 68 && hex(ret.subarray(0, 4)) === '0x08c379a0') {
    const len = Number(BigInt(hex(ret.subarray(36, 68))))
    if (68 + len <= ret.length) reason = Buffer.from(ret.subarray(68, 68 + len)).toString('utf8')
  }
  return new RpcError(3, reason ? `execution reverted: ${reason}` : 'execution reverted', hex(ret))
}

function backendError(err: unknown): never {
  if (err instanceof RpcBackendError) throw new RpcError(err.code, err.message, err.data)
  throw err
}

export function ethApi(backend: ChainBackend, opts: Partial<EthApiOptions> = {}): Record<string, RpcHandler> {
  const o = { ...defaultEthApiOptions, ...opts }

  const blockBy = async (sel: Parameters<ChainBackend['getBlock']>[0], full: boolean) => {
    const b = await backend.getBlock(sel)
    if (!b) return null
    return formatBlock(b, full ? await backend.getBlockTransactions(b) : null)
  }

  const resolveNumber = (sel: ReturnType<typeof blockNumberOrTag>): bigint => {
    if ('number' in sel) return sel.number
    if ('hash' in sel) throw invalidParams('block hash not allowed here')
    if (sel.tag === 'earliest') return 0n
    return backend.headNumber(sel.tag === 'pending' ? 'latest' : sel.tag)
  }

  const resolveFilter = async (raw: ReturnType<typeof logFilter>): Promise<LogFilter> => {
    if (raw.blockHash) {
      const b = await backend.getBlock({ hash: raw.blockHash })
      if (!b) throw new RpcError(-32000, 'unknown block')
      return { fromBlock: b.header.number, toBlock: b.header.number, addresses: raw.addresses, topics: raw.topics }
    }
    const from = resolveNumber(raw.fromBlock ?? { tag: 'latest' })
    const to = resolveNumber(raw.toBlock ?? { tag: 'latest' })
    if (from > to) throw invalidParams('invalid block range: fromBlock is after toBlock')
    if (to - from + 1n > o.maxLogRange)
      throw new RpcError(-32005, `block range too large: at most ${o.maxLogRange} blocks per eth_getLogs`)
    return { fromBlock: from, toBlock: to, addresses: raw.addresses, topics: raw.topics }
  }

  const stateOr = async (sel: ReturnType<typeof blockRef>) => {
    const s = await backend.stateAt(sel)
    if (!s) throw new RpcError(-32000, 'header not found')
    return s
  }

  const handlers: Record<string, RpcHandler> = {
    eth_chainId: () => qty(backend.chainId),
    net_version: () => backend.chainId.toString(),
    net_listening: () => true,
    net_peerCount: () => '0x0',
    web3_clientVersion: () => o.clientVersion,
    web3_sha3: (p) => hex(keccak256(data(arg(p, 0, 'data'), 'data'))),
    eth_syncing: () => false,
    eth_accounts: () => [],
    eth_blockNumber: () => qty(backend.headNumber('latest')),
    eth_getBlockByNumber: async (p) =>
      blockBy(blockNumberOrTag(arg(p, 0, 'block'), 'block'), bool(arg(p, 1, 'fullTx'), 'fullTx')),
    eth_getBlockByHash: async (p) =>
      blockBy({ hash: hash32(arg(p, 0, 'blockHash'), 'blockHash') }, bool(arg(p, 1, 'fullTx'), 'fullTx')),
    eth_getBlockTransactionCountByNumber: async (p) => {
      const b = await backend.getBlock(blockNumberOrTag(arg(p, 0, 'block'), 'block'))
      return b ? qty(b.transactions.length) : null
    },
    eth_getBlockTransactionCountByHash: async (p) => {
      const b = await backend.getBlock({ hash: hash32(arg(p, 0, 'blockHash'), 'blockHash') })
      return b ? qty(b.transactions.length) : null
    },
    eth_getUncleCountByBlockNumber: () => '0x0',
    eth_getUncleCountByBlockHash: () => '0x0',
    eth_getTransactionByHash: async (p) => {
      const r = await backend.getTransaction(hash32(arg(p, 0, 'txHash'), 'txHash'))
      return r ? formatTx(r.tx, r.location) : null
    },
    eth_getTransactionByBlockNumberAndIndex: async (p) => {
      const b = await backend.getBlock(blockNumberOrTag(arg(p, 0, 'block'), 'block'))
      const i = Number(quantity(arg(p, 1, 'index'), 'index'))
      if (!b || i >= b.transactions.length) return null
      const txs = await backend.getBlockTransactions(b)
      return formatTx(txs[i] as never, { blockHash: b.hash, blockNumber: b.header.number, index: i })
    },
    eth_getTransactionByBlockHashAndIndex: async (p) => {
      const b = await backend.getBlock({ hash: hash32(arg(p, 0, 'blockHash'), 'blockHash') })
      const i = Number(quantity(arg(p, 1, 'index'), 'index'))
      if (!b || i >= b.transactions.length) return null
      const txs = await backend.getBlockTransactions(b)
      return formatTx(txs[i] as never, { blockHash: b.hash, blockNumber: b.header.number, index: i })
    },
    eth_getTransactionReceipt: async (p) => {
      const r = await backend.getReceipt(hash32(arg(p, 0, 'txHash'), 'txHash'))
      if (!r) return null
      const b = await backend.getBlock({ hash: r.location.blockHash })
      const receipts = b ? await backend.getReceipts(b) : []
      let first = 0
      for (let i = 0; i < r.location.index; i++) first += receipts[i]?.logs.length ?? 0
      return formatReceipt(r.receipt, r.tx, r.location, first)
    },
    eth_getBlockReceipts: async (p) => {
      const b = await backend.getBlock(blockRef(arg(p, 0, 'block'), 'block'))
      if (!b) return null
      const [receipts, txs] = await Promise.all([backend.getReceipts(b), backend.getBlockTransactions(b)])
      let first = 0
      return receipts.map((r, i) => {
        const out = formatReceipt(
          r,
          txs[i] as never,
          { blockHash: b.hash, blockNumber: b.header.number, index: i },
          first,
        )
        first += r.logs.length
        return out
      })
    },
    eth_getBalance: async (p) =>
      qty(await (await stateOr(blockRef(p[1], 'block'))).getBalance(address(arg(p, 0, 'address'), 'address'))),
    eth_getTransactionCount: async (p) => {
      const a = address(arg(p, 0, 'address'), 'address')
      return qty(await (await stateOr(blockRef(p[1], 'block'))).getNonce(a))
    },
    eth_getCode: async (p) =>
      hex(await (await stateOr(blockRef(p[1], 'block'))).getCode(address(arg(p, 0, 'address'), 'address'))),
    eth_getStorageAt: async (p) => {
      const a = address(arg(p, 0, 'address'), 'address')
      const slot = quantity(arg(p, 1, 'slot'), 'slot')
      const key = Buffer.from(slot.toString(16).padStart(64, '0'), 'hex')
      return hex(await (await stateOr(blockRef(p[2], 'block'))).getStorageAt(a, key))
    },
    eth_getProof: async (p) => {
      const a = address(arg(p, 0, 'address'), 'address')
      const keys = arg(p, 1, 'storageKeys')
      if (!Array.isArray(keys)) throw invalidParams('invalid argument storageKeys: must be an array')
      const slots = keys.map((k, i) => {
        const b = data(k, `storageKeys[${i}]`)
        if (b.length > 32) throw invalidParams(`invalid argument storageKeys[${i}]: longer than 32 bytes`)
        return b
      })
      const proof = await (await stateOr(blockRef(p[2], 'block'))).getProof(a, slots)
      return {
        address: hex(proof.address),
        accountProof: proof.accountProof.map(hex),
        balance: qty(proof.balance),
        codeHash: hex(proof.codeHash),
        nonce: qty(proof.nonce),
        storageHash: hex(proof.storageHash),
        storageProof: proof.storageProof.map((s, i) => ({
          key: keys[i],
          value: qty(s.value),
          proof: s.proof.map(hex),
        })),
      }
    },
    eth_call: async (p) => {
      const req = callRequest(arg(p, 0, 'transaction'), 'transaction')
      const r = await backend.call(req, blockRef(p[1], 'block')).catch(backendError)
      if (r.reverted) throw revertError(r.returnData)
      if (r.error) throw new RpcError(-32000, r.error)
      return hex(r.returnData)
    },
    eth_estimateGas: async (p) => {
      const req = callRequest(arg(p, 0, 'transaction'), 'transaction')
      return qty(await backend.estimateGas(req, blockRef(p[1], 'block')).catch(backendError))
    },
    eth_gasPrice: async () => qty(await backend.gasPrice()),
    eth_maxPriorityFeePerGas: async () => qty(await backend.maxPriorityFeePerGas()),
    eth_feeHistory: async (p) => {
      const countRaw = arg(p, 0, 'blockCount')
      const count = typeof countRaw === 'number' ? BigInt(countRaw) : quantity(countRaw, 'blockCount')
      if (count < 1n) throw invalidParams('invalid argument blockCount: must be at least 1')
      const n = count > BigInt(o.maxFeeHistoryBlocks) ? o.maxFeeHistoryBlocks : Number(count)
      const newest = resolveNumber(blockNumberOrTag(arg(p, 1, 'newestBlock'), 'newestBlock'))
      const pctRaw = p[2]
      const percentiles: number[] = []
      if (pctRaw !== undefined && pctRaw !== null) {
        if (!Array.isArray(pctRaw) || pctRaw.length > 100)
          throw invalidParams('invalid argument rewardPercentiles: at most 100 numbers')
        let prev = -1
        for (const x of pctRaw) {
          if (typeof x !== 'number' || x < 0 || x > 100 || x < prev)
            throw invalidParams('invalid argument rewardPercentiles: increasing numbers in [0, 100]')
          percentiles.push(x)
          prev = x
        }
      }
      const { blocks, nextBaseFee } = await backend.feeHistory(n, newest)
      if (blocks.length === 0) return { oldestBlock: qty(0), baseFeePerGas: [], gasUsedRatio: [] }
      const out: Record<string, unknown> = {
        oldestBlock: qty((blocks[0] as (typeof blocks)[number]).number),
        baseFeePerGas: [...blocks.map((b) => qty(b.baseFeePerGas)), qty(nextBaseFee)],
        gasUsedRatio: blocks.map((b) => (b.gasLimit === 0n ? 0 : Number(b.gasUsed) / Number(b.gasLimit))),
      }
      if (percentiles.length > 0) {
        out.reward = blocks.map((b) => {
          // geth: tips sorted ascending, each percentile picks the tip where cumulative gas reaches it
          const sorted = [...b.rewards].sort((x, y) => (x.tip < y.tip ? -1 : x.tip > y.tip ? 1 : 0))
          if (sorted.length === 0) return percentiles.map(() => '0x0')
          return percentiles.map((pc) => {
            const threshold = (Number(b.gasUsed) * pc) / 100
            let sum = 0
            for (const r of sorted) {
              sum += Number(r.gasUsed)
              if (sum >= threshold) return qty(r.tip)
            }
            return qty((sorted[sorted.length - 1] as (typeof sorted)[number]).tip)
          })
        })
      }
      return out
    },
    eth_getLogs: async (p) => {
      const f = await resolveFilter(logFilter(arg(p, 0, 'filter'), 'filter'))
      const logs = await backend.getLogs(f)
      if (logs.length > o.maxLogResults)
        throw new RpcError(
          -32005,
          `query returned more than ${o.maxLogResults} results; narrow the block range or filter`,
        )
      return logs.map(formatLog)
    },
    eth_sendRawTransaction: async (p) =>
      hex(await backend.sendRawTransaction(data(arg(p, 0, 'tx'), 'tx')).catch(backendError)),
  }

  // WebSocket subscriptions: newHeads and logs.
  const subs = new Map<string, () => void>()
  let nextSub = 1n
  handlers.eth_subscribe = (p, ctx: RpcContext) => {
    const conn = ctx.connection
    if (!conn) throw new RpcError(-32601, 'notifications not supported: use the WebSocket endpoint')
    const kind = arg(p, 0, 'subscription')
    const mine = [...subs.keys()].filter((k) => k.startsWith(`${conn.id}:`)).length
    if (mine >= o.maxSubscriptionsPerConnection)
      throw new RpcError(-32000, `too many subscriptions (max ${o.maxSubscriptionsPerConnection})`)
    const id = qty(nextSub++ * 0x1000n + BigInt(conn.id))
    const notify = (result: unknown) =>
      conn.send({ jsonrpc: '2.0', method: 'eth_subscription', params: { subscription: id, result } })
    let stop: () => void
    if (kind === 'newHeads') {
      stop = backend.onNewHead((b) => notify({ ...formatBlock(b, null), transactions: undefined }))
    } else if (kind === 'logs') {
      const raw = logFilter(p[1] ?? {}, 'filter')
      stop = backend.onNewHead((_b, logs) => {
        for (const l of logs) if (logMatches(l, raw.addresses, raw.topics)) notify(formatLog(l))
      })
    } else throw invalidParams(`invalid argument subscription: unsupported '${String(kind)}' (newHeads, logs)`)
    const key = `${conn.id}:${id}`
    subs.set(key, stop)
    conn.onClose(() => {
      subs.get(key)?.()
      subs.delete(key)
    })
    return id
  }
  handlers.eth_unsubscribe = (p, ctx) => {
    const conn = ctx.connection
    if (!conn) throw new RpcError(-32601, 'notifications not supported: use the WebSocket endpoint')
    const id = arg(p, 0, 'subscriptionId')
    const key = `${conn.id}:${String(id)}`
    const stop = subs.get(key)
    if (!stop) return false
    stop()
    subs.delete(key)
    return true
  }
  return handlers
}

function logMatches(l: IndexedLog, addresses: Uint8Array[], topics: (Uint8Array[] | null)[]): boolean {
  const eq = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i])
  if (addresses.length > 0 && !addresses.some((a) => eq(a, l.address))) return false
  for (let i = 0; i < topics.length; i++) {
    const want = topics[i]
    if (!want || want.length === 0) continue
    const t = l.topics[i]
    if (!t || !want.some((w) => eq(w, t))) return false
  }
  return true
}
