import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bytesToHex, concatBytes } from '../../config/bytes.ts'
import { CERT_VERSION_V4, decodeCert, encodeCert } from '../../da-eigen/cert.ts'
import { decodeCommitment } from '../../da-eigen/commitment.ts'
import { encodedPayloadSymbols } from '../../da-eigen/payload.ts'
import {
  DAServer,
  durationMs,
  fabricateCertV4,
  formatGoDuration,
  MAX_POST_BODY_BYTES,
  maxPayloadForBlob,
} from '../../da-eigen/server/daServer.ts'

function payload(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff
  return out
}

async function put(url: string, body: Uint8Array): Promise<Response> {
  return fetch(`${url}/put`, { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } })
}

async function putOk(url: string, body: Uint8Array): Promise<Uint8Array> {
  const res = await put(url, body)
  expect(res.status).toBe(200)
  return new Uint8Array(await res.arrayBuffer())
}

async function patch(url: string, cfg: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}/memstore/config`, { method: 'PATCH', body: JSON.stringify(cfg) })
  expect(res.status).toBe(200)
  return (await res.json()) as Record<string, unknown>
}

describe('DAServer', () => {
  let dir: string
  let server: DAServer
  let url: string

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oln-da-'))
    server = new DAServer({ dir, expirationMs: 0 })
    ;({ url } = await server.start())
  })

  afterEach(async () => {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('put returns 01 00 03 ++ a V4 cert that decodes, and get returns the same bytes', async () => {
    const data = payload(1000)
    const commitment = await putOk(url, data)
    expect([...commitment.subarray(0, 3)]).toEqual([0x01, 0x00, 0x03])
    const c = decodeCommitment(commitment)
    expect(c.type).toBe('eigenda')
    const cert = decodeCert(CERT_VERSION_V4, commitment.subarray(3))
    expect(cert.versionByte).toBe(CERT_VERSION_V4)
    if (cert.versionByte !== CERT_VERSION_V4) return
    expect(cert.blobInclusionInfo.blobCertificate.blobHeader.commitment.length).toBe(encodedPayloadSymbols(1000))
    expect(cert.batchHeader.referenceBlockNumber).toBeGreaterThanOrEqual(4294967200)
    expect(cert.offchainDerivationVersion).toBe(0)

    for (const path of [bytesToHex(commitment), bytesToHex(commitment).slice(2)]) {
      const res = await fetch(`${url}/get/${path}?l1_inclusion_block_number=123`)
      expect(res.status).toBe(200)
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(data)
    }
    // /put/ (old op-alt-da trailing slash) works too, and two equal payloads get different certs
    const res2 = await fetch(`${url}/put/`, { method: 'POST', body: data })
    expect(res2.status).toBe(200)
    expect(bytesToHex(new Uint8Array(await res2.arrayBuffer()))).not.toBe(bytesToHex(commitment))
  })

  it('a cert that was never stored gives 500 (not 404); a corrupted cert gives 418/1; bad inputs give 400', async () => {
    const commitment = await putOk(url, payload(64))
    const other = concatBytes(Uint8Array.of(0x01, 0x00, 0x03), encodeCert(fabricateCertV4(8))) // never stored
    let res = await fetch(`${url}/get/${bytesToHex(other)}`)
    expect(res.status).toBe(500)
    expect(await res.text()).toMatch(/payload not found/)

    const broken = commitment.slice(0, commitment.length - 5)
    res = await fetch(`${url}/get/${bytesToHex(broken)}`)
    expect(res.status).toBe(418)
    expect(JSON.parse(await res.text())).toMatchObject({ StatusCode: 1 })

    res = await fetch(`${url}/get/0x010009${bytesToHex(commitment).slice(8)}`) // unknown cert version byte
    expect(res.status).toBe(400)
    res = await fetch(`${url}/get/${bytesToHex(commitment)}?l1_inclusion_block_number=abc`)
    expect(res.status).toBe(400)
    res = await fetch(`${url}/get/0x999`)
    expect(res.status).toBe(400)
    res = await fetch(`${url}/put`)
    expect(res.status).toBe(405)
  })

  it('recency: a V4 cert included more than 14400 blocks after its RBN is a 418/2 drop', async () => {
    const commitment = await putOk(url, payload(64))
    const res = await fetch(`${url}/get/${bytesToHex(commitment)}?l1_inclusion_block_number=${2 ** 33}`)
    expect(res.status).toBe(418)
    expect(JSON.parse(await res.text())).toMatchObject({ StatusCode: 2 })
  })

  it('a restart on the same dir keeps every entry', async () => {
    const items = [payload(10, 1), payload(5000, 2), payload(200_000, 3)]
    const commits: Uint8Array[] = []
    for (const d of items) commits.push(await putOk(url, d))
    await server.close()
    server = new DAServer({ dir, expirationMs: 0 })
    ;({ url } = await server.start())
    for (let i = 0; i < items.length; i++) {
      const res = await fetch(`${url}/get/${bytesToHex(commits[i]!)}`)
      expect(res.status).toBe(200)
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(items[i])
    }
  })

  it('entries expire (gone after expiry, pruned from the db) like the memstore', async () => {
    await server.close()
    server = new DAServer({ dir, expirationMs: 150, pruneIntervalMs: 50 })
    ;({ url } = await server.start())
    const commitment = await putOk(url, payload(100))
    expect((await fetch(`${url}/get/${bytesToHex(commitment)}`)).status).toBe(200)
    await new Promise((r) => setTimeout(r, 300))
    const res = await fetch(`${url}/get/${bytesToHex(commitment)}`)
    expect(res.status).toBe(500)
    expect(await server.prune()).toBe(0) // the timer already pruned it
  })

  it('memstore config: GET shows the Go-style config, PATCH changes latency, failover and derivation errors', async () => {
    const cfg = (await (await fetch(`${url}/memstore/config`)).json()) as Record<string, unknown>
    expect(cfg).toMatchObject({
      MaxBlobSizeBytes: 16777216,
      BlobExpiration: '0s',
      PutLatency: '0s',
      GetLatency: '0s',
      PutReturnsFailoverError: false,
      OverwritePutWithDerivationError: null,
    })

    // latency injection
    const after = await patch(url, { PutLatency: '200ms', GetLatency: 150 })
    expect(after).toMatchObject({ PutLatency: '200ms', GetLatency: '150ms' })
    let t = performance.now()
    const commitment = await putOk(url, payload(50))
    expect(performance.now() - t).toBeGreaterThanOrEqual(190)
    t = performance.now()
    expect((await fetch(`${url}/get/${bytesToHex(commitment)}`)).status).toBe(200)
    expect(performance.now() - t).toBeGreaterThanOrEqual(140)
    await patch(url, { PutLatency: '0s', GetLatency: '0s' })

    // forced 503, returned at once (before the put latency)
    await patch(url, { PutReturnsFailoverError: true, PutLatency: '5s' })
    t = performance.now()
    expect((await put(url, payload(50))).status).toBe(503)
    expect(performance.now() - t).toBeLessThan(2000)
    await patch(url, { PutReturnsFailoverError: false, PutLatency: '0s' })

    // a derivation error set before a put is stored with it: later GETs of that cert answer 418
    await patch(url, { NullableDerivationError: { StatusCode: 3, Msg: 'invalid cert' } })
    const bad = await putOk(url, payload(50))
    await patch(url, { NullableDerivationError: { Reset: true } })
    const good = await putOk(url, payload(50))
    let res = await fetch(`${url}/get/${bytesToHex(bad)}`)
    expect(res.status).toBe(418)
    expect(res.headers.get('content-type')).toMatch(/text\/plain/)
    expect(JSON.parse(await res.text())).toEqual({ StatusCode: 3, Msg: 'invalid cert' })
    expect((await fetch(`${url}/get/${bytesToHex(good)}`)).status).toBe(200)

    // the extra GetReturnsDerivationError forces 418 on every GET
    await patch(url, { GetReturnsDerivationError: { StatusCode: 4, Msg: 'forced' } })
    res = await fetch(`${url}/get/${bytesToHex(good)}`)
    expect(res.status).toBe(418)
    expect(JSON.parse(await res.text())).toEqual({ StatusCode: 4, Msg: 'forced' })
    await patch(url, { GetReturnsDerivationError: null })
    expect((await fetch(`${url}/get/${bytesToHex(good)}`)).status).toBe(200)

    res = await fetch(`${url}/memstore/config`, {
      method: 'PATCH',
      body: '{"NullableDerivationError":{"StatusCode":9}}',
    })
    expect(res.status).toBe(400)
  })

  it('oversized: a body over 16 MiB and a blob over MaxBlobSizeBytes are 400', async () => {
    let res = await put(url, new Uint8Array(MAX_POST_BODY_BYTES + 1))
    expect(res.status).toBe(400)
    expect(await res.text()).toMatch(/reading at most 16777216 bytes/)
    // the largest payload that fits a 16 MiB blob is accepted; one byte more needs a 32 MiB blob
    await patch(url, { MaxBlobSizeBytes: 128 * 1024 })
    const max = maxPayloadForBlob(128 * 1024)
    expect(max).toBe(126945)
    expect((await put(url, payload(max))).status).toBe(200)
    res = await put(url, payload(max + 1))
    expect(res.status).toBe(400)
    expect(await res.text()).toMatch(/encoded blob is larger than max blob size/)
  })

  it('health and config', async () => {
    expect((await fetch(`${url}/health`)).status).toBe(200)
    const cfg = (await (await fetch(`${url}/config`)).json()) as Record<string, unknown>
    expect(cfg).toMatchObject({ chain_id: '', max_payload_size_bytes: 16252897, read_only_mode: false })
    expect((await fetch(`${url}/nope`)).status).toBe(404)
  })
})

describe('Go durations', () => {
  it('parses and formats', () => {
    expect(durationMs('25m', 'x')).toBe(1_500_000)
    expect(durationMs('1h2m3.5s', 'x')).toBe(3_723_500)
    expect(durationMs('250ms', 'x')).toBe(250)
    expect(durationMs('0', 'x')).toBe(0)
    expect(durationMs(42, 'x')).toBe(42)
    expect(() => durationMs('5 minutes', 'x')).toThrow()
    expect(formatGoDuration(1_500_000)).toBe('25m0s')
    expect(formatGoDuration(3_723_500)).toBe('1h2m3.5s')
    expect(formatGoDuration(250)).toBe('250ms')
    expect(formatGoDuration(0)).toBe('0s')
  })
})
