import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytesToHex } from '../../config/bytes.ts'
import { type AltDaPutStatus, AltDaWriter } from '../../da-eigen/altDaWriter.ts'
import { decodeTxData, encodeCommitment } from '../../da-eigen/commitment.ts'
import { DAFailoverError } from '../../da-eigen/errors.ts'
import { EigenDAProxyClient } from '../../da-eigen/proxyClient.ts'
import { DAServer } from '../../da-eigen/server/daServer.ts'
import { channelToFrames, encodeFrames } from '../../derivation/protocol/frame.ts'
import { freePort } from '../../node/l1/anvil.ts'

const inbox = '0xff00000000000000000000000000000000000901'

function frames(n: number, seed: number) {
  const data = new Uint8Array(n * 1000 - 500).map((_, i) => (i * seed + 11) & 0xff)
  return channelToFrames(new Uint8Array(16).fill(seed), data, 1000)
}

async function setFailover(url: string, on: boolean): Promise<void> {
  const res = await fetch(`${url}/memstore/config`, {
    method: 'PATCH',
    body: JSON.stringify({ PutReturnsFailoverError: on }),
  })
  expect(res.status).toBe(200)
}

describe('AltDaWriter against the local DA server', () => {
  let dir: string
  let server: DAServer
  let url: string
  const puts: AltDaPutStatus[] = []
  let writer: AltDaWriter

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oln-altda-'))
    server = new DAServer({ dir, expirationMs: 0 })
    ;({ url } = await server.start())
    writer = new AltDaWriter({
      batchInbox: inbox,
      client: new EigenDAProxyClient({ url, retries: 1, backoffMs: 5 }),
      observer: { onPut: (r) => puts.push(r.status) },
    })
  })
  afterAll(async () => {
    await server?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('puts 0x00 ++ frames (several per request) and returns 0x01 ++ the EigenDA commitment as calldata', async () => {
    const f = frames(4, 3)
    const c = await writer.prepare({ id: 'a', frames: f })
    expect(c.to).toBe(inbox)
    expect([...c.data.subarray(0, 4)]).toEqual([0x01, 0x01, 0x00, 0x03])
    const commitment = encodeCommitment(decodeTxData(c.data))
    const back = await new EigenDAProxyClient({ url }).get(commitment)
    expect(back.status).toBe('ok')
    if (back.status === 'ok') expect(bytesToHex(back.data)).toBe(bytesToHex(encodeFrames(f)))
    expect(puts.at(-1)).toBe('ok')
  })

  it('throws DAFailoverError on a 503, and goes back to Alt-DA when the server recovers', async () => {
    await setFailover(url, true)
    await expect(writer.prepare({ id: 'b', frames: frames(2, 5) })).rejects.toBeInstanceOf(DAFailoverError)
    expect(puts.at(-1)).toBe('failover')
    await setFailover(url, false)
    const c = await writer.prepare({ id: 'c', frames: frames(2, 6) })
    expect(c.data[0]).toBe(0x01)
    expect(puts.at(-1)).toBe('ok')
  })

  it('maps an unreachable DA server (connection refused, after retries) to DAFailoverError', async () => {
    const port = await freePort()
    const down = new AltDaWriter({
      batchInbox: inbox,
      client: new EigenDAProxyClient({ url: `http://127.0.0.1:${port}`, retries: 1, backoffMs: 5 }),
    })
    const err = await down.prepare({ id: 'd', frames: frames(1, 7) }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DAFailoverError)
    expect((err as DAFailoverError).code).toBe('DA_FAILOVER')
  })
})
