import { randomBytes } from 'node:crypto'
import type { Logger } from '../../config/logger.ts'
import { silentLogger } from '../../config/logger.ts'
import type { Block } from '../engine/types.ts'
import type { ChainBackend, IndexedLog } from './backend.ts'
import { logMatches } from './ethApi.ts'
import { formatHeader, formatLog } from './format.ts'
import { type RpcConnection, type RpcContext, RpcError, RpcErrorCode, RpcMethods } from './jsonrpc.ts'
import { addressFilter, field, object, ParamError, ParamReader, type Parser, topicFilter } from './params.ts'

// eth_subscribe / eth_unsubscribe for WebSocket connections: newHeads and logs, fed by ChainBackend.onNewHead.

type Subscription = { kind: 'newHeads' } | { kind: 'logs'; addresses: Uint8Array[]; topics: (Uint8Array[] | null)[] }

export interface SubscriptionOptions {
  /** Max live subscriptions per connection. */
  maxPerConnection: number
  logger?: Logger
}

const logsFilter: Parser<{ addresses: Uint8Array[]; topics: (Uint8Array[] | null)[] }> = (v) => {
  const o = object(v)
  const addresses = o.address === undefined || o.address === null ? [] : field(o, 'address', addressFilter)
  const topics = o.topics === undefined || o.topics === null ? [] : field(o, 'topics', topicFilter)
  return { addresses, topics }
}

export class SubscriptionManager {
  private readonly byConn = new Map<RpcConnection, Map<string, Subscription>>()
  private readonly log: Logger
  private stopHeads?: () => void

  constructor(
    private readonly backend: ChainBackend,
    private readonly opts: SubscriptionOptions,
  ) {
    this.log = opts.logger ?? silentLogger()
  }

  /** Starts listening for new heads. */
  start(): void {
    if (this.stopHeads) return
    this.stopHeads = this.backend.onNewHead((block, logs) => {
      try {
        this.publish(block, logs)
      } catch (err) {
        this.log.error({ err }, 'publishing subscriptions failed')
      }
    })
  }

  stop(): void {
    this.stopHeads?.()
    this.stopHeads = undefined
    this.byConn.clear()
  }

  /** Number of live subscriptions (all connections). */
  get size(): number {
    let n = 0
    for (const subs of this.byConn.values()) n += subs.size
    return n
  }

  methods(): RpcMethods {
    const m = new RpcMethods()
    m.register('eth_subscribe', (params, ctx) => this.subscribe(params, ctx))
    m.register('eth_unsubscribe', (params, ctx) => {
      const id = new ParamReader(params, ['subscriptionId']).required(0, (v) => {
        if (typeof v !== 'string') throw new ParamError('expected a subscription id string')
        return v
      })
      const subs = ctx.connection ? this.byConn.get(ctx.connection) : undefined
      return subs?.delete(id) ?? false
    })
    return m
  }

  private subscribe(params: unknown[], ctx: RpcContext): string {
    const conn = ctx.connection
    if (!conn) throw new RpcError(RpcErrorCode.MethodNotFound, 'notifications not supported')
    const p = new ParamReader(params, ['subscriptionType', 'filter'])
    const kind = p.required(0, (v) => {
      if (typeof v !== 'string') throw new ParamError('expected a subscription name string')
      return v
    })
    let sub: Subscription
    if (kind === 'newHeads') sub = { kind }
    else if (kind === 'logs') sub = { kind, ...(p.optional(1, logsFilter) ?? { addresses: [], topics: [] }) }
    else throw new RpcError(RpcErrorCode.MethodNotFound, `no "${kind}" subscription in eth namespace`)

    let subs = this.byConn.get(conn)
    if (!subs) {
      subs = new Map()
      this.byConn.set(conn, subs)
      conn.onClose(() => this.byConn.delete(conn))
    }
    if (subs.size >= this.opts.maxPerConnection) {
      throw RpcError.limitExceeded(
        `too many subscriptions on this connection (limit ${this.opts.maxPerConnection}: maxSubscriptionsPerConnection)`,
      )
    }
    const id = `0x${randomBytes(16).toString('hex')}`
    subs.set(id, sub)
    return id
  }

  private publish(block: Block, logs: IndexedLog[]): void {
    if (this.byConn.size === 0) return
    let header: Record<string, unknown> | undefined
    const formattedLogs = new Map<IndexedLog, Record<string, unknown>>()
    for (const [conn, subs] of this.byConn) {
      for (const [id, sub] of subs) {
        if (sub.kind === 'newHeads') {
          header ??= formatHeader(block)
          conn.notify('eth_subscription', { subscription: id, result: header })
          continue
        }
        for (const l of logs) {
          if (!logMatches(l, sub.addresses, sub.topics)) continue
          let f = formattedLogs.get(l)
          if (!f) {
            f = formatLog(l)
            formattedLogs.set(l, f)
          }
          conn.notify('eth_subscription', { subscription: id, result: f })
        }
      }
    }
  }
}
