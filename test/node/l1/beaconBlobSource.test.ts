import { createServer, type Server } from 'node:http'
import { createWalletClient, http, stringToHex, toBlobs } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytesToHex, hexToBytes } from '../../../config/bytes.ts'
import type { Hash, L1BlockRef } from '../../../config/types.ts'
import { PipelineError } from '../../../derivation/pipelineErrors.ts'
import type { IndexedBlobHash } from '../../../derivation/providers.ts'
import { type Anvil, startAnvil } from '../../../node/l1/anvil.ts'
import { BeaconBlobSource } from '../../../node/l1/beaconBlobSource.ts'
import { kzgToVersionedHash, nodeKzg } from '../../../node/l1/kzg.ts'
import { RpcL1Source } from '../../../node/l1/rpcL1Source.ts'

// A blob tx sent with viem (KZG from node/l1/kzg.ts) to a real anvil, read back through BeaconBlobSource: from
// anvil's own beacon API (GET /eth/v1/beacon/blobs/{block_id}; its blob_sidecars answers 410 deprecated), and from an
// in-test beacon server answering the older blob_sidecars endpoint with the Beacon API's JSON shape
// (ethereum/beacon-APIs getBlobSidecars: index, blob, kzg_commitment, kzg_proof, signed_block_header,
// kzg_commitment_inclusion_proof) plus /eth/v1/beacon/genesis and /eth/v1/config/spec for op-node's slot mapping.

const INBOX = '0xff00000000000000000000000000000000000901' as const
const DEV0_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
const SECONDS_PER_SLOT = 12
const SLOT = 5

let anvil: Anvil
let ref: L1BlockRef
let blob: Uint8Array
let commitment: Uint8Array
let proof: Uint8Array
let wanted: IndexedBlobHash[]

interface FakeBeacon {
  url: string
  paths: string[]
  /** Path (without query) -> [status, JSON body]; unknown paths are 404. */
  routes: Map<string, [number, unknown]>
  server: Server
}

async function startFakeBeacon(): Promise<FakeBeacon> {
  const fb: FakeBeacon = { url: '', paths: [], routes: new Map(), server: createServer() }
  fb.server.on('request', (req, res) => {
    fb.paths.push(req.url ?? '')
    const route = fb.routes.get((req.url ?? '').split('?')[0]!)
    const [status, body] = route ?? [404, { code: 404, message: 'NOT_FOUND: beacon block' }]
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  })
  await new Promise<void>((r) => fb.server.listen(0, '127.0.0.1', () => r()))
  fb.url = `http://127.0.0.1:${(fb.server.address() as { port: number }).port}`
  return fb
}

function sidecarJson(b: Uint8Array, c: Uint8Array, p: Uint8Array, index = 0) {
  const zero = `0x${'00'.repeat(32)}`
  return {
    index: String(index),
    blob: bytesToHex(b),
    kzg_commitment: bytesToHex(c),
    kzg_proof: bytesToHex(p),
    signed_block_header: {
      message: { slot: String(SLOT), proposer_index: '1', parent_root: zero, state_root: zero, body_root: zero },
      signature: `0x${'00'.repeat(96)}`,
    },
    kzg_commitment_inclusion_proof: Array.from({ length: 17 }, () => zero),
  }
}

let fake: FakeBeacon

/** The KZG commitment and proof of the all-zero blob: the point at infinity (compressed G1). */
const INFINITY = hexToBytes(`0xc0${'00'.repeat(47)}`)

beforeAll(async () => {
  anvil = await startAnvil()
  fake = await startFakeBeacon()
  const kzg = nodeKzg()
  // anvil loads its KZG settings on the first blob tx (~10 s on 2 cores): warm it up with an all-zero blob, whose
  // commitment and proof need no computation, while this process computes the real blob's commitment and proof.
  const wallet = createWalletClient({
    account: privateKeyToAccount(DEV0_KEY),
    transport: http(anvil.url, { timeout: 60_000 }),
  })
  const base = {
    to: INBOX,
    chain: null,
    gas: 21_000n,
    maxFeePerGas: 10_000_000_000n,
    maxPriorityFeePerGas: 1n,
    maxFeePerBlobGas: 10_000_000_000n,
  }
  const warmup = wallet.sendTransaction({
    ...base,
    nonce: 0,
    blobs: [new Uint8Array(131072)],
    kzg: { blobToKzgCommitment: () => INFINITY, computeBlobKzgProof: () => INFINITY },
  })
  await new Promise((r) => setTimeout(r, 50)) // let the request leave before the CPU-bound KZG work below
  const [b] = toBlobs({ data: stringToHex('oln batcher frames '.repeat(800)), to: 'bytes' })
  blob = b!
  commitment = kzg.blobToKzgCommitment(blob)
  proof = kzg.computeBlobKzgProof(blob, commitment)
  await warmup
  const txHash = await wallet.sendTransaction({ ...base, nonce: 1, blobs: [blob], kzg }) // memoized KZG results
  const receipt = await waitForReceipt(txHash)
  const l1 = new RpcL1Source({ url: anvil.url })
  const { info, txs } = await l1.blockInfoAndTxsByHash(receipt.blockHash)
  ref = info
  const tx = txs.find((t) => t.type === 3)!
  expect(tx.blobVersionedHashes).toHaveLength(1)
  wanted = [{ index: 0, hash: tx.blobVersionedHashes[0]! }]
  expect(kzgToVersionedHash(commitment)).toBe(wanted[0]!.hash)
}, 120_000)

afterAll(async () => {
  await new Promise<void>((r) => (fake ? fake.server.close(() => r()) : r()))
  await anvil?.stop()
})

async function waitForReceipt(txHash: Hash): Promise<{ blockHash: Hash }> {
  for (;;) {
    const r = await anvil.rpc<{ blockHash: Hash } | null>('eth_getTransactionReceipt', [txHash])
    if (r) return r
    await new Promise((res) => setTimeout(res, 20))
  }
}

async function caught(p: Promise<unknown>): Promise<PipelineError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(PipelineError)
  return err as PipelineError
}

describe('BeaconBlobSource on anvil (GET /eth/v1/beacon/blobs)', () => {
  it('reads the blob back by block number, checked by recomputing its commitment', async () => {
    const beacon = new BeaconBlobSource({ url: anvil.url, blockId: 'blockNumber' })
    const blobs = await beacon.getBlobs(ref, wanted)
    expect(blobs).toHaveLength(1)
    expect(bytesToHex(blobs[0]!)).toBe(bytesToHex(blob))
  })

  it('prefers blob_sidecars when told, falls back on anvil’s 410 and keeps using /blobs', async () => {
    const beacon = new BeaconBlobSource({ url: anvil.url, blockId: 'blockHash', endpoint: 'sidecars' })
    expect(bytesToHex((await beacon.getBlobs(ref, wanted))[0]!)).toBe(bytesToHex(blob))
    expect(bytesToHex((await beacon.getBlobs(ref, wanted))[0]!)).toBe(bytesToHex(blob))
  })

  it('no hashes: no request, no blobs', async () => {
    const beacon = new BeaconBlobSource({ url: 'http://127.0.0.1:1' })
    expect(await beacon.getBlobs(ref, [])).toEqual([])
  })
})

describe('BeaconBlobSource on a beacon node serving blob_sidecars (slot = (timestamp - genesis) / 12)', () => {
  const sidecarsPath = `/eth/v1/beacon/blob_sidecars/${SLOT}`
  const serveGenesisAndSpec = () => {
    fake.routes.clear()
    fake.routes.set('/eth/v1/beacon/genesis', [
      200,
      {
        data: {
          genesis_time: String(ref.timestamp - SLOT * SECONDS_PER_SLOT),
          genesis_validators_root: `0x${'00'.repeat(32)}`,
          genesis_fork_version: '0x00000000',
        },
      },
    ])
    fake.routes.set('/eth/v1/config/spec', [
      200,
      { data: { SECONDS_PER_SLOT: String(SECONDS_PER_SLOT), SLOTS_PER_EPOCH: '32' } },
    ])
  }

  it('maps the L1 block to its slot, falls back from /blobs (404) to blob_sidecars and checks hash and proof', async () => {
    serveGenesisAndSpec()
    fake.routes.set(sidecarsPath, [200, { data: [sidecarJson(blob, commitment, proof)] }])
    fake.paths.length = 0
    const beacon = new BeaconBlobSource({ url: fake.url })
    expect(await beacon.blockIdOf(ref)).toBe(String(SLOT))
    const blobs = await beacon.getBlobs(ref, wanted)
    expect(bytesToHex(blobs[0]!)).toBe(bytesToHex(blob))
    expect(fake.paths).toContain(`/eth/v1/beacon/blobs/${SLOT}?versioned_hashes=${wanted[0]!.hash}`)
    expect(fake.paths).toContain(`${sidecarsPath}?indices=0`)
  })

  it('rejects a sidecar whose commitment does not hash to the versioned hash', async () => {
    serveGenesisAndSpec()
    fake.routes.set(sidecarsPath, [200, { data: [sidecarJson(blob, commitment, proof)] }])
    const wrong = `0x01${'ab'.repeat(31)}` as Hash
    const err = await caught(
      new BeaconBlobSource({ url: fake.url, endpoint: 'sidecars' }).getBlobs(ref, [{ index: 0, hash: wrong }]),
    )
    expect([err.kind, err.code]).toEqual(['temporary', 'BLOB_HASH_MISMATCH'])
  })

  it('rejects a sidecar whose blob does not match its commitment (KZG proof check)', async () => {
    serveGenesisAndSpec()
    const tampered = blob.slice()
    tampered[100] = (tampered[100]! + 1) % 256
    fake.routes.set(sidecarsPath, [200, { data: [sidecarJson(tampered, commitment, proof)] }])
    const err = await caught(new BeaconBlobSource({ url: fake.url, endpoint: 'sidecars' }).getBlobs(ref, wanted))
    expect([err.kind, err.code]).toEqual(['temporary', 'BLOB_HASH_MISMATCH'])
    expect(err.message).toMatch(/KZG proof/)
  })

  it('rejects a /blobs answer whose blob is not the one the versioned hash names', async () => {
    serveGenesisAndSpec()
    const other = new Uint8Array(blob.length)
    other[1] = 1
    fake.routes.set(`/eth/v1/beacon/blobs/${SLOT}`, [
      200,
      { execution_optimistic: false, finalized: true, data: [bytesToHex(other)] },
    ])
    const err = await caught(new BeaconBlobSource({ url: fake.url }).getBlobs(ref, wanted))
    expect([err.kind, err.code]).toEqual(['temporary', 'BLOB_MISSING'])
  })

  it('a block the beacon node does not have, or an empty answer, is a reset BLOB_NOT_FOUND', async () => {
    serveGenesisAndSpec()
    let err = await caught(new BeaconBlobSource({ url: fake.url }).getBlobs(ref, wanted))
    expect([err.kind, err.code]).toEqual(['reset', 'BLOB_NOT_FOUND'])
    fake.routes.set(sidecarsPath, [200, { data: [] }])
    err = await caught(new BeaconBlobSource({ url: fake.url, endpoint: 'sidecars' }).getBlobs(ref, wanted))
    expect([err.kind, err.code]).toEqual(['reset', 'BLOB_NOT_FOUND'])
  })

  it('a beacon node that keeps failing is a temporary error after the retries', async () => {
    serveGenesisAndSpec()
    fake.routes.set(`/eth/v1/beacon/blobs/${SLOT}`, [503, { code: 503, message: 'syncing' }])
    fake.paths.length = 0
    const beacon = new BeaconBlobSource({ url: fake.url, retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 } })
    const err = await caught(beacon.getBlobs(ref, wanted))
    expect([err.kind, err.code]).toEqual(['temporary', 'BEACON_UNAVAILABLE'])
    expect(fake.paths.filter((p) => p.startsWith(`/eth/v1/beacon/blobs/${SLOT}`))).toHaveLength(3)
  })
})
