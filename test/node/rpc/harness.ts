import type { Logger } from '../../../config/logger.ts'
import { createEthApi, type EthApiOptions } from '../../../node/rpc/ethApi.ts'
import { type JsonRpcLimits, RpcDispatcher } from '../../../node/rpc/jsonrpc.ts'
import { captureLogger } from '../../fakes/captureLogger.ts'
import { createFakeChain, type FakeChain } from '../../fakes/fakeChainBackend.ts'

export interface RpcErrorJson {
  code: number
  message: string
  data?: unknown
}

export interface Harness extends FakeChain {
  dispatcher: RpcDispatcher
  /** The full response object of one call. */
  call(method: string, params?: unknown[]): Promise<Record<string, unknown>>
  /** The result of one call; throws if it errored. */
  result<T = unknown>(method: string, params?: unknown[]): Promise<T>
  /** The error of one call; throws if it succeeded. */
  error(method: string, params?: unknown[]): Promise<RpcErrorJson>
}

export async function harness(
  opts: { eth?: Partial<EthApiOptions>; limits?: Partial<JsonRpcLimits>; logger?: Logger } = {},
): Promise<Harness> {
  const chain = await createFakeChain()
  const dispatcher = new RpcDispatcher(createEthApi(chain.backend, opts.eth), {
    limits: opts.limits,
    logger: opts.logger,
  })
  let nextId = 1
  const call = async (method: string, params: unknown[] = []) => {
    const out = await dispatcher.handleRaw(JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }), {
      transport: 'http',
    })
    if (out === undefined) throw new Error('no response')
    return JSON.parse(out) as Record<string, unknown>
  }
  return {
    ...chain,
    dispatcher,
    call,
    async result<T>(method: string, params: unknown[] = []) {
      const r = await call(method, params)
      if ('error' in r) throw new Error(`${method} failed: ${JSON.stringify(r.error)}`)
      return r.result as T
    },
    async error(method: string, params: unknown[] = []) {
      const r = await call(method, params)
      if (!('error' in r)) throw new Error(`${method} succeeded: ${JSON.stringify(r.result)}`)
      return r.error as RpcErrorJson
    },
  }
}

export { captureLogger }
