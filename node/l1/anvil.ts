import { type ChildProcess, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'

// Starts a real anvil (from @foundry-rs/anvil's platform package) on a free loopback port; always stop() it.

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

export function anvilBinary(): string {
  const require = createRequire(import.meta.url)
  const arch = process.arch === 'x64' ? 'amd64' : process.arch
  const pkg = require.resolve(`@foundry-rs/anvil-${process.platform}-${arch}/package.json`)
  return join(dirname(pkg), 'bin', 'anvil')
}

export interface Anvil {
  url: string
  port: number
  proc: ChildProcess
  rpc<T = unknown>(method: string, params?: unknown[]): Promise<T>
  rpcBatch(calls: { method: string; params: unknown[] }[]): Promise<unknown[]>
  stop(): Promise<void>
}

export async function startAnvil(args: string[] = [], port0 = 0): Promise<Anvil> {
  const port = port0 || (await freePort())
  const proc = spawn(anvilBinary(), ['--host', '127.0.0.1', '--port', String(port), '--silent', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  proc.stderr?.on('data', (d) => {
    stderr += String(d)
  })
  const url = `http://127.0.0.1:${port}`
  let id = 1
  const rpc = async <T>(method: string, params: unknown[] = []): Promise<T> => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: id++, method, params }),
    })
    const j = (await res.json()) as { result?: T; error?: { message: string } }
    if (j.error) throw new Error(`anvil ${method}: ${j.error.message}`)
    return j.result as T
  }
  const rpcBatch = async (calls: { method: string; params: unknown[] }[]) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(calls.map((c) => ({ jsonrpc: '2.0', id: id++, ...c }))),
    })
    const j = (await res.json()) as { result?: unknown; error?: { message: string } }[]
    for (const r of j) if (r.error) throw new Error(`anvil batch: ${r.error.message}`)
    return j.map((r) => r.result)
  }
  const deadline = Date.now() + 20_000
  for (;;) {
    try {
      await rpc('eth_chainId')
      break
    } catch {
      if (proc.exitCode !== null) throw new Error(`anvil exited: ${stderr}`)
      if (Date.now() > deadline) {
        proc.kill('SIGKILL')
        throw new Error(`anvil did not start: ${stderr}`)
      }
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  return {
    url,
    port,
    proc,
    rpc,
    rpcBatch,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve()
        proc.once('exit', () => resolve())
        proc.kill('SIGTERM')
        setTimeout(() => proc.kill('SIGKILL'), 3000).unref()
      }),
  }
}
