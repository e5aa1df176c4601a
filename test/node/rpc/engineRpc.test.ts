import { createPublicClient, createWalletClient, defineChain, http, parseEther, webSocket } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { chainConfig } from 'viem/op-stack'
import { afterEach, describe, expect, it } from 'vitest'
import { createLogger } from '../../../config/logger.ts'
import { createEthApi } from '../../../node/rpc/ethApi.ts'
import { RpcServer } from '../../../node/rpc/server.ts'
import { DEV_ADDRS, DEV_KEYS, openEngineWithPool } from '../../helpers/engineFixture.ts'

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  while (closers.length) await (closers.pop() as () => Promise<void>)()
})

async function stack(limits?: { maxBatchItems?: number; maxRequestBytes?: number }) {
  const e = await openEngineWithPool()
  closers.push(() => e.close())
  const { backend, build } = e
  const methods = createEthApi(backend, { getLogsMaxBlockRange: 100 })
  methods.register('test_boom', () => {
    throw new Error('kaboom')
  })
  const server = new RpcServer({
    methods,
    backend,
    port: 0,
    logger: createLogger({ level: 'silent' }),
    limits: { maxBatchItems: limits?.maxBatchItems ?? 100, maxBodyBytes: limits?.maxRequestBytes ?? 5 * 1024 * 1024 },
  })
  await server.start()
  const url = server.url
  const wsUrl = server.wsUrl as string
  closers.push(() => server.close())
  const chain = defineChain({
    ...chainConfig,
    id: 901,
    name: 'oln-test',
    nativeCurrency: { name: 'OPEN', symbol: 'OPEN', decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  })
  return { ...e, url, wsUrl, build, chain }
}

async function post(url: string, body: string) {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  return { status: r.status, json: r.status === 200 ? await r.json() : await r.text() }
}

describe('L2 JSON-RPC server', () => {
  it('serves a viem client end to end: send, include, receipt with OP fields, block, balance, call, proof', async () => {
    const s = await stack()
    const account = privateKeyToAccount(`0x${Buffer.from(DEV_KEYS[0] as Uint8Array).toString('hex')}`)
    const wallet = createWalletClient({ account, chain: s.chain, transport: http(s.url) })
    const client = createPublicClient({ chain: s.chain, transport: http(s.url) })
    expect(await client.getChainId()).toBe(901)
    const to = `0x${Buffer.from(DEV_ADDRS[1] as Uint8Array).toString('hex')}` as const
    const before = await client.getBalance({ address: to })
    const hash = await wallet.sendTransaction({ to, value: parseEther('1.5') })
    const block = await s.build()
    const receipt = await client.getTransactionReceipt({ hash })
    expect(receipt.status).toBe('success')
    expect(receipt.blockNumber).toBe(block.header.number)
    const raw = (
      await post(s.url, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getTransactionReceipt', params: [hash] }))
    ).json as { result: Record<string, string> }
    for (const k of ['l1Fee', 'l1GasUsed', 'l1GasPrice', 'l1BlobBaseFee', 'l1BaseFeeScalar', 'l1BlobBaseFeeScalar'])
      expect(raw.result[k]).toMatch(/^0x[0-9a-f]+$/)
    expect(await client.getBalance({ address: to })).toBe(before + parseEther('1.5'))
    const b = await client.getBlock({ blockNumber: block.header.number, includeTransactions: true })
    expect(b.transactions).toHaveLength(2)
    const dep = b.transactions[0] as unknown as Record<string, unknown>
    expect(dep.type).toBe('deposit')
    expect(dep.sourceHash).toMatch(/^0x[0-9a-f]{64}$/)
    expect(b.hash).toBe(`0x${Buffer.from(block.hash).toString('hex')}`)
    const proof = await client.getProof({ address: to, storageKeys: [] })
    expect(proof.balance).toBe(before + parseEther('1.5'))
    expect(proof.accountProof.length).toBeGreaterThan(0)
    expect(await client.getTransactionCount({ address: account.address })).toBe(1)
    const fees = await client.estimateFeesPerGas()
    expect(fees.maxFeePerGas).toBeGreaterThan(0n)
    expect(await client.estimateGas({ account: account.address, to, value: 1n })).toBe(21000n)
  })

  it('returns JSON-RPC errors for malformed input, and keeps serving', async () => {
    const s = await stack({ maxBatchItems: 3, maxRequestBytes: 10_000 })
    expect((await post(s.url, '{nope')).json).toMatchObject({ error: { code: -32700 } })
    expect((await post(s.url, '[]')).json).toMatchObject({ error: { code: -32600 } })
    expect((await post(s.url, '{"jsonrpc":"2.0","id":1}')).json).toMatchObject({ id: 1, error: { code: -32600 } })
    expect((await post(s.url, '{"jsonrpc":"2.0","id":1,"method":"eth_nope","params":[]}')).json).toMatchObject({
      error: { code: -32601 },
    })
    const bad = await post(s.url, '{"jsonrpc":"2.0","id":2,"method":"eth_getBalance","params":["0x12","latest"]}')
    expect(bad.json).toMatchObject({ id: 2, error: { code: -32602 } })
    expect(JSON.stringify(bad.json)).toMatch(/address/)
    expect(
      (await post(s.url, '{"jsonrpc":"2.0","id":3,"method":"eth_getBlockByNumber","params":["0x01",false]}')).json,
    ).toMatchObject({ error: { code: -32602, message: expect.stringMatching(/block/) } })
    expect((await post(s.url, '{"jsonrpc":"2.0","id":4,"method":"test_boom","params":[]}')).json).toMatchObject({
      error: { code: -32603, message: 'internal error' },
    })
    const batch = (
      await post(
        s.url,
        JSON.stringify([
          { jsonrpc: '2.0', id: 1, method: 'eth_chainId' },
          { jsonrpc: '2.0', id: 2, method: 'eth_nope' },
          { jsonrpc: '2.0', method: 'eth_chainId' },
        ]),
      )
    ).json as unknown[]
    expect(batch).toHaveLength(2) // the notification gets no response
    expect(batch[0]).toMatchObject({ id: 1, result: '0x385' })
    expect(batch[1]).toMatchObject({ id: 2, error: { code: -32601 } })
    expect(
      (await post(s.url, JSON.stringify(new Array(4).fill({ jsonrpc: '2.0', id: 1, method: 'eth_chainId' })))).json,
    ).toMatchObject([{ error: { code: -32600, message: expect.stringMatching(/batch too large/) } }]) // geth's shape
    expect(
      (
        await post(
          s.url,
          JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: ['x'.repeat(20_000)] }),
        )
      ).status,
    ).toBe(413)
    // reverted call: code 3 with data
    const revert = (
      await post(
        s.url,
        JSON.stringify({
          jsonrpc: '2.0',
          id: 6,
          method: 'eth_call',
          params: [{ to: `0x${'00'.repeat(19)}05`, data: '0x' }, 'latest'],
        }),
      )
    ).json
    expect(revert).toMatchObject({ id: 6 })
    expect((await post(s.url, '{"jsonrpc":"2.0","id":7,"method":"eth_chainId","params":[]}')).json).toMatchObject({
      result: '0x385',
    })
    const health = await fetch(`${s.url}/health`)
    expect(health.status).toBe(200)
  })

  it('pushes newHeads and filtered logs over WebSocket subscriptions', async () => {
    const s = await stack()
    const client = createPublicClient({ chain: s.chain, transport: webSocket(s.wsUrl) })
    const heads: bigint[] = []
    const unwatch = client.watchBlockNumber({ onBlockNumber: (n) => heads.push(n), emitOnBegin: false })
    await new Promise((r) => setTimeout(r, 100))
    await s.build()
    await s.build()
    const deadline = Date.now() + 5000
    while (heads.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    unwatch()
    expect(heads).toEqual([1n, 2n])
    const ws = await (client.transport as unknown as { getRpcClient(): Promise<{ close(): void }> }).getRpcClient?.()
    ws?.close()
  })
})
