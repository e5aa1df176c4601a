import type { Logger } from '../../config/logger.ts'
import { silentLogger } from '../../config/logger.ts'

// JSON-RPC 2.0 framing shared by the HTTP and WebSocket transports: request validation, batches,
// notifications, size limits and error mapping. Methods live in an RpcMethods registry that each
// namespace (eth_, net_, web3_, later optimism_, admin_...) adds to.

/** Error codes: the JSON-RPC 2.0 set plus the ones geth/op-geth use. */
export const RpcErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  Internal: -32603,
  /** geth's default code for application errors ("header not found", "nonce too low"...). */
  Server: -32000,
  /** geth: response exceeds the batch response size limit. */
  ResponseTooLarge: -32003,
  /** EIP-1474 "limit exceeded": a configured request limit (body size, getLogs range/results...). */
  LimitExceeded: -32005,
  /** eth_call / eth_estimateGas revert, with the revert data in `data`. */
  ExecutionReverted: 3,
} as const

/** An error that reaches the client as a JSON-RPC error object. */
export class RpcError extends Error {
  readonly code: number
  readonly data: unknown

  constructor(code: number, message: string, data?: unknown) {
    super(message)
    this.name = 'RpcError'
    this.code = code
    this.data = data
  }

  toJSON(): JsonRpcErrorObject {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data }
  }

  static invalidParams(message: string): RpcError {
    return new RpcError(RpcErrorCode.InvalidParams, message)
  }

  static server(message: string, data?: unknown): RpcError {
    return new RpcError(RpcErrorCode.Server, message, data)
  }

  static limitExceeded(message: string): RpcError {
    return new RpcError(RpcErrorCode.LimitExceeded, message)
  }

  static methodNotFound(method: string): RpcError {
    return new RpcError(RpcErrorCode.MethodNotFound, `the method ${method} does not exist/is not available`)
  }
}

export type JsonRpcId = string | number | null

export interface JsonRpcErrorObject {
  code: number
  message: string
  data?: unknown
}

export type JsonRpcResponse =
  | { jsonrpc: '2.0'; id: JsonRpcId; result: unknown }
  | { jsonrpc: '2.0'; id: JsonRpcId; error: JsonRpcErrorObject }

/** A live connection that can receive server-initiated messages (WebSocket); absent over HTTP. */
export interface RpcConnection {
  readonly id: string
  /** Sends a JSON-RPC notification (serialized by the transport). */
  notify(method: string, params: unknown): void
  /** Registers a callback run once when the connection closes. */
  onClose(cb: () => void): void
}

export interface RpcContext {
  transport: 'http' | 'ws'
  remoteAddress?: string
  connection?: RpcConnection
}

/** A method handler: positional params in, a JSON-ready value out. Throw RpcError for client errors. */
export type RpcHandler = (params: unknown[], ctx: RpcContext) => unknown

const METHOD_NAME = /^[a-z][a-zA-Z0-9]*_[a-zA-Z0-9]+$/

/** The method registry. The node assembly merges one per namespace. */
export class RpcMethods {
  private readonly handlers = new Map<string, RpcHandler>()

  /** Adds a method; a name registered twice is a wiring mistake and throws. */
  register(name: string, handler: RpcHandler): this {
    if (!METHOD_NAME.test(name)) throw new Error(`rpc: bad method name '${name}' (want namespace_method)`)
    if (this.handlers.has(name)) throw new Error(`rpc: method '${name}' registered twice`)
    this.handlers.set(name, handler)
    return this
  }

  /** Adds or replaces a method. */
  override(name: string, handler: RpcHandler): this {
    this.handlers.delete(name)
    return this.register(name, handler)
  }

  /** Adds every method of another registry (or a name → handler record). */
  merge(other: RpcMethods | Record<string, RpcHandler>): this {
    const entries = other instanceof RpcMethods ? other.handlers.entries() : Object.entries(other)
    for (const [name, handler] of entries) this.register(name, handler)
    return this
  }

  get(name: string): RpcHandler | undefined {
    return this.handlers.get(name)
  }

  has(name: string): boolean {
    return this.handlers.has(name)
  }

  names(): string[] {
    return [...this.handlers.keys()].sort()
  }

  /** A copy holding only the methods of the given namespaces (e.g. ['eth', 'net', 'web3']). */
  forNamespaces(namespaces: readonly string[]): RpcMethods {
    const out = new RpcMethods()
    for (const [name, handler] of this.handlers) {
      if (namespaces.includes(name.slice(0, name.indexOf('_')))) out.register(name, handler)
    }
    return out
  }
}

export interface JsonRpcLimits {
  /** Max calls in one batch (geth --rpc.batch-request-limit). */
  maxBatchItems: number
  /** Max request body (HTTP) or message (WebSocket) size in bytes. */
  maxBodyBytes: number
  /** Max serialized response size in bytes (whole batch included). */
  maxResponseBytes: number
}

export const defaultJsonRpcLimits: JsonRpcLimits = {
  maxBatchItems: 100,
  maxBodyBytes: 5 * 1024 * 1024,
  maxResponseBytes: 25 * 1024 * 1024,
}

export interface DispatcherOptions {
  limits?: Partial<JsonRpcLimits>
  logger?: Logger
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function errorResponse(id: JsonRpcId, err: RpcError | JsonRpcErrorObject): JsonRpcResponse {
  const error = err instanceof RpcError ? err.toJSON() : err
  return { jsonrpc: '2.0', id, error }
}

/**
 * Turns any thrown value into an RpcError. RpcError and objects shaped like one (numeric `code`, string
 * `message`, optional `data`, e.g. the engine backend's errors) pass through; anything else is unexpected:
 * it is logged and the client sees a generic internal error.
 */
export function toRpcError(err: unknown, log: Logger, method: string): RpcError {
  if (err instanceof RpcError) return err
  if (typeof err === 'object' && err !== null) {
    const { code, message, data } = err as { code?: unknown; message?: unknown; data?: unknown }
    if (typeof code === 'number' && Number.isInteger(code) && typeof message === 'string') {
      return new RpcError(code, message, data)
    }
  }
  log.error({ err, method }, 'RPC handler failed')
  return new RpcError(RpcErrorCode.Internal, 'internal error')
}

const byteLength = (s: string) => Buffer.byteLength(s, 'utf8')

/** Validates and executes JSON-RPC messages against a method registry. Never throws. */
export class RpcDispatcher {
  readonly limits: JsonRpcLimits
  private readonly log: Logger

  constructor(
    readonly methods: RpcMethods,
    opts: DispatcherOptions = {},
  ) {
    this.limits = { ...defaultJsonRpcLimits, ...opts.limits }
    this.log = opts.logger ?? silentLogger()
  }

  /**
   * Handles one raw request body (HTTP body or WebSocket message). Returns the serialized response, or
   * undefined when nothing is to be sent back (a notification, or a batch of only notifications).
   */
  async handleRaw(body: string | Uint8Array, ctx: RpcContext): Promise<string | undefined> {
    const size = typeof body === 'string' ? byteLength(body) : body.length
    if (size > this.limits.maxBodyBytes) {
      return JSON.stringify(errorResponse(null, this.bodyTooLarge()))
    }
    let msg: unknown
    try {
      msg = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'))
    } catch {
      return JSON.stringify(errorResponse(null, new RpcError(RpcErrorCode.ParseError, 'parse error')))
    }
    if (Array.isArray(msg)) return this.handleBatch(msg, ctx)
    const resp = await this.handleCall(msg, ctx)
    return resp === undefined ? undefined : this.serializeSingle(resp)
  }

  bodyTooLarge(): RpcError {
    return RpcError.limitExceeded(`request body too large (limit ${this.limits.maxBodyBytes} bytes: maxBodyBytes)`)
  }

  private async handleBatch(batch: unknown[], ctx: RpcContext): Promise<string | undefined> {
    if (batch.length === 0) {
      return JSON.stringify(errorResponse(null, new RpcError(RpcErrorCode.InvalidRequest, 'empty batch')))
    }
    if (batch.length > this.limits.maxBatchItems) {
      // geth answers a batch over the limit with one error, carrying the id of the first call.
      const first = batch.find((m) => isRecord(m) && validId(m.id))
      const id = first && isRecord(first) ? (first.id as JsonRpcId) : null
      const err = new RpcError(
        RpcErrorCode.InvalidRequest,
        `batch too large (${batch.length} items, limit ${this.limits.maxBatchItems}: maxBatchItems)`,
      )
      return JSON.stringify([errorResponse(id, err)])
    }
    const parts: string[] = []
    let total = 2
    let overLimit = false
    // Sequential like geth: bounded work per batch, and once the response limit is hit the rest is not run.
    for (const item of batch) {
      if (overLimit) {
        if (isRecord(item) && 'id' in item) parts.push(this.serializeSingle(tooLarge(idOf(item))))
        continue
      }
      const resp = await this.handleCall(item, ctx)
      if (resp === undefined) continue
      let s = this.serializeSingle(resp)
      if (total + byteLength(s) + 1 > this.limits.maxResponseBytes) {
        overLimit = true
        s = this.serializeSingle(tooLarge(resp.id))
      }
      total += byteLength(s) + 1
      parts.push(s)
    }
    return parts.length === 0 ? undefined : `[${parts.join(',')}]`
  }

  /** Serializes one response, replacing it by an error if it cannot be serialized or is over the limit. */
  private serializeSingle(resp: JsonRpcResponse): string {
    let s: string
    try {
      s = JSON.stringify(resp)
    } catch (err) {
      this.log.error({ err }, 'RPC response not serializable')
      return JSON.stringify(errorResponse(resp.id, new RpcError(RpcErrorCode.Internal, 'internal error')))
    }
    if (byteLength(s) > this.limits.maxResponseBytes) return JSON.stringify(tooLarge(resp.id))
    return s
  }

  /** Runs one call object. Returns undefined for notifications. */
  async handleCall(msg: unknown, ctx: RpcContext): Promise<JsonRpcResponse | undefined> {
    if (!isRecord(msg)) return errorResponse(null, invalidRequest('not a JSON object'))
    if ('id' in msg && !validId(msg.id))
      return errorResponse(null, invalidRequest('id must be a string, number or null'))
    const isNotification = !('id' in msg)
    const id = idOf(msg)
    if (msg.jsonrpc !== '2.0') return errorResponse(id, invalidRequest('jsonrpc must be "2.0"'))
    if (typeof msg.method !== 'string' || msg.method === '') {
      return errorResponse(id, invalidRequest('method must be a non-empty string'))
    }
    const method = msg.method
    let result: unknown
    try {
      const handler = this.methods.get(method)
      if (!handler) throw RpcError.methodNotFound(method)
      let params: unknown[]
      if (msg.params === undefined || msg.params === null) params = []
      else if (Array.isArray(msg.params)) params = msg.params
      else throw RpcError.invalidParams('non-array args')
      const started = performance.now()
      result = await handler(params, ctx)
      this.log.trace({ method, durationMs: Math.round(performance.now() - started) }, 'RPC call')
    } catch (err) {
      const rpcErr = toRpcError(err, this.log, method)
      return isNotification ? undefined : errorResponse(id, rpcErr)
    }
    if (isNotification) return undefined
    return { jsonrpc: '2.0', id, result: result === undefined ? null : result }
  }
}

function validId(id: unknown): boolean {
  return id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))
}

function idOf(msg: Record<string, unknown>): JsonRpcId {
  return validId(msg.id) ? (msg.id as JsonRpcId) : null
}

function invalidRequest(reason: string): RpcError {
  return new RpcError(RpcErrorCode.InvalidRequest, `invalid request: ${reason}`)
}

function tooLarge(id: JsonRpcId): JsonRpcResponse {
  return errorResponse(id, { code: RpcErrorCode.ResponseTooLarge, message: 'response too large' })
}
