import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocket, WebSocketServer } from 'ws'
import type { Logger } from '../../config/logger.ts'
import {
  defaultRpcLimits,
  JsonRpcProcessor,
  type RpcLimits,
  type RpcMethods,
  type RpcObserver,
  stringify,
} from './jsonrpc.ts'

// One port serves JSON-RPC over HTTP POST, WebSocket (upgrade, with eth_subscribe), and GET /health.

export interface RpcServerOptions {
  host: string
  port: number
  corsOrigins: string[]
  limits: RpcLimits
  /** Extra health details (sync status, heads); a thrown error makes /health answer 503. */
  health?: () => Record<string, unknown> | Promise<Record<string, unknown>>
  observer?: RpcObserver
}

export const defaultRpcServerOptions: RpcServerOptions = {
  host: '127.0.0.1',
  port: 8545,
  corsOrigins: [],
  limits: defaultRpcLimits,
}

export class RpcServer {
  private readonly http: Server
  private readonly wss: WebSocketServer
  private readonly processor: JsonRpcProcessor
  private readonly opts: RpcServerOptions
  private nextConnId = 1

  constructor(
    methods: RpcMethods,
    private readonly log: Logger,
    opts: Partial<RpcServerOptions> = {},
  ) {
    this.opts = { ...defaultRpcServerOptions, ...opts }
    this.processor = new JsonRpcProcessor(methods, log, this.opts.limits, this.opts.observer)
    this.http = createServer((req, res) => {
      this.onHttp(req, res).catch((err) => {
        log.error({ err }, 'RPC HTTP handler failed')
        if (!res.headersSent) res.writeHead(500)
        res.end()
      })
    })
    this.http.keepAliveTimeout = 30_000
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.opts.limits.maxRequestBytes })
    this.http.on('upgrade', (req, socket, head) => {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onWebSocket(ws))
    })
  }

  private cors(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin
    if (!origin) return
    if (this.opts.corsOrigins.includes('*') || this.opts.corsOrigins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', this.opts.corsOrigins.includes('*') ? '*' : origin)
      res.setHeader('Access-Control-Allow-Methods', 'POST, GET, OPTIONS')
      res.setHeader('Access-Control-Allow-Headers', 'content-type')
    }
  }

  private async onHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.cors(req, res)
    if (req.method === 'OPTIONS') {
      res.writeHead(204)
      res.end()
      return
    }
    if (req.method === 'GET' && (req.url === '/health' || req.url === '/healthz')) {
      try {
        const details = (await this.opts.health?.()) ?? {}
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ ok: true, ...details }))
      } catch (err) {
        res.writeHead(503, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ ok: false, error: (err as Error).message }))
      }
      return
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST, GET, OPTIONS' })
      res.end()
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let tooLarge = false
    for await (const c of req) {
      size += (c as Buffer).length
      if (size > this.opts.limits.maxRequestBytes) {
        tooLarge = true
        break
      }
      chunks.push(c as Buffer)
    }
    res.setHeader('content-type', 'application/json')
    if (tooLarge) {
      res.writeHead(413)
      res.end(
        stringify({
          jsonrpc: '2.0',
          id: null,
          error: { code: -32600, message: `request body too large (max ${this.opts.limits.maxRequestBytes} bytes)` },
        }),
      )
      req.destroy()
      return
    }
    const out = await this.processor.handleBody(Buffer.concat(chunks).toString('utf8'))
    res.writeHead(200)
    res.end(out ?? '')
  }

  private onWebSocket(ws: WebSocket): void {
    const id = this.nextConnId++
    const closers: (() => void)[] = []
    const connection = {
      id,
      send: (msg: unknown) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(stringify(msg))
      },
      onClose: (cb: () => void) => closers.push(cb),
    }
    ws.on('message', (data) => {
      this.processor
        .handleBody(String(data), { connection })
        .then((out) => {
          if (out !== undefined && ws.readyState === WebSocket.OPEN) ws.send(out)
        })
        .catch((err) => this.log.error({ err }, 'RPC WebSocket handler failed'))
    })
    ws.on('close', () => {
      for (const c of closers) c()
    })
    ws.on('error', (err) => this.log.debug({ err }, 'RPC WebSocket error'))
  }

  async start(): Promise<{ host: string; port: number; url: string; wsUrl: string }> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject)
      this.http.listen(this.opts.port, this.opts.host, () => {
        this.http.off('error', reject)
        resolve()
      })
    })
    const a = this.http.address() as AddressInfo
    this.log.info({ host: a.address, port: a.port }, 'RPC server listening')
    return { host: a.address, port: a.port, url: `http://${a.address}:${a.port}`, wsUrl: `ws://${a.address}:${a.port}` }
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate()
    await new Promise<void>((r) => this.wss.close(() => r()))
    this.http.closeAllConnections()
    await new Promise<void>((r) => this.http.close(() => r()))
  }
}
