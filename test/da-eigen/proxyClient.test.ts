import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { bytesToHex } from '../../config/bytes.ts'
import type { L1BlockRef } from '../../config/types.ts'
import { CERT_VERSION_V4 } from '../../da-eigen/cert.ts'
import { decodeCommitment, keccakCommitmentOf } from '../../da-eigen/commitment.ts'
import { DAClientError, DAFailoverError, DAPayloadTooLargeError } from '../../da-eigen/errors.ts'
import { encodePayload } from '../../da-eigen/payload.ts'
import { EigenDADataSource, EigenDAProxyClient, parseDrop, Semaphore } from '../../da-eigen/proxyClient.ts'
import { DAServer, MAX_POST_BODY_BYTES } from '../../da-eigen/server/daServer.ts'
import { isTemporary, PipelineError } from '../../derivation/pipelineErrors.ts'

const l1Ref = (number: number): L1BlockRef => ({
  number,
  hash: `0x${'11'.repeat(32)}` as L1BlockRef['hash'],
  parentHash: `0x${'22'.repeat(32)}` as L1BlockRef['hash'],
  timestamp: 1000,
})

function payload(n: number, seed = 7): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = (i * 13 + seed) & 0xff
  return out
}

const fast = { retries: 3, backoffMs: 5, putTimeoutMs: 5000, getTimeoutMs: 5000 }

async function patch(url: string, cfg: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${url}/memstore/config`, { method: 'PATCH', body: JSON.stringify(cfg) })
  expect(res.status).toBe(200)
}

/** A stub HTTP server whose handler the test controls. */
async function stub(
  handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>,
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    void handler(req, res)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }
}

async function closeStub(server: Server): Promise<void> {
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
}

async function expectReject<T extends Error>(p: Promise<unknown>, cls: new (...a: never[]) => T): Promise<T> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(cls)
  return err as T
}

describe('EigenDAProxyClient against the local DAServer', () => {
  let dir: string
  let server: DAServer
  let url: string
  let client: EigenDAProxyClient

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oln-da-client-'))
    server = new DAServer({ dir, expirationMs: 0 })
    ;({ url } = await server.start())
    client = new EigenDAProxyClient({ url, maxConcurrent: 4, ...fast })
  })

  afterAll(async () => {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  })

  afterEach(async () => {
    await patch(url, {
      PutReturnsFailoverError: false,
      PutLatency: '0s',
      GetLatency: '0s',
      NullableDerivationError: { Reset: true },
      GetReturnsDerivationError: null,
    })
  })

  it('put/get round trip: identical bytes, the commitment decodes to a V4 cert', async () => {
    for (const n of [1, 31, 32, 1000, 130_000]) {
      const data = payload(n, n)
      const commitment = await client.put(data)
      const c = decodeCommitment(commitment)
      expect(c.type).toBe('eigenda')
      if (c.type === 'eigenda') expect(c.cert.versionByte).toBe(CERT_VERSION_V4)
      const got = await client.get(commitment, 100)
      expect(got.status).toBe('ok')
      if (got.status === 'ok') expect(got.data).toEqual(data)
    }
    expect(await client.health()).toBe(true)
    expect((await client.config()).max_payload_size_bytes).toBe(16252897)
  })

  it('the DataSource returns the input for a stored commitment', async () => {
    const data = payload(500)
    const commitment = await client.put(data)
    const source = new EigenDADataSource(client)
    expect(await source.getInput(commitment, l1Ref(50))).toEqual(data)
  })

  it('forced 503 -> DAFailoverError at once (no retry)', async () => {
    await patch(url, { PutReturnsFailoverError: true })
    const err = await expectReject(client.put(payload(10)), DAFailoverError)
    expect(err.code).toBe('DA_FAILOVER')
    expect(err.retryable).toBe(false)
  })

  it('418 -> drop result from the client, null from the DataSource', async () => {
    await patch(url, { NullableDerivationError: { StatusCode: 3, Msg: 'bad cert' } })
    const commitment = await client.put(payload(10))
    expect(await client.get(commitment)).toEqual({ status: 'drop', statusCode: 3, msg: 'bad cert' })
    const source = new EigenDADataSource(client)
    expect(await source.getInput(commitment, l1Ref(1))).toBeNull()

    // forced 418 on every get, and a recency failure (418/2)
    await patch(url, { NullableDerivationError: { Reset: true } })
    const ok = await client.put(payload(10))
    await patch(url, { GetReturnsDerivationError: { StatusCode: 4, Msg: 'decode' } })
    expect(await source.getInput(ok, l1Ref(1))).toBeNull()
    await patch(url, { GetReturnsDerivationError: null })
    expect(await client.get(ok, 2 ** 33)).toMatchObject({ status: 'drop', statusCode: 2 })
  })

  it('an undecodable commitment is skipped by the DataSource without a request', async () => {
    const source = new EigenDADataSource(new EigenDAProxyClient({ url: 'http://127.0.0.1:1', ...fast }))
    expect(await source.getInput(Uint8Array.of(0x01, 0x00), l1Ref(1))).toBeNull()
    expect(await source.getInput(Uint8Array.of(0x07, 0x00, 0x03, 0x01), l1Ref(1))).toBeNull()
  })

  it('a missing cert (500 from the server) -> PipelineError temporary after retries', async () => {
    const commitment = await client.put(payload(10))
    await server.close()
    const dir2 = mkdtempSync(join(tmpdir(), 'oln-da-client-'))
    const other = new DAServer({ dir: dir2, expirationMs: 0 })
    const { url: url2 } = await other.start()
    try {
      const c2 = new EigenDAProxyClient({ url: url2, ...fast, retries: 1 })
      const err = await expectReject(c2.get(commitment), PipelineError)
      expect(isTemporary(err)).toBe(true)
      await expectReject(new EigenDADataSource(c2).getInput(commitment, l1Ref(3)), PipelineError)
    } finally {
      await other.close()
      rmSync(dir2, { recursive: true, force: true })
      server = new DAServer({ dir, expirationMs: 0 })
      ;({ url } = await server.start())
      client = new EigenDAProxyClient({ url, maxConcurrent: 4, ...fast })
    }
  })

  it('a restart on the same dir keeps the data readable through the client', async () => {
    const data = payload(4096)
    const commitment = await client.put(data)
    await server.close()
    server = new DAServer({ dir, expirationMs: 0, port: Number(new URL(url).port) })
    ;({ url } = await server.start())
    const got = await client.get(commitment, 5)
    expect(got).toEqual({ status: 'ok', data })
  })

  it('oversized payload -> DAPayloadTooLargeError (400, not retried)', async () => {
    const err = await expectReject(client.put(new Uint8Array(MAX_POST_BODY_BYTES + 1)), DAPayloadTooLargeError)
    expect(err.code).toBe('DA_PAYLOAD_TOO_LARGE')
    expect(err.retryable).toBe(false)
    // a payload under the body limit whose blob would exceed 16 MiB is the memstore's oversized-blob 400
    await expectReject(client.put(new Uint8Array(16_252_898)), DAPayloadTooLargeError)
  })

  it('latency injection is observed by the client; a get timeout becomes temporary', async () => {
    await patch(url, { PutLatency: '150ms', GetLatency: '120ms' })
    let t = performance.now()
    const commitment = await client.put(payload(100))
    expect(performance.now() - t).toBeGreaterThanOrEqual(140)
    t = performance.now()
    expect((await client.get(commitment)).status).toBe('ok')
    expect(performance.now() - t).toBeGreaterThanOrEqual(110)

    await patch(url, { GetLatency: '500ms' })
    const impatient = new EigenDAProxyClient({ url, retries: 1, backoffMs: 5, getTimeoutMs: 50 })
    const err = await expectReject(impatient.get(commitment), PipelineError)
    expect(err.kind).toBe('temporary')
  })

  it('empty input is rejected before any request', async () => {
    const err = await expectReject(client.put(new Uint8Array(0)), DAClientError)
    expect(err.code).toBe('DA_INVALID_INPUT')
  })
})

describe('EigenDAProxyClient against stub servers', () => {
  const servers: Server[] = []
  afterEach(async () => {
    for (const s of servers.splice(0)) await closeStub(s)
  })

  async function realCommitment(): Promise<Uint8Array> {
    const dir = mkdtempSync(join(tmpdir(), 'oln-da-stub-'))
    const s = new DAServer({ dir, expirationMs: 0 })
    const { url } = await s.start()
    try {
      return await new EigenDAProxyClient({ url }).put(payload(8))
    } finally {
      await s.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }

  it('500 a few times then 200 -> put and get retry and succeed', async () => {
    const commitment = await realCommitment()
    const data = payload(77)
    let puts = 0
    let gets = 0
    const { url, server } = await stub((req, res) => {
      req.resume()
      req.on('end', () => {
        if (req.method === 'POST') {
          puts++
          if (puts <= 2) return res.writeHead(puts === 1 ? 500 : 429).end('busy')
          return res.writeHead(200).end(commitment)
        }
        gets++
        if (gets <= 3) return res.writeHead(500).end('relay down')
        res.writeHead(200).end(data)
      })
    })
    servers.push(server)
    const client = new EigenDAProxyClient({ url, ...fast })
    expect(await client.put(payload(8))).toEqual(commitment)
    expect(puts).toBe(3)
    expect(await client.get(commitment)).toEqual({ status: 'ok', data })
    expect(gets).toBe(4)
  })

  it('500 forever -> get throws PipelineError temporary; put throws retryable DA_PUT_FAILED', async () => {
    let hits = 0
    const { url, server } = await stub((req, res) => {
      hits++
      req.resume()
      req.on('end', () => res.writeHead(500).end('down'))
    })
    servers.push(server)
    const client = new EigenDAProxyClient({ url, ...fast, retries: 2 })
    const commitment = await realCommitment()
    const err = await expectReject(client.get(commitment, 9), PipelineError)
    expect(err.kind).toBe('temporary')
    expect(err.code).toBe('EIGENDA_GET_FAILED')
    expect(hits).toBe(3)
    const perr = await expectReject(client.put(payload(5)), DAClientError)
    expect(perr.code).toBe('DA_PUT_FAILED')
    expect(perr.retryable).toBe(true)
    expect(hits).toBe(6)
    // and through the DataSource
    const e2 = await expectReject(new EigenDADataSource(client).getInput(commitment, l1Ref(9)), PipelineError)
    expect(isTemporary(e2)).toBe(true)
  })

  it('connection refused -> temporary; 418 with a non-JSON body is retried, not dropped; health false', async () => {
    const commitment = await realCommitment()
    const dead = new EigenDAProxyClient({ url: 'http://127.0.0.1:1', ...fast, retries: 1 })
    expect(isTemporary(await dead.get(commitment).catch((e: unknown) => e))).toBe(true)
    expect(await dead.health()).toBe(false)

    const { url, server } = await stub((_req, res) => {
      res.writeHead(418).end('not json')
    })
    servers.push(server)
    const c = new EigenDAProxyClient({ url, ...fast, retries: 1 })
    expect(isTemporary(await c.get(commitment).catch((e: unknown) => e))).toBe(true)
  })

  it('the query carries l1_inclusion_block_number only when set', async () => {
    const commitment = await realCommitment()
    const seen: string[] = []
    const { url, server } = await stub((req, res) => {
      seen.push(req.url ?? '')
      res.writeHead(200).end('x')
    })
    servers.push(server)
    const c = new EigenDAProxyClient({ url, ...fast })
    await c.get(commitment, 1234)
    await c.get(commitment)
    expect(seen[0]).toBe(`/get/${bytesToHex(commitment)}?l1_inclusion_block_number=1234`)
    expect(seen[1]).toBe(`/get/${bytesToHex(commitment)}`)
  })

  it('an empty 200 body -> the DataSource raises temporary; a keccak commitment is checked against its data', async () => {
    const commitment = await realCommitment()
    let body: Uint8Array = new Uint8Array(0)
    const { url, server } = await stub((_req, res) => {
      res.writeHead(200).end(body)
    })
    servers.push(server)
    const src = new EigenDADataSource(new EigenDAProxyClient({ url, ...fast }))
    const err = await expectReject(src.getInput(commitment, l1Ref(2)), PipelineError)
    expect(err.code).toBe('EIGENDA_EMPTY_PAYLOAD')

    const data = payload(40)
    const kc = Uint8Array.of(0x00, ...keccakCommitmentOf(data).hash)
    body = data
    expect(await src.getInput(kc, l1Ref(2))).toEqual(data)
    body = payload(41)
    expect(await src.getInput(kc, l1Ref(2))).toBeNull()
  })

  it('bounded concurrency: never more than maxConcurrent requests in flight at the server', async () => {
    const commitment = await realCommitment()
    let inFlight = 0
    let maxSeen = 0
    let total = 0
    const { url, server } = await stub(async (req, res) => {
      inFlight++
      total++
      maxSeen = Math.max(maxSeen, inFlight)
      req.resume()
      await new Promise((r) => setTimeout(r, 30))
      inFlight--
      if (req.method === 'POST') res.writeHead(200).end(commitment)
      else res.writeHead(200).end('data')
    })
    servers.push(server)
    const client = new EigenDAProxyClient({ url, ...fast, maxConcurrent: 3 })
    const ops: Promise<unknown>[] = []
    for (let i = 0; i < 10; i++) ops.push(client.put(payload(10 + i)))
    for (let i = 0; i < 10; i++) ops.push(client.get(commitment))
    let maxClient = 0
    const timer = setInterval(() => {
      maxClient = Math.max(maxClient, client.inFlight)
    }, 2)
    await Promise.all(ops)
    clearInterval(timer)
    expect(total).toBe(20)
    expect(maxSeen).toBe(3)
    expect(maxClient).toBeLessThanOrEqual(3)
    expect(client.inFlight).toBe(0)
  })

  it('a 200 put body that is not a generic commitment is DA_BAD_COMMITMENT; other 4xx are not retried', async () => {
    let status = 200
    let hits = 0
    const { url, server } = await stub((req, res) => {
      hits++
      req.resume()
      req.on('end', () => res.writeHead(status).end(status === 200 ? 'garbage' : 'nope'))
    })
    servers.push(server)
    const c = new EigenDAProxyClient({ url, ...fast })
    expect((await expectReject(c.put(payload(3)), DAClientError)).code).toBe('DA_BAD_COMMITMENT')
    status = 403
    expect((await expectReject(c.put(payload(3)), DAClientError)).code).toBe('DA_REQUEST_REJECTED')
    expect(hits).toBe(2)
  })
})

describe('parseDrop and Semaphore', () => {
  it('parseDrop accepts only StatusCode 1..4', () => {
    const enc = (s: string) => new TextEncoder().encode(s)
    expect(parseDrop(enc('{"StatusCode":2,"Msg":"late"}\n'))).toEqual({ status: 'drop', statusCode: 2, msg: 'late' })
    expect(parseDrop(enc('{"StatusCode":5,"Msg":"x"}'))).toBeUndefined()
    expect(parseDrop(enc('{"StatusCode":0}'))).toBeUndefined()
    expect(parseDrop(enc('teapot'))).toBeUndefined()
  })

  it('Semaphore wakes waiters in order and rejects a bad limit', async () => {
    const s = new Semaphore(1)
    const order: number[] = []
    await s.acquire()
    const a = s.acquire().then(() => order.push(1))
    const b = s.acquire().then(() => order.push(2))
    s.release()
    await a
    s.release()
    await b
    s.release()
    expect(order).toEqual([1, 2])
    expect(s.inFlight).toBe(0)
    expect(() => new Semaphore(0)).toThrow(RangeError)
  })
})

describe('verify on read (encoded payload decoded by the adapter)', () => {
  const servers: Server[] = []
  let dir: string
  let da: DAServer
  let daUrl: string
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oln-da-verify-'))
    da = new DAServer({ dir, expirationMs: 0 })
    ;({ url: daUrl } = await da.start())
  })
  afterAll(async () => {
    for (const s of servers.splice(0)) await closeStub(s)
    await da.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('the local server returns the encoded payload on request; the DataSource decodes it to the input', async () => {
    const client = new EigenDAProxyClient({ url: daUrl, ...fast })
    const data = payload(3000, 3)
    const commitment = await client.put(data)
    const enc = await client.get(commitment, 0, { encoded: true })
    expect(enc.status).toBe('ok')
    if (enc.status === 'ok') expect(enc.data).toEqual(encodePayload(data))
    expect(await new EigenDADataSource(client).getInput(commitment, l1Ref(1))).toEqual(data)
    expect(
      await new EigenDADataSource(client, undefined, { verifyOnRead: false }).getInput(commitment, l1Ref(1)),
    ).toEqual(data)
  })

  it('a proxy answer that breaks the payload codec or the cert length is dropped; without verify it passes', async () => {
    const real = new EigenDAProxyClient({ url: daUrl, ...fast })
    const data = payload(100, 9)
    const commitment = await real.put(data)
    const good = encodePayload(data)
    const badPadding = good.slice()
    badPadding[badPadding.length - 1] = 1 // non-zero padding after the payload
    const tooLong = new Uint8Array(good.length * 64)
    tooLong.set(good)
    let answer: Uint8Array = badPadding
    const seen: string[] = []
    const { url, server } = await stub((req, res) => {
      seen.push(req.url ?? '')
      res.writeHead(200).end(answer)
    })
    servers.push(server)
    const client = new EigenDAProxyClient({ url, ...fast })
    const source = new EigenDADataSource(client)
    expect(await source.getInput(commitment, l1Ref(5))).toBeNull()
    expect(seen.at(-1)).toContain('return_encoded_payload=true')
    answer = tooLong
    expect(await source.getInput(commitment, l1Ref(5))).toBeNull()
    answer = good
    expect(await source.getInput(commitment, l1Ref(5))).toEqual(data)
    // verify off: the bytes are taken as the payload itself (op-alt-da GenericCommitment.Verify)
    answer = badPadding
    expect(
      await new EigenDADataSource(client, undefined, { verifyOnRead: false }).getInput(commitment, l1Ref(5)),
    ).toEqual(badPadding)
    expect(seen.at(-1)).not.toContain('return_encoded_payload')
  })
})
