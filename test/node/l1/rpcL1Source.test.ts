import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytesToHex, concatBytes, hexToBytes, uintToBytes } from '../../../config/bytes.ts'
import type { Address, Hash } from '../../../config/types.ts'
import { PipelineError } from '../../../derivation/pipelineErrors.ts'
import { DEPOSIT_EVENT_TOPIC, userDepositsFromReceipts } from '../../../derivation/protocol/depositLog.ts'
import { L1_BLOCK_NOT_FOUND } from '../../../derivation/providers.ts'
import { type Anvil, freePort, startAnvil } from '../../../node/l1/anvil.ts'
import { RpcL1Source } from '../../../node/l1/rpcL1Source.ts'
import { type JsonRpcProxy, startJsonRpcProxy } from '../../helpers/jsonRpcProxy.ts'

// RpcL1Source against a real anvil: refs, headers, transactions and receipts of a block holding a calldata tx to a
// batch inbox and a real TransactionDeposited log, not-found and reorg behaviour, retries through a failing proxy.

const DEV0 = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266' as Address // anvil's first dev account
const DEV1 = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8'
const INBOX = '0xff00000000000000000000000000000000000901' as Address

/** Runtime: LOG4(calldata, TransactionDeposited, from, to, version 0) — the event OptimismPortal emits. */
function depositEmitterInitcode(from: string, to: string): Hash {
  const push32 = (w: Uint8Array) => concatBytes(Uint8Array.of(0x7f), w)
  const word = (addr: string) => concatBytes(new Uint8Array(12), hexToBytes(addr))
  const runtime = concatBytes(
    Uint8Array.of(0x36, 0x60, 0x00, 0x60, 0x00, 0x37), // calldatacopy(0, 0, calldatasize)
    push32(new Uint8Array(32)), // topic3: version 0
    push32(word(to)),
    push32(word(from)),
    push32(DEPOSIT_EVENT_TOPIC),
    Uint8Array.of(0x36, 0x60, 0x00, 0xa4, 0x00), // log4(0, calldatasize, ...); stop
  )
  // codecopy(0, 11, len); return(0, len)
  const init = Uint8Array.of(0x60, runtime.length, 0x80, 0x60, 0x0b, 0x60, 0x00, 0x39, 0x60, 0x00, 0xf3)
  return bytesToHex(concatBytes(init, runtime))
}

/** abi.encode(bytes opaqueData) with opaqueData = mint ++ value ++ gas ++ isCreation ++ data (spec §1.3). */
function depositCalldata(mint: bigint, value: bigint, gas: bigint, data: Uint8Array): Hash {
  const opaque = concatBytes(uintToBytes(mint, 32), uintToBytes(value, 32), uintToBytes(gas, 8), Uint8Array.of(0), data)
  const padded = concatBytes(opaque, new Uint8Array((32 - (opaque.length % 32)) % 32))
  return bytesToHex(concatBytes(uintToBytes(32n, 32), uintToBytes(BigInt(opaque.length), 32), padded))
}

interface RawReceipt {
  contractAddress: string | null
  blockHash: string
  blockNumber: string
}

async function expectPipelineError(p: Promise<unknown>, kind: string, code: string): Promise<PipelineError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(PipelineError)
  expect((err as PipelineError).kind).toBe(kind)
  expect((err as PipelineError).code).toBe(code)
  return err as PipelineError
}

let anvil: Anvil
let proxy: JsonRpcProxy
let emitter: Address
let blockHash: Hash
let blockNumber: number
const batchData = '0x00deadbeefcafe'

beforeAll(async () => {
  anvil = await startAnvil()
  proxy = await startJsonRpcProxy(anvil.url)
  const deployTx = await anvil.rpc<Hash>('eth_sendTransaction', [
    { from: DEV0, data: depositEmitterInitcode(DEV0, DEV1), gas: '0x100000' },
  ])
  // under load anvil can answer eth_sendTransaction before the automined receipt is readable
  let deployReceipt: RawReceipt | null = null
  while (!deployReceipt) {
    deployReceipt = await anvil.rpc<RawReceipt | null>('eth_getTransactionReceipt', [deployTx])
    if (!deployReceipt) await new Promise((r) => setTimeout(r, 20))
  }
  emitter = deployReceipt.contractAddress as Address
  // One block holding both: a batcher tx to the inbox and a deposit.
  await anvil.rpc('evm_setAutomine', [false])
  await anvil.rpc('eth_sendTransaction', [{ from: DEV0, to: INBOX, data: batchData, gas: '0x10000' }])
  const depTx = await anvil.rpc<Hash>('eth_sendTransaction', [
    { from: DEV1, to: emitter, data: depositCalldata(5n, 7n, 100_000n, hexToBytes('0xabcd')), gas: '0x100000' },
  ])
  await anvil.rpc('evm_mine')
  await anvil.rpc('evm_setAutomine', [true])
  const r = await anvil.rpc<RawReceipt>('eth_getTransactionReceipt', [depTx])
  blockHash = r.blockHash as Hash
  blockNumber = Number(r.blockNumber)
}, 60_000)

afterAll(async () => {
  await proxy?.close()
  await anvil?.stop()
})

describe('RpcL1Source on anvil', () => {
  it('reads refs by number, hash and label, consistent with the node', async () => {
    const l1 = new RpcL1Source({ url: anvil.url })
    const raw = await anvil.rpc<{ hash: string; parentHash: string; timestamp: string }>('eth_getBlockByNumber', [
      `0x${blockNumber.toString(16)}`,
      false,
    ])
    const byNumber = await l1.l1BlockRefByNumber(blockNumber)
    expect(byNumber).toEqual({
      number: blockNumber,
      hash: raw.hash,
      parentHash: raw.parentHash,
      timestamp: Number(raw.timestamp),
    })
    expect(await l1.l1BlockRefByHash(blockHash)).toEqual(byNumber)
    expect((await l1.l1BlockRefByNumber(blockNumber - 1)).hash).toBe(byNumber.parentHash)
    const latest = await l1.l1BlockRefByLabel('latest')
    expect(latest).toEqual(await l1.l1BlockRefByNumber(latest.number))
    for (const label of ['safe', 'finalized'] as const) {
      const ref = await l1.l1BlockRefByLabel(label)
      expect(ref.number).toBeLessThanOrEqual(latest.number)
      expect(await l1.l1BlockRefByNumber(ref.number)).toEqual(ref)
    }
  })

  it('maps transactions: type, from (from the RPC), to, calldata, no blob hashes', async () => {
    const l1 = new RpcL1Source({ url: anvil.url })
    const { info, txs } = await l1.blockInfoAndTxsByHash(blockHash)
    expect(info.hash).toBe(blockHash)
    expect(txs).toHaveLength(2)
    const batch = txs.find((t) => t.to?.toLowerCase() === INBOX)!
    expect(batch.type).toBe(2)
    expect(batch.from.toLowerCase()).toBe(DEV0)
    expect(bytesToHex(batch.data)).toBe(batchData)
    expect(batch.blobVersionedHashes).toEqual([])
    const dep = txs.find((t) => t.to?.toLowerCase() === emitter.toLowerCase())!
    expect(dep.from.toLowerCase()).toBe(DEV1)
  })

  it('receipts decode into the deposit the log describes; header fields come along', async () => {
    const l1 = new RpcL1Source({ url: anvil.url })
    const { info, receipts } = await l1.infoAndReceiptsByHash(blockHash)
    expect(receipts).toHaveLength(2)
    expect(receipts.every((r) => r.status === 1)).toBe(true)
    const deposits = userDepositsFromReceipts(receipts, hexToBytes(emitter), hexToBytes(blockHash))
    expect(deposits).toHaveLength(1)
    const d = deposits[0]!
    expect(bytesToHex(d.from)).toBe(DEV0)
    expect(bytesToHex(d.to!)).toBe(DEV1)
    expect([d.mint, d.value, d.gas, bytesToHex(d.data)]).toEqual([5n, 7n, 100_000n, '0xabcd'])
    const raw = await anvil.rpc<{ baseFeePerGas: string; mixHash: string; parentBeaconBlockRoot: string }>(
      'eth_getBlockByHash',
      [blockHash, false],
    )
    expect(info.baseFeePerGas).toBe(BigInt(raw.baseFeePerGas))
    expect(info.mixHash).toBe(raw.mixHash)
    expect(info.parentBeaconBlockRoot).toBe(raw.parentBeaconBlockRoot)
    expect(info.excessBlobGas).toBeTypeOf('bigint')
  })

  it('a block that does not exist is a reset L1_BLOCK_NOT_FOUND', async () => {
    const l1 = new RpcL1Source({ url: anvil.url })
    const head = await l1.l1BlockRefByLabel('latest')
    await expectPipelineError(l1.l1BlockRefByNumber(head.number + 1000), 'reset', L1_BLOCK_NOT_FOUND)
    const unknown = `0x${'12'.repeat(32)}` as Hash
    await expectPipelineError(l1.l1BlockRefByHash(unknown), 'reset', L1_BLOCK_NOT_FOUND)
    await expectPipelineError(l1.blockInfoAndTxsByHash(unknown), 'reset', L1_BLOCK_NOT_FOUND)
    await expectPipelineError(l1.receiptsByHash(unknown), 'reset', L1_BLOCK_NOT_FOUND)
    await expectPipelineError(l1.infoByHash(unknown), 'reset', L1_BLOCK_NOT_FOUND)
  })

  it('after an L1 reorg, the old block is not found and the number names the new block', async () => {
    const l1 = new RpcL1Source({ url: anvil.url })
    const snap = await anvil.rpc<string>('evm_snapshot')
    await anvil.rpc('evm_mine')
    const orphan = await l1.l1BlockRefByLabel('latest')
    await anvil.rpc('evm_revert', [snap])
    await anvil.rpc('eth_sendTransaction', [{ from: DEV1, to: INBOX, data: '0x01' }])
    const replacement = await l1.l1BlockRefByNumber(orphan.number)
    expect(replacement.hash).not.toBe(orphan.hash)
    expect(replacement.parentHash).toBe(orphan.parentHash)
    // Fresh source (no cache): the orphan is gone from the node.
    await expectPipelineError(
      new RpcL1Source({ url: anvil.url }).l1BlockRefByHash(orphan.hash),
      'reset',
      L1_BLOCK_NOT_FOUND,
    )
  })

  it('caches by block hash: a second read makes no request', async () => {
    const l1 = new RpcL1Source({ url: proxy.url })
    await l1.blockInfoAndTxsByHash(blockHash)
    await l1.infoAndReceiptsByHash(blockHash)
    const before = proxy.calls.length
    await l1.l1BlockRefByHash(blockHash)
    await l1.blockInfoAndTxsByHash(blockHash)
    await l1.infoAndReceiptsByHash(blockHash)
    expect(proxy.calls.length).toBe(before)
  })

  it('batches concurrent calls into one HTTP request', async () => {
    const l1 = new RpcL1Source({ url: proxy.url, batchSize: 16 })
    const before = proxy.requests
    const refs = await Promise.all([0, 1, 2, 3].map((n) => l1.l1BlockRefByNumber(n)))
    expect(refs.map((r) => r.number)).toEqual([0, 1, 2, 3])
    expect(proxy.requests - before).toBe(1)
  })

  it('retries transient 503s and succeeds', async () => {
    let failures = 3
    proxy.intercept = () => (failures-- > 0 ? { status: 503, body: 'overloaded' } : undefined)
    try {
      const l1 = new RpcL1Source({ url: proxy.url, retry: { attempts: 5, baseDelayMs: 1, maxDelayMs: 5 } })
      const ref = await l1.l1BlockRefByNumber(blockNumber)
      expect(ref.hash).toBe(blockHash)
      expect(failures).toBe(-1)
    } finally {
      proxy.intercept = undefined
    }
  })

  it('a failure that outlives the retries is temporary; so is a refused connection and 429', async () => {
    proxy.intercept = () => ({ status: 429, body: 'slow down' })
    try {
      const before = proxy.requests
      const l1 = new RpcL1Source({ url: proxy.url, retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 } })
      await expectPipelineError(l1.l1BlockRefByNumber(1), 'temporary', 'L1_RPC_UNAVAILABLE')
      expect(proxy.requests - before).toBe(3)
    } finally {
      proxy.intercept = undefined
    }
    const closed = new RpcL1Source({
      url: `http://127.0.0.1:${await freePort()}`,
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    })
    await expectPipelineError(closed.l1BlockRefByNumber(1), 'temporary', 'L1_RPC_UNAVAILABLE')
  })

  it('falls back to per-transaction receipts when eth_getBlockReceipts is unsupported', async () => {
    const expected = await new RpcL1Source({ url: anvil.url }).receiptsByHash(blockHash)
    proxy.intercept = (body) => {
      const calls = (Array.isArray(body) ? body : [body]) as { id: number; method: string }[]
      if (!calls.some((c) => c.method === 'eth_getBlockReceipts')) return undefined
      const answers = calls.map((c) => ({
        jsonrpc: '2.0',
        id: c.id,
        error: { code: -32601, message: 'method not found' },
      }))
      return { status: 200, body: JSON.stringify(Array.isArray(body) ? answers : answers[0]) }
    }
    try {
      const l1 = new RpcL1Source({ url: proxy.url, batchSize: 1 })
      const start = proxy.calls.length
      expect(await l1.receiptsByHash(blockHash)).toEqual(expected)
      const methods = proxy.calls.slice(start).map((c) => c.method)
      expect(methods.filter((m) => m === 'eth_getTransactionReceipt')).toHaveLength(2)
    } finally {
      proxy.intercept = undefined
    }
  })

  it('an RPC error that is not transient is a temporary L1_RPC_FAILED without retries', async () => {
    proxy.intercept = (body) => {
      const c = body as { id: number }
      return {
        status: 200,
        body: JSON.stringify({ jsonrpc: '2.0', id: c.id, error: { code: -32602, message: 'bad' } }),
      }
    }
    try {
      const before = proxy.requests
      const l1 = new RpcL1Source({ url: proxy.url, batchSize: 1, retry: { attempts: 4, baseDelayMs: 1 } })
      await expectPipelineError(l1.l1BlockRefByNumber(1), 'temporary', 'L1_RPC_FAILED')
      expect(proxy.requests - before).toBe(1)
    } finally {
      proxy.intercept = undefined
    }
  })
})
