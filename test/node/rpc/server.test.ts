import { request } from 'node:http'
import { createPublicClient, defineChain, http } from 'viem'
import { chainConfig } from 'viem/op-stack'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { createEthApi } from '../../../node/rpc/ethApi.ts'
import { RpcMethods } from '../../../node/rpc/jsonrpc.ts'
import { RpcServer, type RpcServerOptions } from '../../../node/rpc/server.ts'
import { captureLogger } from '../../fakes/captureLogger.ts'
import {
  alice,
  bob,
  createFakeChain,
  hex,
  l1InfoDeposit,
  OTHER,
  signedTx,
  TOKEN,
  TRANSFER_TOPIC,
} from '../../fakes/fakeChainBackend.ts'

const servers: RpcServer[] = []
const sockets: WebSocket[] = []

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate()
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function start(opts: Partial<RpcServerOptions> = {}) {
  const chain = await createFakeChain()
  const { logger, lines } = captureLogger()
  const server = new RpcServer({
    methods: createEthApi(chain.backend),
    backend: chain.backend,
    host: '127.0.0.1',
    port: 0,
    logger,
    ...opts,
  })
  servers.push(server)
  await server.start()
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
  const rpc = async (method: string, params: unknown[] = []) =>
    (await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }))).json() as Promise<Record<string, unknown>>
  return { ...chain, server, lines, post, rpc }
}

type Msg = Record<string, unknown> & {
  id?: unknown
  params?: { subscription: string; result: Record<string, unknown> }
}

class WsClient {
  private nextId = 1
  readonly notifications: Msg[] = []
  private readonly pending = new Map<unknown, (m: unknown) => void>()
  private wake: (() => void)[] = []
  readonly closed: Promise<{ code: number; reason: string }>

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const msg = JSON.parse(String(d))
      const id = Array.isArray(msg) ? msg[0]?.id : msg.id
      const resolve = this.pending.get(id)
      if (resolve && !('method' in msg)) {
        this.pending.delete(id)
        resolve(msg)
      } else {
        this.notifications.push(msg)
        for (const w of this.wake.splice(0)) w()
      }
    })
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })))
  }

  static connect(url: string): Promise<WsClient> {
    const ws = new WebSocket(url)
    sockets.push(ws)
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new WsClient(ws)))
      ws.once('error', reject)
    })
  }

  send(body: unknown, id: unknown): Promise<Msg & Msg[]> {
    return new Promise((resolve) => {
      this.pending.set(id, resolve as (m: unknown) => void)
      this.ws.send(typeof body === 'string' ? body : JSON.stringify(body))
    })
  }

  call(method: string, params: unknown[] = []): Promise<Msg> {
    const id = this.nextId++
    return this.send({ jsonrpc: '2.0', id, method, params }, id)
  }

  async result<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const r = await this.call(method, params)
    if ('error' in r) throw new Error(JSON.stringify(r.error))
    return r.result as T
  }

  /** Waits until `n` notifications for `sub` have arrived. */
  async notificationsFor(sub: string, n: number, timeoutMs = 3000): Promise<Msg[]> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const got = this.notifications.filter((m) => m.params?.subscription === sub)
      if (got.length >= n) return got
      if (Date.now() > deadline) throw new Error(`timed out: ${got.length}/${n} notifications for ${sub}`)
      await new Promise<void>((r) => {
        this.wake.push(r)
        setTimeout(r, 50)
      })
    }
  }
}

describe('HTTP transport', () => {
  it('binds port 0, serves calls and exposes the bound address', async () => {
    const { server, rpc } = await start()
    expect(server.httpAddress.host).toBe('127.0.0.1')
    expect(server.httpAddress.port).toBeGreaterThan(0)
    expect(server.url).toBe(`http://127.0.0.1:${server.httpAddress.port}`)
    expect(server.wsUrl).toBe(`ws://127.0.0.1:${server.httpAddress.port}`)
    expect(await rpc('eth_chainId')).toEqual({ jsonrpc: '2.0', id: 1, result: '0x385' })
  })

  it('answers GET /health with 200 JSON and other GETs with 405', async () => {
    const { server } = await start({ health: () => ({ head: '0x2' }) })
    const res = await fetch(`${server.url}/health`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(await res.json()).toEqual({ status: 'ok', head: '0x2' })
    expect((await fetch(server.url)).status).toBe(405)
  })

  it('answers garbage, empty batches, notifications and mixed batches', async () => {
    const { post } = await start()
    const garbage = await post('{"jsonrpc": "2.0", "method": ')
    expect(garbage.status).toBe(200)
    expect(await garbage.json()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } })
    expect(await (await post('[]')).json()).toMatchObject({ error: { code: -32600, message: 'empty batch' } })
    const note = await post(JSON.stringify({ jsonrpc: '2.0', method: 'eth_chainId' }))
    expect(note.status).toBe(204)
    const batch = await post(
      JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'eth_blockNumber' },
        { jsonrpc: '2.0', id: 2, method: 'eth_getBalance', params: ['0x12'] },
        { jsonrpc: '2.0', id: 3, method: 'eth_nope' },
      ]),
    )
    expect(await batch.json()).toEqual([
      { jsonrpc: '2.0', id: 1, result: '0x2' },
      {
        jsonrpc: '2.0',
        id: 2,
        error: {
          code: -32602,
          message: 'invalid argument 0 (address): hex string has length 2, want 40 for a 20-byte address',
        },
      },
      {
        jsonrpc: '2.0',
        id: 3,
        error: { code: -32601, message: 'the method eth_nope does not exist/is not available' },
      },
    ])
  })

  it('refuses oversized bodies with 413 and keeps serving', async () => {
    const { server, post, rpc } = await start({ limits: { maxBodyBytes: 1024 } })
    const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'web3_sha3', params: [`0x${'00'.repeat(2000)}`] })
    const res = await post(big)
    expect(res.status).toBe(413)
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32005, message: 'request body too large (limit 1024 bytes: maxBodyBytes)' },
    })
    // Without a Content-Length (chunked), the limit applies while reading.
    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(server.url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (r) => {
        let body = ''
        r.on('data', (c) => {
          body += c
        })
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }))
      })
      req.on('error', reject)
      for (let i = 0; i < 4; i++) req.write('x'.repeat(512))
      req.end()
    })
    expect(chunked.status).toBe(413)
    expect(JSON.parse(chunked.body)).toMatchObject({ error: { code: -32005 } })
    expect(await rpc('eth_blockNumber')).toMatchObject({ result: '0x2' })
  })

  it('refuses batches over the limit', async () => {
    const { post } = await start({ limits: { maxBatchItems: 2 } })
    const calls = [1, 2, 3].map((id) => ({ jsonrpc: '2.0', id, method: 'eth_chainId' }))
    expect(await (await post(JSON.stringify(calls))).json()).toEqual([
      { jsonrpc: '2.0', id: 1, error: { code: -32600, message: 'batch too large (3 items, limit 2: maxBatchItems)' } },
    ])
  })

  it('sets CORS headers for allowed origins and answers preflight', async () => {
    const { server, post } = await start({ corsOrigins: ['https://app.example'] })
    const pre = await fetch(server.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    })
    expect(pre.status).toBe(204)
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example')
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST')
    expect(pre.headers.get('access-control-allow-headers')).toContain('Content-Type')
    const ok = await post('{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}', { origin: 'https://app.example' })
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example')
    const other = await post('{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}', { origin: 'https://evil.example' })
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
    const { post: postAny } = await start({ corsOrigins: ['*'] })
    const any = await postAny('{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}', { origin: 'https://x.example' })
    expect(any.headers.get('access-control-allow-origin')).toBe('*')
  })

  it('keeps serving after handler exceptions, logging them under module rpc', async () => {
    const { backend, rpc, lines } = await start()
    backend.faults.set('getBlock', new TypeError('cannot read properties of undefined'))
    expect(await rpc('eth_getBlockByNumber', ['0x1', false])).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32603, message: 'internal error' },
    })
    backend.faults.set('gasPrice', 'a thrown string')
    expect(await rpc('eth_gasPrice')).toMatchObject({ error: { code: -32603 } })
    backend.faults.clear()
    expect(await rpc('eth_getBlockByNumber', ['0x1', false])).toMatchObject({ result: { number: '0x1' } })
    const logged = lines.filter((l) => l.msg === 'RPC handler failed')
    expect(logged).toHaveLength(2)
    expect(logged[0]).toMatchObject({ module: 'rpc', method: 'eth_getBlockByNumber' })
  })

  it('answers eth_subscribe over HTTP with notifications not supported', async () => {
    const { rpc } = await start()
    expect(await rpc('eth_subscribe', ['newHeads'])).toMatchObject({
      error: { code: -32601, message: 'notifications not supported' },
    })
  })

  it('serves extra namespaces added by the node assembly', async () => {
    const chain = await createFakeChain()
    const methods = createEthApi(chain.backend).merge(
      new RpcMethods().register('optimism_rollupConfig', () => ({ l2ChainId: 901 })),
    )
    const server = new RpcServer({ methods, host: '127.0.0.1', port: 0, ws: false, logger: captureLogger().logger })
    servers.push(server)
    await server.start()
    expect(server.wsUrl).toBeUndefined()
    const res = await fetch(server.url, {
      method: 'POST',
      body: '{"jsonrpc":"2.0","id":1,"method":"optimism_rollupConfig"}',
    })
    expect(await res.json()).toMatchObject({ result: { l2ChainId: 901 } })
  })
})

describe('viem compatibility', () => {
  it('reads blocks, receipts, balances and logs through createPublicClient', async () => {
    const { server, block1, txs } = await start()
    const client = createPublicClient({ transport: http(server.url) })
    expect(await client.getChainId()).toBe(901)
    expect(await client.getBlockNumber()).toBe(2n)
    const block = await client.getBlock({ blockNumber: 1n })
    expect(block.hash).toBe(hex(block1.hash))
    expect(block.number).toBe(1n)
    expect(block.baseFeePerGas).toBe(1_000_000n)
    expect(block.gasUsed).toBe(117_000n)
    expect(block.transactions).toEqual(block1.transactions.map((t) => hex(t.hash)))
    expect(block.withdrawals).toEqual([])
    const full = await client.getBlock({ blockTag: 'latest', includeTransactions: true })
    expect(full.transactions[2]).toMatchObject({ type: 'eip1559', from: bob.address.toLowerCase(), nonce: 0 })
    const receipt = await client.getTransactionReceipt({ hash: hex(txs.dynamic.envelope.hash) })
    expect(receipt).toMatchObject({
      status: 'success',
      type: 'eip1559',
      blockNumber: 1n,
      gasUsed: 51_000n,
      effectiveGasPrice: 1_500_000n,
      transactionIndex: 2,
    })
    expect(receipt.logs.map((l) => l.logIndex)).toEqual([0, 1])
    expect(await client.getBalance({ address: alice.address })).toBe(10n ** 18n)
    const tx = await client.getTransaction({ hash: hex(txs.legacy.envelope.hash) })
    expect(tx).toMatchObject({ type: 'legacy', value: 10n ** 18n, chainId: 901, to: bob.address.toLowerCase() })
    const logs = await client.getLogs({ address: hex(TOKEN), fromBlock: 0n, toBlock: 'latest' })
    expect(logs).toHaveLength(2)
    expect(await client.call({ to: hex(TOKEN), data: '0x' })).toEqual({ data: `0x${'00'.repeat(31)}2a` })
    const fees = await client.getFeeHistory({ blockCount: 2, rewardPercentiles: [50] })
    expect(fees.oldestBlock).toBe(1n)
  })

  it('formats deposits and L1 fee fields through viem OP Stack formatters', async () => {
    const { server, txs } = await start()
    const chain = defineChain({
      ...chainConfig,
      id: 901,
      name: 'oln devnet',
      nativeCurrency: { name: 'OPEN', symbol: 'OPEN', decimals: 18 },
      rpcUrls: { default: { http: [server.url] } },
    })
    const client = createPublicClient({ chain, transport: http() })
    const dep = await client.getTransaction({ hash: hex(txs.userDeposit.envelope.hash) })
    expect(dep).toMatchObject({
      type: 'deposit',
      mint: 5n * 10n ** 18n,
      sourceHash: hex(txs.userDeposit.tx.sourceHash!),
      blockNumber: 2n,
    })
    const receipt = await client.getTransactionReceipt({ hash: hex(txs.dynamic.envelope.hash) })
    expect(receipt).toMatchObject({ l1Fee: 1_000_000_000n, l1GasUsed: 1600n, l1GasPrice: 7n })
    const block = await client.getBlock({ blockNumber: 2n, includeTransactions: true })
    expect(block.transactions.map((t) => t.type)).toEqual(['deposit', 'deposit', 'eip1559'])
  })

  it('works with batched JSON-RPC', async () => {
    const { server } = await start()
    const client = createPublicClient({ transport: http(server.url, { batch: true }) })
    const [n, bal, code] = await Promise.all([
      client.getBlockNumber(),
      client.getBalance({ address: alice.address }),
      client.getCode({ address: hex(TOKEN) }),
    ])
    expect([n, bal, code]).toEqual([2n, 10n ** 18n, '0x6080604052'])
  })
})

describe('WebSocket transport', () => {
  it('serves calls and batches', async () => {
    const { server } = await start()
    const c = await WsClient.connect(server.wsUrl as string)
    expect(await c.result('eth_chainId')).toBe('0x385')
    const batch = await c.send(
      [
        { jsonrpc: '2.0', id: 10, method: 'eth_blockNumber' },
        { jsonrpc: '2.0', id: 11, method: 'eth_nope' },
      ],
      10,
    )
    expect(batch).toEqual([
      { jsonrpc: '2.0', id: 10, result: '0x2' },
      {
        jsonrpc: '2.0',
        id: 11,
        error: { code: -32601, message: 'the method eth_nope does not exist/is not available' },
      },
    ])
    expect(await c.send('{oops', null)).toMatchObject({ error: { code: -32700 } })
  })

  it('pushes newHeads and filtered logs on a new head, and stops after unsubscribe', async () => {
    const { server, backend } = await start()
    const c = await WsClient.connect(server.wsUrl as string)
    const heads = await c.result<string>('eth_subscribe', ['newHeads'])
    const tokenLogs = await c.result<string>('eth_subscribe', ['logs', { address: hex(TOKEN) }])
    const transfers = await c.result<string>('eth_subscribe', ['logs', { topics: [hex(TRANSFER_TOPIC)] }])
    const nothing = await c.result<string>('eth_subscribe', ['logs', { address: `0x${'99'.repeat(20)}` }])
    expect(heads).toMatch(/^0x[0-9a-f]{32}$/)
    expect(new Set([heads, tokenLogs, transfers, nothing]).size).toBe(4)

    const tx1 = await signedTx({
      account: alice,
      tx: { type: 'eip1559', chainId: 901, nonce: 2, to: hex(TOKEN), gas: 60_000n, maxFeePerGas: 2_000_000n },
      gasUsed: 40_000n,
      baseFee: 1_000_000n,
      logs: [
        { address: TOKEN, topics: [TRANSFER_TOPIC], data: new Uint8Array(0) },
        { address: TOKEN, topics: [], data: Uint8Array.of(1) },
      ],
    })
    const tx2 = await signedTx({
      account: bob,
      tx: { type: 'eip1559', chainId: 901, nonce: 1, to: hex(OTHER), gas: 60_000n, maxFeePerGas: 2_000_000n },
      gasUsed: 30_000n,
      baseFee: 1_000_000n,
      logs: [{ address: OTHER, topics: [TRANSFER_TOPIC], data: new Uint8Array(0) }],
    })
    const block3 = backend.addBlock([l1InfoDeposit(3n), tx1, tx2], { emit: true })

    const [head] = await c.notificationsFor(heads, 1)
    expect(head).toMatchObject({ jsonrpc: '2.0', method: 'eth_subscription' })
    expect(head?.params?.result).toMatchObject({
      number: '0x3',
      hash: hex(block3.hash),
      parentHash: hex(backend.chain[2]!.block.hash),
      baseFeePerGas: '0xf4240',
      gasUsed: '0x1c138', // 45,000 + 40,000 + 30,000
    })
    expect(head?.params?.result).not.toHaveProperty('transactions')

    const token = await c.notificationsFor(tokenLogs, 2)
    expect(token.map((m) => m.params?.result.logIndex)).toEqual(['0x0', '0x1'])
    expect(token[0]?.params?.result).toMatchObject({
      address: hex(TOKEN),
      blockNumber: '0x3',
      blockHash: hex(block3.hash),
      transactionHash: hex(tx1.envelope.hash),
      transactionIndex: '0x1',
      removed: false,
    })
    const tr = await c.notificationsFor(transfers, 2)
    expect(tr.map((m) => m.params?.result.address)).toEqual([hex(TOKEN), hex(OTHER)])
    expect(tr.map((m) => m.params?.result.logIndex)).toEqual(['0x0', '0x2'])

    expect(await c.result('eth_unsubscribe', [heads])).toBe(true)
    expect(await c.result('eth_unsubscribe', [heads])).toBe(false)
    backend.addBlock([l1InfoDeposit(4n)], { emit: true })
    // A round trip after the emit proves the server has published block 4 already.
    expect(await c.result('eth_blockNumber')).toBe('0x4')
    await new Promise((r) => setTimeout(r, 50))
    expect(c.notifications.filter((m) => m.params?.subscription === heads)).toHaveLength(1)
    expect(c.notifications.filter((m) => m.params?.subscription === nothing)).toHaveLength(0)
  })

  it('only notifies the connection that subscribed, and forgets closed connections', async () => {
    const { server, backend } = await start()
    const a = await WsClient.connect(server.wsUrl as string)
    const b = await WsClient.connect(server.wsUrl as string)
    const subA = await a.result<string>('eth_subscribe', ['newHeads'])
    // b cannot unsubscribe a's subscription.
    expect(await b.result('eth_unsubscribe', [subA])).toBe(false)
    await b.result('eth_subscribe', ['newHeads'])
    b.ws.close()
    await b.closed
    backend.addBlock([], { emit: true })
    await a.notificationsFor(subA, 1)
    expect(b.notifications).toHaveLength(0)
  })

  it('validates subscription requests and enforces the per-connection limit', async () => {
    const { server } = await start({ maxSubscriptionsPerConnection: 2 })
    const c = await WsClient.connect(server.wsUrl as string)
    expect(await c.call('eth_subscribe', ['newPendingTransactions'])).toMatchObject({
      error: { code: -32601, message: 'no "newPendingTransactions" subscription in eth namespace' },
    })
    expect(await c.call('eth_subscribe', ['logs', { address: '0x12' }])).toMatchObject({
      error: { code: -32602, message: expect.stringMatching(/^invalid argument 1 \(filter\): field 'address'/) },
    })
    expect(await c.call('eth_subscribe', [])).toMatchObject({ error: { code: -32602 } })
    await c.result('eth_subscribe', ['newHeads'])
    await c.result('eth_subscribe', ['logs'])
    expect(await c.call('eth_subscribe', ['newHeads'])).toMatchObject({
      error: { code: -32005, message: expect.stringContaining('maxSubscriptionsPerConnection') },
    })
  })

  it('closes a connection that sends a message over the size limit (1009) and keeps serving others', async () => {
    const { server } = await start({ limits: { maxBodyBytes: 1024 } })
    const c = await WsClient.connect(server.wsUrl as string)
    c.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'web3_sha3', params: [`0x${'00'.repeat(2000)}`] }))
    expect((await c.closed).code).toBe(1009)
    const d = await WsClient.connect(server.wsUrl as string)
    expect(await d.result('eth_chainId')).toBe('0x385')
  })

  it('keeps a connection serving after handler exceptions', async () => {
    const { server, backend } = await start()
    const c = await WsClient.connect(server.wsUrl as string)
    backend.faults.set('stateAt', new Error('boom'))
    expect(await c.call('eth_getBalance', [alice.address, 'latest'])).toMatchObject({ error: { code: -32603 } })
    backend.faults.clear()
    expect(await c.result('eth_getBalance', [alice.address, 'latest'])).toBe('0xde0b6b3a7640000')
  })

  it('disconnects a client that stops reading once its unsent data passes maxWsBufferedBytes', async () => {
    const { server, lines } = await start({ maxWsBufferedBytes: 64 * 1024 })
    const c = await WsClient.connect(server.wsUrl as string)
    ;(c.ws as unknown as { _socket: { pause(): void } })._socket.pause()
    const batch = JSON.stringify(
      Array.from({ length: 100 }, (_, i) => ({
        jsonrpc: '2.0',
        id: i,
        method: 'eth_getBlockByNumber',
        params: ['0x1', true],
      })),
    )
    const deadline = Date.now() + 10_000
    while (!lines.some((l) => l.msg === 'WebSocket client too slow, disconnecting')) {
      if (Date.now() > deadline) throw new Error('slow client was not disconnected')
      if (c.ws.readyState === c.ws.OPEN) c.ws.send(batch)
      await new Promise((r) => setTimeout(r, 5))
    }
    // Others are unaffected.
    const d = await WsClient.connect(server.wsUrl as string)
    expect(await d.result('eth_chainId')).toBe('0x385')
  })

  it('can listen on a separate WebSocket port', async () => {
    const { server, backend } = await start({ wsPort: 0 })
    expect(server.wsAddress?.port).toBeGreaterThan(0)
    expect(server.wsAddress?.port).not.toBe(server.httpAddress.port)
    const c = await WsClient.connect(server.wsUrl as string)
    const sub = await c.result<string>('eth_subscribe', ['newHeads'])
    backend.addBlock([], { emit: true })
    expect(await c.notificationsFor(sub, 1)).toHaveLength(1)
    // The HTTP port does not upgrade in this mode... but still serves JSON-RPC.
    const res = await fetch(server.url, { method: 'POST', body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}' })
    expect(await res.json()).toMatchObject({ result: '0x385' })
  })

  it('refuses WebSocket origins not allowed', async () => {
    const { server } = await start({ wsOrigins: ['https://app.example'] })
    const bad = new WebSocket(server.wsUrl as string, { origin: 'https://evil.example' })
    sockets.push(bad)
    await expect(new Promise((resolve, reject) => bad.once('open', resolve).once('error', reject))).rejects.toThrow(
      /403/,
    )
    const good = new WebSocket(server.wsUrl as string, { origin: 'https://app.example' })
    sockets.push(good)
    await new Promise((resolve, reject) => good.once('open', resolve).once('error', reject))
  })
})

describe('shutdown', () => {
  it('close() resolves after WebSocket and keep-alive sockets close, and unhooks the backend', async () => {
    const { server, backend, rpc } = await start()
    expect(backend.listenerCount).toBe(1)
    const c = await WsClient.connect(server.wsUrl as string)
    await c.result('eth_subscribe', ['newHeads'])
    expect(await rpc('eth_chainId')).toMatchObject({ result: '0x385' }) // leaves a keep-alive connection
    const t0 = Date.now()
    await server.close()
    expect(Date.now() - t0).toBeLessThan(1500)
    expect(await c.closed).toEqual({ code: 1001, reason: 'server shutting down' })
    expect(backend.listenerCount).toBe(0)
    await expect(fetch(server.url, { method: 'POST', body: '{}' })).rejects.toThrow()
    await server.close() // idempotent
  })

  it('lets in-flight HTTP requests finish, then closes their connections without waiting for the grace period', async () => {
    const methods = new RpcMethods().register('test_slow', async () => {
      await new Promise((r) => setTimeout(r, 200))
      return 'done'
    })
    const server = new RpcServer({ methods, host: '127.0.0.1', port: 0, logger: captureLogger().logger })
    servers.push(server)
    await server.start()
    const pending = fetch(server.url, { method: 'POST', body: '{"jsonrpc":"2.0","id":1,"method":"test_slow"}' })
    await new Promise((r) => setTimeout(r, 50))
    const t0 = Date.now()
    await server.close()
    expect(Date.now() - t0).toBeLessThan(1500) // grace is 2000 ms
    const res = await pending
    expect(res.headers.get('connection')).toBe('close')
    expect(await res.json()).toMatchObject({ result: 'done' })
  })

  it('cuts clients that do not finish the close handshake after the grace period', async () => {
    const { server } = await start({ shutdownGraceMs: 100 })
    const c = await WsClient.connect(server.wsUrl as string)
    // Stop reading: the client never answers the close frame.
    ;(c.ws as unknown as { _socket: { pause(): void } })._socket.pause()
    const t0 = Date.now()
    await server.close()
    expect(Date.now() - t0).toBeLessThan(2000)
  })

  it('rejects start() when the port is taken', async () => {
    const { server } = await start()
    const chain = await createFakeChain()
    const other = new RpcServer({
      methods: createEthApi(chain.backend),
      host: '127.0.0.1',
      port: server.httpAddress.port,
      logger: captureLogger().logger,
    })
    await expect(other.start()).rejects.toThrow(/EADDRINUSE/)
  })
})
