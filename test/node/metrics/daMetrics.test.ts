import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DAFailoverError } from '../../../da-eigen/errors.ts'
import { EigenDAProxyClient } from '../../../da-eigen/proxyClient.ts'
import { DAServer } from '../../../da-eigen/server/daServer.ts'
import { createNodeMetrics, daClientObserver } from '../../../node/metrics/metrics.ts'

// The oln_altda_* metrics, fed by the proxy client's observer while it talks to the real local DA server.
describe('DA client metrics', () => {
  let dir: string
  let server: DAServer
  let url: string

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oln-da-metrics-'))
    server = new DAServer({ dir, expirationMs: 0 })
    ;({ url } = await server.start())
  })
  afterAll(async () => {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('counts requests by route and status, latency and bytes', async () => {
    const m = createNodeMetrics()
    const client = new EigenDAProxyClient({ url, observer: daClientObserver(m), retries: 0 })
    const data = new Uint8Array(5000).fill(7)
    const commitment = await client.put(data)
    const got = await client.get(commitment.subarray(0))
    expect(got.status).toBe('ok')
    await fetch(`${url}/memstore/config`, { method: 'PATCH', body: JSON.stringify({ PutReturnsFailoverError: true }) })
    await expect(client.put(data)).rejects.toBeInstanceOf(DAFailoverError)
    const text = await m.registry.metrics()
    expect(text).toMatch(/oln_altda_requests_total\{route="put",status="200"\} 1/)
    expect(text).toMatch(/oln_altda_requests_total\{route="put",status="503"\} 1/)
    expect(text).toMatch(/oln_altda_requests_total\{route="get",status="200"\} 1/)
    expect(text).toMatch(/oln_altda_bytes_total\{route="put"\} 10000/)
    expect(text).toMatch(/oln_altda_bytes_total\{route="get"\} 5000/)
    expect(text).toMatch(/oln_altda_request_duration_seconds_count\{route="put"\} 2/)
  })

  it('reports an unreachable server without an HTTP status', async () => {
    const m = createNodeMetrics()
    const client = new EigenDAProxyClient({ url: 'http://127.0.0.1:1', observer: daClientObserver(m), retries: 0 })
    expect(await client.health()).toBe(false)
    expect(await m.registry.metrics()).toMatch(/oln_altda_requests_total\{route="health",status="unreachable"\} 1/)
  })
})
