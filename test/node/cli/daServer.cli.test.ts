import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { EigenDAProxyClient } from '../../../da-eigen/proxyClient.ts'

const bin = new URL('../../../bin/oln.js', import.meta.url).pathname

interface Running {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
}

function startCli(args: string[]): Running {
  const child = spawn(process.execPath, [bin, 'da-server', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d
  })
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    err += d
  })
  return { child, stdout: () => out, stderr: () => err }
}

async function waitForUrl(r: Running, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const m = /da-server listening on (http:\/\/\S+)/.exec(r.stdout())
    if (m) return m[1] as string
    if (r.child.exitCode !== null) throw new Error(`da-server exited ${r.child.exitCode}: ${r.stderr()}`)
    await new Promise((res) => setTimeout(res, 50))
  }
  throw new Error(`da-server did not print its URL; stdout: ${r.stdout()} stderr: ${r.stderr()}`)
}

async function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode
  const [code] = (await once(child, 'exit')) as [number | null]
  return code
}

const dirs: string[] = []
const children: ChildProcess[] = []
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'oln-da-cli-'))
  dirs.push(d)
  return d
}

describe('oln da-server', () => {
  it('serves put/get on --port 0, keeps blobs across a restart, and exits 0 on SIGINT', async () => {
    const dir = join(tmp(), 'db')
    const r = startCli(['--port', '0', '--dir', dir, '--log.level', 'warn'])
    children.push(r.child)
    const url = await waitForUrl(r)
    const client = new EigenDAProxyClient({ url, retries: 0 })
    const payload = new Uint8Array(5000).map((_, i) => (i * 31) & 0xff)
    const commitment = await client.put(payload)
    const got = await client.get(commitment)
    expect(got.status).toBe('ok')
    if (got.status === 'ok') expect(Buffer.from(got.data).equals(Buffer.from(payload))).toBe(true)
    r.child.kill('SIGINT')
    expect(await exitCode(r.child)).toBe(0)

    // LevelDB persistence: a second process on the same --dir serves the blob.
    const r2 = startCli(['--port', '0', '--dir', dir, '--log.level', 'warn'])
    children.push(r2.child)
    const url2 = await waitForUrl(r2)
    const again = await new EigenDAProxyClient({ url: url2, retries: 0 }).get(commitment)
    expect(again.status).toBe('ok')
    r2.child.kill('SIGTERM')
    expect(await exitCode(r2.child)).toBe(0)
  }, 60_000)

  it('reports a busy port as a config error naming port', async () => {
    const blocker = createServer()
    await new Promise<void>((res) => blocker.listen(0, '127.0.0.1', res))
    try {
      const port = (blocker.address() as { port: number }).port
      const r = startCli(['--port', String(port), '--dir', join(tmp(), 'db'), '--log.level', 'silent'])
      children.push(r.child)
      expect(await exitCode(r.child)).toBe(2)
      expect(r.stderr()).toContain("invalid config field 'port'")
    } finally {
      await new Promise<void>((res) => blocker.close(() => res()))
    }
  }, 30_000)
})
