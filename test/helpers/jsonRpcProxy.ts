import { createServer, type Server } from 'node:http'

// A loopback HTTP proxy in front of a JSON-RPC server (anvil) whose `intercept` can answer a request itself —
// e.g. 503 a few times, or a JSON-RPC error for one method — before the rest is forwarded untouched.

export interface ProxyReply {
  status: number
  body: string
}

export interface JsonRpcProxy {
  url: string
  /** HTTP requests received (a JSON-RPC batch is one). */
  requests: number
  /** JSON-RPC calls received, batches counted per call. */
  calls: { method: string }[]
  intercept: ((body: unknown) => ProxyReply | undefined) | undefined
  close(): Promise<void>
}

export async function startJsonRpcProxy(target: string): Promise<JsonRpcProxy> {
  const proxy: JsonRpcProxy = {
    url: '',
    requests: 0,
    calls: [],
    intercept: undefined,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const raw = Buffer.concat(chunks).toString()
    proxy.requests++
    const body = JSON.parse(raw) as unknown
    for (const c of Array.isArray(body) ? body : [body]) proxy.calls.push({ method: (c as { method: string }).method })
    const reply = proxy.intercept?.(body) ?? (await forward(target, raw))
    res.writeHead(reply.status, { 'content-type': 'application/json' })
    res.end(reply.body)
  })
  server.keepAliveTimeout = 1
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  proxy.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  return proxy
}

async function forward(target: string, raw: string): Promise<ProxyReply> {
  const res = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw })
  return { status: res.status, body: await res.text() }
}
