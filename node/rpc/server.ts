import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { type WebSocket, WebSocketServer } from 'ws'
import { createLogger, type Logger } from '../../config/logger.ts'
import type { ChainBackend } from './backend.ts'
import {
  type JsonRpcLimits,
  type RpcConnection,
  type RpcContext,
  RpcDispatcher,
  RpcError,
  RpcErrorCode,
  RpcMethods,
} from './jsonrpc.ts'
import { SubscriptionManager } from './subscriptions.ts'

// The L2 JSON-RPC endpoint: HTTP POST (plus GET /health and CORS preflight) and WebSocket with
// eth_subscribe, on one port (upgrade) or a separate WebSocket port.

export interface RpcServerOptions {
  /** All methods to serve (eth/net/web3 from createEthApi, plus any namespaces the node adds). */
  methods: RpcMethods
  /** Feeds eth_subscribe; without it the WebSocket transport serves plain calls only. */
  backend?: ChainBackend
  host: string
  /** 0 picks a free port; see RpcServer.httpAddress. */
  port: number
  /** Serve WebSocket (default true). */
  ws: boolean
  /** Separate WebSocket port (0 = any free port); undefined or equal to `port` = upgrade on the HTTP port. */
  wsPort?: number
  /** Origins allowed by CORS on HTTP ('*' = any); empty = no CORS headers. */
  corsOrigins: string[]
  /** Origins allowed to open a WebSocket ('*' = any); undefined = no origin check. */
  wsOrigins?: string[]
  limits: Partial<JsonRpcLimits>
  maxSubscriptionsPerConnection: number
  /** A WebSocket client whose unsent data exceeds this is disconnected (slow consumer). */
  maxWsBufferedBytes: number
  /** On close(), how long in-flight requests and WebSocket closing handshakes may take before sockets are cut. */
  shutdownGraceMs: number
  /** Extra fields for GET /health. */
  health?: () => Record<string, unknown>
  logger?: Logger
}

export const defaultRpcServerOptions = {
  host: '127.0.0.1',
  port: 8545,
  ws: true,
  corsOrigins: [] as string[],
  limits: {},
  maxSubscriptionsPerConnection: 128,
  maxWsBufferedBytes: 64 * 1024 * 1024,
  shutdownGraceMs: 2000,
} satisfies Partial<RpcServerOptions>

export interface BoundAddress {
  host: string
  port: number
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err)
    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      resolve(server.address() as AddressInfo)
    })
  })
}

class WsConnection implements RpcConnection {
  readonly id = randomUUID()
  private readonly closeCbs: (() => void)[] = []

  constructor(
    readonly ws: WebSocket,
    private readonly maxBuffered: number,
    private readonly log: Logger,
  ) {
    ws.once('close', () => {
      for (const cb of this.closeCbs.splice(0)) {
        try {
          cb()
        } catch (err) {
          this.log.error({ err }, 'WebSocket close callback failed')
        }
      }
    })
  }

  send(text: string): void {
    if (this.ws.readyState !== this.ws.OPEN) return
    if (this.ws.bufferedAmount > this.maxBuffered) {
      this.log.warn({ conn: this.id, buffered: this.ws.bufferedAmount }, 'WebSocket client too slow, disconnecting')
      this.ws.terminate()
      return
    }
    this.ws.send(text)
  }

  notify(method: string, params: unknown): void {
    this.send(JSON.stringify({ jsonrpc: '2.0', method, params }))
  }

  onClose(cb: () => void): void {
    this.closeCbs.push(cb)
  }
}

/**
 * Usage (node assembly):
 *   const methods = createEthApi(backend, { clientVersion }).merge(optimismMethods)
 *   const rpc = new RpcServer({ methods, backend, host, port, logger })
 *   await rpc.start()        // rpc.httpAddress / rpc.url / rpc.wsUrl
 *   await rpc.close()
 */
export class RpcServer {
  readonly opts: RpcServerOptions
  readonly dispatcher: RpcDispatcher
  private readonly log: Logger
  private readonly http: Server
  private wsHttp?: Server
  private wss?: WebSocketServer
  private subs?: SubscriptionManager
  private readonly sockets = new Set<Socket>()
  private httpAddr?: BoundAddress
  private wsAddr?: BoundAddress
  private closing?: Promise<void>

  constructor(opts: Partial<RpcServerOptions> & { methods: RpcMethods }) {
    this.opts = { ...defaultRpcServerOptions, ...opts }
    if (this.opts.wsPort !== undefined && this.opts.wsPort !== 0 && this.opts.wsPort === this.opts.port) {
      this.opts.wsPort = undefined
    }
    this.log = opts.logger ? opts.logger.child({ module: 'rpc' }) : createLogger({ name: 'rpc' })
    const methods = new RpcMethods().merge(this.opts.methods)
    if (this.opts.backend && this.opts.ws) {
      this.subs = new SubscriptionManager(this.opts.backend, {
        maxPerConnection: this.opts.maxSubscriptionsPerConnection,
        logger: this.log,
      })
      if (!methods.has('eth_subscribe')) methods.merge(this.subs.methods())
    }
    this.dispatcher = new RpcDispatcher(methods, { limits: this.opts.limits, logger: this.log })
    this.http = createServer((req, res) => this.onHttpRequest(req, res))
    this.trackSockets(this.http)
  }

  /** The bound HTTP address (after start). */
  get httpAddress(): BoundAddress {
    if (!this.httpAddr) throw new Error('rpc server not started')
    return this.httpAddr
  }

  /** The bound WebSocket address (after start; the HTTP one when sharing the port). */
  get wsAddress(): BoundAddress | undefined {
    return this.wsAddr
  }

  get url(): string {
    const a = this.httpAddress
    return `http://${hostForUrl(a.host)}:${a.port}`
  }

  get wsUrl(): string | undefined {
    const a = this.wsAddr
    return a ? `ws://${hostForUrl(a.host)}:${a.port}` : undefined
  }

  async start(): Promise<void> {
    if (this.httpAddr) return
    if (this.opts.ws) {
      this.wss = new WebSocketServer({ noServer: true, maxPayload: this.dispatcher.limits.maxBodyBytes })
      this.wss.on('connection', (ws, req) => this.onWsConnection(ws, req))
      this.wss.on('error', (err) => this.log.error({ err }, 'WebSocket server error'))
      if (this.opts.wsPort === undefined) {
        this.http.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket as Socket, head))
      } else {
        this.wsHttp = createServer((_req, res) => {
          res.writeHead(426, { 'Content-Type': 'text/plain' }).end('WebSocket only')
        })
        this.wsHttp.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket as Socket, head))
        this.trackSockets(this.wsHttp)
      }
    }
    const a = await listen(this.http, this.opts.port, this.opts.host)
    this.httpAddr = { host: a.address, port: a.port }
    if (this.wsHttp) {
      try {
        const w = await listen(this.wsHttp, this.opts.wsPort as number, this.opts.host)
        this.wsAddr = { host: w.address, port: w.port }
      } catch (err) {
        await new Promise<void>((resolve) => this.http.close(() => resolve()))
        this.httpAddr = undefined
        throw err
      }
    } else if (this.opts.ws) {
      this.wsAddr = this.httpAddr
    }
    this.subs?.start()
    this.log.info({ url: this.url, ws: this.wsUrl, methods: this.dispatcher.methods.names().length }, 'RPC listening')
  }

  /** Stops listening, closes WebSocket clients and idle connections; resolves once every socket is closed. */
  close(): Promise<void> {
    this.closing ??= this.doClose()
    return this.closing
  }

  private async doClose(): Promise<void> {
    this.subs?.stop()
    const servers = [this.http, this.wsHttp].filter((s): s is Server => s?.listening === true)
    const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))
    const wsClosed: Promise<void>[] = []
    for (const ws of this.wss?.clients ?? []) {
      wsClosed.push(new Promise<void>((resolve) => ws.once('close', () => resolve())))
      ws.close(1001, 'server shutting down')
    }
    for (const s of servers) s.closeIdleConnections()
    const grace = setTimeout(() => {
      for (const ws of this.wss?.clients ?? []) ws.terminate()
      for (const s of servers) s.closeAllConnections()
      for (const sock of this.sockets) sock.destroy()
    }, this.opts.shutdownGraceMs)
    grace.unref()
    await Promise.all([...wsClosed, ...closed])
    clearTimeout(grace)
    await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()))
    this.log.info('RPC closed')
  }

  private trackSockets(server: Server): void {
    server.on('connection', (sock: Socket) => {
      this.sockets.add(sock)
      sock.once('close', () => this.sockets.delete(sock))
    })
    server.on('clientError', (err, sock) => {
      this.log.debug({ err }, 'HTTP client error')
      if (sock.writable) sock.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
      else sock.destroy()
    })
  }

  // --- HTTP ---

  private corsHeaders(req: IncomingMessage): Record<string, string> {
    const origin = req.headers.origin
    const allowed = this.opts.corsOrigins
    if (allowed.length === 0) return {}
    if (allowed.includes('*')) return { 'Access-Control-Allow-Origin': '*' }
    if (origin && allowed.includes(origin)) return { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' }
    return {}
  }

  private onHttpRequest(req: IncomingMessage, res: ServerResponse): void {
    this.serveHttp(req, res).catch((err) => {
      this.log.error({ err }, 'HTTP request failed')
      if (!res.headersSent) {
        this.sendJson(res, 500, {}, errorBody(new RpcError(RpcErrorCode.Internal, 'internal error')))
      } else res.destroy()
    })
  }

  private async serveHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const cors = this.corsHeaders(req)
    const path = (req.url ?? '/').split('?')[0]
    if (req.method === 'OPTIONS') {
      this.writeHead(res, 204, {
        ...cors,
        ...(cors['Access-Control-Allow-Origin']
          ? {
              'Access-Control-Allow-Methods': 'POST, GET, OPTIONS',
              'Access-Control-Allow-Headers': 'Content-Type, Authorization',
              'Access-Control-Max-Age': '600',
            }
          : {}),
      })
      res.end()
      return
    }
    if (req.method === 'GET' && path === '/health') {
      this.sendJson(res, 200, cors, JSON.stringify({ status: 'ok', ...this.opts.health?.() }))
      return
    }
    if (req.method !== 'POST') {
      this.writeHead(res, 405, { ...cors, Allow: 'POST, GET, OPTIONS', 'Content-Type': 'text/plain' })
      res.end('method not allowed: use POST for JSON-RPC, GET /health for health\n')
      return
    }
    const body = await this.readBody(req)
    if (body === undefined) {
      res.setHeader('Connection', 'close')
      this.sendJson(res, 413, cors, errorBody(this.dispatcher.bodyTooLarge()))
      return
    }
    const ctx: RpcContext = { transport: 'http', remoteAddress: req.socket.remoteAddress }
    const out = await this.dispatcher.handleRaw(body, ctx)
    if (out === undefined) {
      this.writeHead(res, 204, cors)
      res.end()
      return
    }
    this.sendJson(res, 200, cors, out)
  }

  /** The request body, or undefined when it exceeds maxBodyBytes (the rest is drained, not buffered). */
  private readBody(req: IncomingMessage): Promise<Buffer | undefined> {
    const limit = this.dispatcher.limits.maxBodyBytes
    return new Promise((resolve, reject) => {
      const declared = Number(req.headers['content-length'])
      if (Number.isFinite(declared) && declared > limit) {
        req.resume()
        resolve(undefined)
        return
      }
      const chunks: Buffer[] = []
      let size = 0
      let over = false
      req.on('data', (chunk: Buffer) => {
        if (over) return
        size += chunk.length
        if (size > limit) {
          over = true
          chunks.length = 0
          resolve(undefined)
          return
        }
        chunks.push(chunk)
      })
      req.on('end', () => {
        if (!over) resolve(Buffer.concat(chunks))
      })
      req.on('error', reject)
    })
  }

  private writeHead(res: ServerResponse, status: number, headers: Record<string, string | number>): void {
    // While shutting down, in-flight requests are answered with Connection: close so their sockets end right after.
    if (this.closing) res.shouldKeepAlive = false
    res.writeHead(status, headers)
  }

  private sendJson(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
    this.writeHead(res, status, {
      ...headers,
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
    })
    res.end(body)
  }

  // --- WebSocket ---

  private onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const wss = this.wss
    const origins = this.opts.wsOrigins
    const origin = req.headers.origin
    if (!wss || this.closing) {
      socket.destroy()
      return
    }
    if (origins && origin && !origins.includes('*') && !origins.includes(origin)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  }

  private onWsConnection(ws: WebSocket, req: IncomingMessage): void {
    const conn = new WsConnection(ws, this.opts.maxWsBufferedBytes, this.log)
    const ctx: RpcContext = { transport: 'ws', remoteAddress: req.socket.remoteAddress, connection: conn }
    this.log.debug({ conn: conn.id, remote: ctx.remoteAddress }, 'WebSocket connected')
    ws.on('error', (err) => this.log.debug({ err, conn: conn.id }, 'WebSocket error'))
    ws.on('close', () => this.log.debug({ conn: conn.id }, 'WebSocket closed'))
    ws.on('message', (raw) => {
      const body = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw)
      this.dispatcher
        .handleRaw(body, ctx)
        .then((out) => {
          if (out !== undefined) conn.send(out)
        })
        .catch((err) => this.log.error({ err }, 'WebSocket message failed'))
    })
  }
}

function errorBody(err: RpcError): string {
  return JSON.stringify({ jsonrpc: '2.0', id: null, error: err.toJSON() })
}
