import type { Logger } from '../../config/logger.ts'

// JSON-RPC 2.0 framing with geth's error codes: -32700 parse, -32600 invalid request, -32601 method not found,
// -32602 invalid params, -32603 internal, -32000 server/tx errors, 3 execution reverted (with data).
// Handlers throw RpcError; anything else becomes -32603 with a safe message and is logged.

export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message)
  }
}

export const invalidParams = (message: string) => new RpcError(-32602, message)

export type RpcHandler = (params: unknown[], ctx: RpcContext) => Promise<unknown> | unknown

export interface RpcContext {
  /** Set for WebSocket connections: lets eth_subscribe push notifications. */
  connection?: { id: number; send(msg: unknown): void; onClose(cb: () => void): void }
}

export interface RpcLimits {
  maxBatchItems: number
  maxRequestBytes: number
  maxResponseBytes: number
}

export const defaultRpcLimits: RpcLimits = {
  maxBatchItems: 100,
  maxRequestBytes: 5 * 1024 * 1024,
  maxResponseBytes: 25 * 1024 * 1024,
}

type Id = string | number | null

interface Response {
  jsonrpc: '2.0'
  id: Id
  result?: unknown
  error?: { code: number; message: string; data?: unknown }
}

/** A registry of methods; node assembly adds namespaces (eth_, net_, web3_, optimism_, admin_). */
export class RpcMethods {
  private readonly methods = new Map<string, RpcHandler>()

  add(name: string, handler: RpcHandler): this {
    if (this.methods.has(name)) throw new Error(`rpc: method ${name} registered twice`)
    this.methods.set(name, handler)
    return this
  }

  addAll(handlers: Record<string, RpcHandler>): this {
    for (const [n, h] of Object.entries(handlers)) this.add(n, h)
    return this
  }

  get(name: string): RpcHandler | undefined {
    return this.methods.get(name)
  }

  names(): string[] {
    return [...this.methods.keys()]
  }
}

function errorResponse(id: Id, code: number, message: string, data?: unknown): Response {
  return { jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } }
}

/** JSON with bigint support (a stray bigint would otherwise throw in JSON.stringify). */
export function stringify(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `0x${x.toString(16)}` : x))
}

/** Per-request reporting (the node wires it to Prometheus). */
export type RpcObserver = (method: string, outcome: 'ok' | 'error' | 'internal', seconds: number) => void

export class JsonRpcProcessor {
  constructor(
    private readonly methods: RpcMethods,
    private readonly log: Logger,
    private readonly limits: RpcLimits = defaultRpcLimits,
    private readonly observer?: RpcObserver,
  ) {}

  /** Handles a raw request body; returns the response body, or undefined when there is nothing to send. */
  async handleBody(body: string, ctx: RpcContext = {}): Promise<string | undefined> {
    if (Buffer.byteLength(body) > this.limits.maxRequestBytes) {
      return stringify(errorResponse(null, -32600, `request body too large (max ${this.limits.maxRequestBytes} bytes)`))
    }
    let msg: unknown
    try {
      msg = JSON.parse(body)
    } catch {
      return stringify(errorResponse(null, -32700, 'parse error'))
    }
    let out: Response | Response[] | undefined
    if (Array.isArray(msg)) {
      if (msg.length === 0) out = errorResponse(null, -32600, 'empty batch')
      else if (msg.length > this.limits.maxBatchItems) {
        out = errorResponse(null, -32600, `batch too large (max ${this.limits.maxBatchItems} items)`)
      } else {
        const all = await Promise.all(msg.map((m) => this.handleOne(m, ctx)))
        const responses = all.filter((r): r is Response => r !== undefined)
        out = responses.length > 0 ? responses : undefined
      }
    } else {
      out = await this.handleOne(msg, ctx)
    }
    if (out === undefined) return undefined
    const text = stringify(out)
    if (Buffer.byteLength(text) > this.limits.maxResponseBytes) {
      const id = Array.isArray(out) ? null : out.id
      return stringify(
        errorResponse(id, -32000, `response too large (max ${this.limits.maxResponseBytes} bytes); narrow the request`),
      )
    }
    return text
  }

  private async handleOne(m: unknown, ctx: RpcContext): Promise<Response | undefined> {
    if (typeof m !== 'object' || m === null || Array.isArray(m)) return errorResponse(null, -32600, 'invalid request')
    const req = m as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown }
    const idOk = req.id === undefined || req.id === null || typeof req.id === 'string' || typeof req.id === 'number'
    const id = (idOk ? (req.id ?? null) : null) as Id
    if (req.jsonrpc !== '2.0' || !idOk || typeof req.method !== 'string')
      return errorResponse(id, -32600, 'invalid request')
    const isNotification = req.id === undefined
    if (req.params !== undefined && !Array.isArray(req.params)) {
      return isNotification ? undefined : errorResponse(id, -32602, 'params must be an array')
    }
    const handler = this.methods.get(req.method)
    if (!handler) {
      return isNotification
        ? undefined
        : errorResponse(id, -32601, `the method ${req.method} does not exist/is not available`)
    }
    const t0 = performance.now()
    try {
      const result = await handler((req.params as unknown[] | undefined) ?? [], ctx)
      this.observer?.(req.method, 'ok', (performance.now() - t0) / 1000)
      return isNotification ? undefined : { jsonrpc: '2.0', id, result: result === undefined ? null : result }
    } catch (err) {
      const known = err instanceof RpcError
      this.observer?.(req.method, known ? 'error' : 'internal', (performance.now() - t0) / 1000)
      if (isNotification) return undefined
      if (known) return errorResponse(id, err.code, err.message, err.data)
      this.log.error({ err, method: req.method }, 'RPC handler failed')
      return errorResponse(id, -32603, 'internal error')
    }
  }
}
