import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytesToHex } from '../../../config/bytes.ts'
import type { ExecutionPayloadEnvelope } from '../../../config/executionPayload.ts'
import { BlockGossip, type BlockGossipOptions } from '../../../node/p2p/blockGossip.ts'
import type { GossipVerdict } from '../../../node/p2p/blockValidator.ts'
import { DEV_ADDRS, DEV_KEYS } from '../../helpers/engineFixture.ts'
import { CHAIN, ecotoneEnvelope } from './gossipFixture.ts'

// Three real libp2p nodes on 127.0.0.1: the sequencer (signs with the unsafe block signer key), a verifier that
// dials it as a static peer, and a rogue node signing with another key.

const SEQ_KEY = DEV_KEYS[0] as Uint8Array
const SEQ_ADDR = DEV_ADDRS[0] as Uint8Array
const nowSec = () => Math.floor(Date.now() / 1000)

/** Resolves when `cond` holds; polls because libp2p exposes no event for every state we wait on. */
async function until(what: string, cond: () => boolean, limitMs = 15_000): Promise<void> {
  const deadline = Date.now() + limitMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

interface Verdict {
  verdict: GossipVerdict
  reason: string | undefined
  from: string
}

function tcpPort(multiaddr: string): number {
  return Number(/\/tcp\/(\d+)/.exec(multiaddr)?.[1])
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port })
    s.once('connect', () => {
      s.destroy()
      resolve(true)
    })
    s.once('error', () => resolve(false))
  })
}

describe('block gossip over libp2p', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oln-p2p-'))
  const received: { envelope: ExecutionPayloadEnvelope; from: string }[] = []
  const verdicts: Verdict[] = []
  let seq: BlockGossip
  let verifier: BlockGossip
  let rogue: BlockGossip
  const handlesBefore = process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')).length

  const make = (o: Omit<BlockGossipOptions, 'chain'>) => new BlockGossip({ chain: CHAIN, ...o })

  beforeAll(async () => {
    seq = make({ signerKey: SEQ_KEY, peerKeyFile: join(dir, 'seq', 'p2p.key') })
    await seq.start()
    verifier = make({
      expectedSigner: SEQ_ADDR,
      staticPeers: [seq.multiaddrs[0] as string],
      staticPeerRedialMs: 500,
      onUnsafeBlock: (envelope, from) => {
        received.push({ envelope, from })
      },
      onValidation: (verdict, reason, from) => {
        verdicts.push({ verdict, reason, from })
      },
    })
    await verifier.start()
    rogue = make({ signerKey: DEV_KEYS[1] as Uint8Array, staticPeers: [verifier.multiaddrs[0] as string] })
    await rogue.start()
    // publishing is fire-and-forget: wait until both publishers know the verifier subscribes to the v3 topic
    await until('the verifier to join the sequencer topic', () => seq.topicPeers(3).includes(verifier.peerId))
    await until('the verifier to join the rogue topic', () => rogue.topicPeers(3).includes(verifier.peerId))
  })

  afterAll(async () => {
    await Promise.all([seq?.stop(), verifier?.stop(), rogue?.stop()])
    rmSync(dir, { recursive: true, force: true })
  })

  it('listens on 127.0.0.1 with the real port, and persists its peer key', () => {
    const addr = seq.multiaddrs[0] as string
    expect(addr).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//)
    expect(tcpPort(addr)).toBeGreaterThan(0)
    expect(addr.endsWith(seq.peerId)).toBe(true)
    expect(readFileSync(join(dir, 'seq', 'p2p.key'), 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/)
  })

  it('delivers a block the sequencer publishes to the verifier, decoded and attributed to the sender', async () => {
    const env = ecotoneEnvelope(100n, BigInt(nowSec()))
    await seq.publish(env)
    await until('the block to arrive', () => received.length === 1)
    expect(received[0]?.envelope).toEqual(env)
    expect(received[0]?.from).toBe(seq.peerId)
    expect(verdicts.at(-1)).toEqual({ verdict: 'accept', reason: undefined, from: seq.peerId })
  })

  it('rejects a block signed by another key and does not deliver it', async () => {
    const before = received.length
    await rogue.publish(ecotoneEnvelope(101n, BigInt(nowSec())))
    await until('the rogue block to be judged', () => verdicts.some((v) => v.from === rogue.peerId))
    const v = verdicts.find((x) => x.from === rogue.peerId) as Verdict
    expect(v.verdict).toBe('reject')
    expect(v.reason).toBe(`unexpected block signer ${bytesToHex(DEV_ADDRS[1] as Uint8Array)}`)
    expect(received.length).toBe(before)
  })

  it('drops a block with a stale timestamp (op-node: REJECT when older than 60 s)', async () => {
    const before = received.length
    const judged = verdicts.length
    await seq.publish(ecotoneEnvelope(102n, BigInt(nowSec() - 120)))
    await until('the stale block to be judged', () => verdicts.length > judged)
    expect(verdicts.at(-1)).toEqual({ verdict: 'reject', reason: 'payload is too old', from: seq.peerId })
    // a fresh block published afterwards still arrives, and is the only new delivery
    const fresh = ecotoneEnvelope(103n, BigInt(nowSec()))
    await seq.publish(fresh)
    await until('the fresh block to arrive', () => received.length > before)
    expect(received.slice(before).map((r) => r.envelope.executionPayload.blockNumber)).toEqual([103n])
  })

  it('reconnects to a static peer that restarts on the same address', async () => {
    const port = tcpPort(seq.multiaddrs[0] as string)
    const id = seq.peerId
    await seq.stop()
    await until('the verifier to notice', () => !verifier.connectedPeers().includes(id))
    seq = make({ signerKey: SEQ_KEY, peerKeyFile: join(dir, 'seq', 'p2p.key'), listenPort: port })
    await seq.start()
    expect(seq.peerId).toBe(id)
    await until('the verifier to redial', () => seq.topicPeers(3).includes(verifier.peerId))
    const before = received.length
    await seq.publish(ecotoneEnvelope(105n, BigInt(nowSec())))
    await until('the block to arrive after the reconnect', () => received.length > before)
    expect(received.at(-1)?.envelope.executionPayload.blockNumber).toBe(105n)
  })

  it('reports a busy listen port and a static peer without /p2p/ as config errors', async () => {
    const busy = make({ listenPort: tcpPort(verifier.multiaddrs[0] as string) })
    await expect(busy.start()).rejects.toThrow(/invalid config field 'p2p.listen.tcp'.*already in use/)
    expect(() => make({ staticPeers: ['/ip4/127.0.0.1/tcp/1'] })).toThrow(/must end in \/p2p\/<peerId>/)
  })

  it('refuses to publish without a signer key', async () => {
    await expect(verifier.publish(ecotoneEnvelope(104n, BigInt(nowSec())))).rejects.toThrow(/sequencer key/)
  })

  it('leaves no listener or socket behind when stopped', async () => {
    const port = tcpPort(seq.multiaddrs[0] as string)
    await Promise.all([seq.stop(), verifier.stop(), rogue.stop()])
    expect(await canConnect(port)).toBe(false)
    await until('sockets to close', () => {
      const tcp = process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')).length
      return tcp <= handlesBefore
    })
    expect(() => seq.peerId).toThrow(/not started/)
  })
})
