import { describe, expect, it } from 'vitest'
import { type JsonRpcLimits, RpcDispatcher, RpcError, RpcMethods } from '../../../node/rpc/jsonrpc.ts'
import { captureLogger } from '../../fakes/captureLogger.ts'

const ctx = { transport: 'http' as const }

function setup(limits: Partial<JsonRpcLimits> = {}) {
  const { logger, lines } = captureLogger()
  const ran: string[] = []
  const methods = new RpcMethods()
    .register('test_echo', (params) => {
      ran.push('echo')
      return params
    })
    .register('test_fail', () => {
      throw new Error('secret internal detail')
    })
    .register('test_rpcError', () => {
      throw new RpcError(-32000, 'nonce too low')
    })
    .register('test_backendError', () => {
      // The engine backend's errors: an Error with a numeric code and optional data.
      throw Object.assign(new Error('execution reverted'), { code: 3, data: '0x1234' })
    })
    .register('test_plainError', () => {
      throw { code: -32000, message: 'already known' }
    })
    .register('test_bigint', () => 5n)
    .register('test_void', () => undefined)
    .register('test_big', (params) => {
      ran.push('big')
      return 'x'.repeat(Number(params[0] ?? 1000))
    })
    .register('test_async', async () => {
      await new Promise((r) => setTimeout(r, 1))
      return 'done'
    })
  const d = new RpcDispatcher(methods, { limits, logger })
  const raw = async (body: string) => {
    const out = await d.handleRaw(body, ctx)
    return out === undefined ? undefined : JSON.parse(out)
  }
  return { d, raw, lines, ran }
}

const req = (id: unknown, method: string, params?: unknown) => ({ jsonrpc: '2.0', id, method, params })

describe('JSON-RPC framing', () => {
  it('answers a call with its id and result', async () => {
    const { raw } = setup()
    expect(await raw(JSON.stringify(req(7, 'test_echo', [1, 'a'])))).toEqual({
      jsonrpc: '2.0',
      id: 7,
      result: [1, 'a'],
    })
    expect(await raw(JSON.stringify(req('abc', 'test_async')))).toEqual({ jsonrpc: '2.0', id: 'abc', result: 'done' })
    expect(await raw(JSON.stringify(req(null, 'test_void')))).toEqual({ jsonrpc: '2.0', id: null, result: null })
    // Missing or null params are an empty list.
    expect(await raw(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'test_echo' }))).toMatchObject({ result: [] })
  })

  it('answers garbage with -32700 parse error', async () => {
    const { raw } = setup()
    for (const body of ['{', 'not json', '', '{"jsonrpc":"2.0",}']) {
      expect(await raw(body)).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } })
    }
  })

  it('answers malformed requests with -32600', async () => {
    const { raw } = setup()
    const cases: [unknown, unknown][] = [
      [5, null],
      ['str', null],
      [null, null],
      [{ jsonrpc: '1.0', id: 3, method: 'test_echo' }, 3],
      [{ id: 4, method: 'test_echo' }, 4],
      [{ jsonrpc: '2.0', id: 5 }, 5],
      [{ jsonrpc: '2.0', id: 6, method: 42 }, 6],
      [{ jsonrpc: '2.0', id: { a: 1 }, method: 'test_echo' }, null],
      [{ jsonrpc: '2.0', id: [1], method: 'test_echo' }, null],
    ]
    for (const [body, id] of cases) {
      const r = await raw(JSON.stringify(body))
      expect(r, JSON.stringify(body)).toMatchObject({ jsonrpc: '2.0', id, error: { code: -32600 } })
      expect(r.error.message).toMatch(/^invalid request/)
    }
  })

  it('answers unknown methods with -32601', async () => {
    const { raw } = setup()
    expect(await raw(JSON.stringify(req(1, 'eth_nope')))).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32601, message: 'the method eth_nope does not exist/is not available' },
    })
  })

  it('rejects by-name params with -32602', async () => {
    const { raw } = setup()
    expect(await raw(JSON.stringify(req(1, 'test_echo', { a: 1 })))).toMatchObject({
      error: { code: -32602, message: 'non-array args' },
    })
  })

  it('passes RpcError and RpcError-shaped errors through, data included', async () => {
    const { raw } = setup()
    expect(await raw(JSON.stringify(req(1, 'test_rpcError')))).toMatchObject({
      error: { code: -32000, message: 'nonce too low' },
    })
    expect(await raw(JSON.stringify(req(1, 'test_plainError')))).toMatchObject({
      error: { code: -32000, message: 'already known' },
    })
    expect(await raw(JSON.stringify(req(1, 'test_backendError')))).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: 3, message: 'execution reverted', data: '0x1234' },
    })
  })

  it('turns unexpected exceptions into -32603 with a safe message and logs them', async () => {
    const { raw, lines } = setup()
    const r = await raw(JSON.stringify(req(9, 'test_fail')))
    expect(r).toEqual({ jsonrpc: '2.0', id: 9, error: { code: -32603, message: 'internal error' } })
    expect(JSON.stringify(r)).not.toContain('secret')
    const logged = lines.find((l) => l.msg === 'RPC handler failed')
    expect(logged).toMatchObject({ method: 'test_fail', err: { message: 'secret internal detail' } })
    // Unserializable results too.
    expect(await raw(JSON.stringify(req(10, 'test_bigint')))).toMatchObject({ id: 10, error: { code: -32603 } })
  })

  it('executes notifications without answering', async () => {
    const { raw, ran } = setup()
    expect(await raw(JSON.stringify({ jsonrpc: '2.0', method: 'test_echo', params: [] }))).toBeUndefined()
    expect(ran).toEqual(['echo'])
    // Even failing ones.
    expect(await raw(JSON.stringify({ jsonrpc: '2.0', method: 'nope_nope' }))).toBeUndefined()
  })
})

describe('batches', () => {
  it('answers an empty batch with a single -32600 error', async () => {
    const { raw } = setup()
    expect(await raw('[]')).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'empty batch' } })
  })

  it('answers each item in order, errors per item, notifications left out', async () => {
    const { raw } = setup()
    const batch = [
      req(1, 'test_echo', ['a']),
      { jsonrpc: '2.0', method: 'test_echo', params: ['notification'] },
      req(2, 'eth_nope'),
      42,
      req(3, 'test_fail'),
      { jsonrpc: '2.0', id: 4 },
      req(5, 'test_async'),
    ]
    expect(await raw(JSON.stringify(batch))).toEqual([
      { jsonrpc: '2.0', id: 1, result: ['a'] },
      {
        jsonrpc: '2.0',
        id: 2,
        error: { code: -32601, message: 'the method eth_nope does not exist/is not available' },
      },
      { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'invalid request: not a JSON object' } },
      { jsonrpc: '2.0', id: 3, error: { code: -32603, message: 'internal error' } },
      { jsonrpc: '2.0', id: 4, error: { code: -32600, message: 'invalid request: method must be a non-empty string' } },
      { jsonrpc: '2.0', id: 5, result: 'done' },
    ])
  })

  it('sends nothing for a batch of notifications', async () => {
    const { raw } = setup()
    const n = { jsonrpc: '2.0', method: 'test_echo' }
    expect(await raw(JSON.stringify([n, n]))).toBeUndefined()
  })

  it('refuses a batch over maxBatchItems with one error carrying the first id', async () => {
    const { raw, ran } = setup({ maxBatchItems: 3 })
    const batch = [{ jsonrpc: '2.0', method: 'test_echo' }, ...[1, 2, 3].map((i) => req(i, 'test_echo'))]
    const r = await raw(JSON.stringify(batch))
    expect(r).toEqual([
      { jsonrpc: '2.0', id: 1, error: { code: -32600, message: expect.stringMatching(/^batch too large/) } },
    ])
    expect(r[0].error.message).toContain('maxBatchItems')
    expect(ran).toEqual([])
    expect(await raw(JSON.stringify([1, 2, 3].map((i) => req(i, 'test_echo'))))).toHaveLength(3)
  })
})

describe('size limits', () => {
  it('refuses a body over maxBodyBytes', async () => {
    const { raw } = setup({ maxBodyBytes: 100 })
    const r = await raw(JSON.stringify(req(1, 'test_echo', ['x'.repeat(200)])))
    expect(r).toMatchObject({ id: null, error: { code: -32005, message: expect.stringContaining('maxBodyBytes') } })
  })

  it('replaces a response over maxResponseBytes by -32003', async () => {
    const { raw } = setup({ maxResponseBytes: 500 })
    expect(await raw(JSON.stringify(req(1, 'test_big', [100])))).toMatchObject({ result: expect.any(String) })
    expect(await raw(JSON.stringify(req(2, 'test_big', [1000])))).toEqual({
      jsonrpc: '2.0',
      id: 2,
      error: { code: -32003, message: 'response too large' },
    })
  })

  it('stops running a batch once its response is over the limit', async () => {
    const { raw, ran } = setup({ maxResponseBytes: 500 })
    const r = await raw(JSON.stringify([1, 2, 3, 4].map((i) => req(i, 'test_big', [200]))))
    expect(r.map((x: { id: number }) => x.id)).toEqual([1, 2, 3, 4])
    expect(r[0]).toHaveProperty('result')
    expect(r[1]).toHaveProperty('result')
    expect(r[2]).toMatchObject({ error: { code: -32003 } })
    expect(r[3]).toMatchObject({ error: { code: -32003 } })
    expect(ran).toEqual(['big', 'big', 'big'])
  })
})

describe('RpcMethods registry', () => {
  it('registers, merges and filters namespaces', () => {
    const eth = new RpcMethods().register('eth_a', () => 1).register('net_b', () => 2)
    const op = new RpcMethods().register('optimism_c', () => 3)
    const all = new RpcMethods()
      .merge(eth)
      .merge(op)
      .merge({ admin_d: () => 4 })
    expect(all.names()).toEqual(['admin_d', 'eth_a', 'net_b', 'optimism_c'])
    expect(all.forNamespaces(['eth', 'optimism']).names()).toEqual(['eth_a', 'optimism_c'])
    expect(all.has('eth_a')).toBe(true)
    expect(() => all.register('eth_a', () => 0)).toThrow(/registered twice/)
    expect(() => all.register('nonamespace', () => 0)).toThrow(/bad method name/)
    all.override('eth_a', () => 'new')
    expect(all.get('eth_a')?.([], ctx)).toBe('new')
  })
})
