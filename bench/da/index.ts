// npm run bench:da — starts a local DAServer (LevelDB in a temp dir) and measures put and get through
// EigenDAProxyClient for 128 KiB and 1 MiB payloads: throughput with a few requests in flight, and p50/p99
// latency of sequential requests. Last line: {"bench":"da",...}. MB = 10^6 bytes.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import '../../config/polyfills.ts'
import { EigenDAProxyClient } from '../../da-eigen/proxyClient.ts'
import { DAServer } from '../../da-eigen/server/daServer.ts'

const CONCURRENCY = Number(process.env.BENCH_DA_CONCURRENCY ?? 4)
const WARMUP = 3

interface Case {
  label: string
  size: number
  /** sequential requests for the latency figures */
  n: number
  /** requests (CONCURRENCY in flight) for the throughput figures */
  tn: number
}

const CASES: Case[] = [
  { label: '128k', size: 128 * 1024, n: Number(process.env.BENCH_DA_N_128K ?? 50), tn: 256 },
  { label: '1m', size: 1024 * 1024, n: Number(process.env.BENCH_DA_N_1M ?? 20), tn: 64 },
]

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number
}

const round = (x: number, d = 2) => Number(x.toFixed(d))

async function getOk(client: EigenDAProxyClient, commitment: Uint8Array, size: number): Promise<void> {
  const r = await client.get(commitment)
  if (r.status !== 'ok') throw new Error(`get answered drop: ${r.msg}`)
  if (r.data.length !== size) throw new Error(`get returned ${r.data.length} bytes, expected ${size}`)
}

/** Runs `count` jobs with at most `limit` in flight; returns elapsed ms. */
async function runConcurrent(count: number, limit: number, job: (i: number) => Promise<void>): Promise<number> {
  let next = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async () => {
      while (next < count) await job(next++)
    }),
  )
  return performance.now() - t0
}

async function runCase(client: EigenDAProxyClient, c: Case): Promise<Record<string, number>> {
  const payloads = Array.from({ length: Math.max(c.n, c.tn) }, () => new Uint8Array(randomBytes(c.size)))
  for (let i = 0; i < WARMUP; i++) await getOk(client, await client.put(payloads[i] as Uint8Array), c.size)

  // Sequential latency.
  const putMs: number[] = []
  const getMs: number[] = []
  const commitments: Uint8Array[] = []
  for (let i = 0; i < c.n; i++) {
    const t0 = performance.now()
    commitments.push(await client.put(payloads[i] as Uint8Array))
    putMs.push(performance.now() - t0)
  }
  for (let i = 0; i < c.n; i++) {
    const t0 = performance.now()
    await getOk(client, commitments[i] as Uint8Array, c.size)
    getMs.push(performance.now() - t0)
  }
  putMs.sort((a, b) => a - b)
  getMs.sort((a, b) => a - b)

  // Throughput with CONCURRENCY requests in flight.
  const tCommitments: Uint8Array[] = new Array(c.tn)
  const putElapsed = await runConcurrent(c.tn, CONCURRENCY, async (i) => {
    tCommitments[i] = await client.put(payloads[i] as Uint8Array)
  })
  const getElapsed = await runConcurrent(c.tn, CONCURRENCY, async (i) => {
    await getOk(client, tCommitments[i] as Uint8Array, c.size)
  })
  const mbs = (elapsedMs: number) => (c.tn * c.size) / 1e6 / (elapsedMs / 1000)

  const r = {
    [`put_${c.label}_mb_s`]: round(mbs(putElapsed)),
    [`get_${c.label}_mb_s`]: round(mbs(getElapsed)),
    [`put_${c.label}_p50_ms`]: round(percentile(putMs, 50)),
    [`put_${c.label}_p99_ms`]: round(percentile(putMs, 99)),
    [`get_${c.label}_p50_ms`]: round(percentile(getMs, 50)),
    [`get_${c.label}_p99_ms`]: round(percentile(getMs, 99)),
  }
  console.log(
    `${c.label.padEnd(5)} payload ${c.size} B\n` +
      `  put: ${r[`put_${c.label}_mb_s`]} MB/s (${c.tn} reqs, ${CONCURRENCY} in flight); ` +
      `latency p50 ${r[`put_${c.label}_p50_ms`]} ms, p99 ${r[`put_${c.label}_p99_ms`]} ms (${c.n} sequential)\n` +
      `  get: ${r[`get_${c.label}_mb_s`]} MB/s (${c.tn} reqs, ${CONCURRENCY} in flight); ` +
      `latency p50 ${r[`get_${c.label}_p50_ms`]} ms, p99 ${r[`get_${c.label}_p99_ms`]} ms (${c.n} sequential)`,
  )
  return r
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'oln-bench-da-'))
  const server = new DAServer({ dir: join(dir, 'db'), port: 0, expirationMs: 0 })
  try {
    const { url } = await server.start()
    const client = new EigenDAProxyClient({ url, maxConcurrent: CONCURRENCY, retries: 0 })
    console.log(`DA server ${url} (LevelDB in ${dir}), node ${process.version}`)
    const result: Record<string, unknown> = { bench: 'da' }
    for (const c of CASES) Object.assign(result, await runCase(client, c))
    result.concurrency = CONCURRENCY
    console.log(JSON.stringify(result))
  } finally {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
