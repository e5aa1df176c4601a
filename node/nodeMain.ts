import { join } from 'node:path'
import { createPublicClient, http } from 'viem'
import { ConfigError } from '../config/errors.ts'
import type { Logger } from '../config/logger.ts'
import { loadRollupConfig } from '../config/rollupConfig.ts'
import { ChainStore } from './db/chainStore.ts'
import { DevChain } from './dev/devChain.ts'
import { ExecutionEngine } from './engine/engine.ts'
import { buildGenesis, initGenesis } from './engine/genesis.ts'
import { MemoryStateStore } from './engine/state/memoryStateStore.ts'
import { checkGenesisMatchesRollup, loadGenesisJson } from './genesis/genesisJson.ts'
import { createNodeMetrics, MetricsServer } from './metrics/metrics.ts'
import { EngineBackend } from './rpc/engineBackend.ts'
import { createEthApi } from './rpc/ethApi.ts'
import { RpcError, RpcMethods } from './rpc/jsonrpc.ts'
import { createRollupApi } from './rpc/rollupApi.ts'
import { RpcServer } from './rpc/server.ts'
import { TxPool } from './txpool/txPool.ts'

// The composition root. Init order: config -> database -> engine (genesis checked) -> tx pool -> RPC ->
// block production. Shutdown runs in reverse.

export const NODE_VERSION = 'v0.1.0'

export interface NodeOptions {
  datadir: string
  genesisPath: string
  rollupPath: string
  rpcHost: string
  rpcPort: number
  corsOrigins: string[]
  /** Produce blocks locally (single-node chain) using this L1 for origins. */
  sequencerL1Rpc?: string
  /** Prometheus /metrics port (undefined = disabled, 0 = any free port). */
  metricsPort?: number
  log: Logger
}

export interface RunningNode {
  rpcUrl: string
  metricsUrl?: string
  wsUrl: string
  engine: ExecutionEngine
  stop(): Promise<void>
}

/** Wraps every handler to report method, outcome and duration (Prometheus). */
export function instrument(
  methods: RpcMethods,
  observe: (method: string, outcome: 'ok' | 'error' | 'internal', seconds: number) => void,
): RpcMethods {
  const out = new RpcMethods()
  for (const name of methods.names()) {
    const h = methods.get(name)
    if (!h) continue
    out.register(name, async (params, ctx) => {
      const t0 = performance.now()
      try {
        const r = await h(params, ctx)
        observe(name, 'ok', (performance.now() - t0) / 1000)
        return r
      } catch (err) {
        observe(
          name,
          err instanceof RpcError || typeof (err as { code?: unknown })?.code === 'number' ? 'error' : 'internal',
          (performance.now() - t0) / 1000,
        )
        throw err
      }
    })
  }
  return out
}

export async function startNode(o: NodeOptions): Promise<RunningNode> {
  const log = o.log
  const rollup = loadRollupConfig(o.rollupPath)
  const genesis = loadGenesisJson(o.genesisPath)
  const { block: g } = await buildGenesis(genesis.spec, genesis.state, new MemoryStateStore())
  checkGenesisMatchesRollup(genesis, rollup, g.hash)

  const store = await ChainStore.open(join(o.datadir, 'l2db'))
  const stops: (() => Promise<void>)[] = [() => store.close()]
  const stopAll = async () => {
    for (const s of stops.reverse()) await s().catch((err) => log.error({ err }, 'Shutdown step failed'))
  }
  try {
    await initGenesis(store, genesis.spec, genesis.state)
    const metrics = createNodeMetrics()
    const engine = await ExecutionEngine.open({
      store,
      spec: genesis.spec,
      logger: log,
      observer: {
        payloadBuilt: (b, seconds) => {
          metrics.blockBuild.observe(seconds)
          metrics.blockTxs.inc(b.transactions.length)
          metrics.blockGas.inc(Number(b.header.gasUsed))
        },
        payloadImported: (status, b) => {
          metrics.payloads.inc({ status })
          if (b) {
            metrics.blockTxs.inc(b.transactions.length)
            metrics.blockGas.inc(Number(b.header.gasUsed))
          }
        },
        headsChanged: (h) => {
          metrics.refs.set({ layer: 'l2', type: 'l2_unsafe' }, Number(h.unsafe.header.number))
          metrics.refs.set({ layer: 'l2', type: 'l2_safe' }, Number(h.safe.header.number))
          metrics.refs.set({ layer: 'l2', type: 'l2_finalized' }, Number(h.finalized.header.number))
          metrics.txpoolSize.set(pool.size)
        },
      },
    })
    stops.push(() => engine.close())
    const pool: TxPool = new TxPool({
      account: async (a) => (await engine.stateAt(engine.head.unsafe.header)).readAccount(a),
      nextBaseFee: (): bigint => backend.nextBaseFee(),
      l1Fee: (raw) => engine.estimateL1Fee(raw),
    })
    const backend: EngineBackend = new EngineBackend(engine, pool)
    engine.txSource = pool
    const api = createEthApi(backend).merge(createRollupApi(engine, rollup, { version: NODE_VERSION }))
    const methods = instrument(api, (method, outcome, seconds) => {
      metrics.rpcRequests.inc({ method, outcome })
      metrics.rpcDuration.observe({ method }, seconds)
    })
    const server = new RpcServer({
      methods,
      backend,
      host: o.rpcHost,
      port: o.rpcPort,
      corsOrigins: o.corsOrigins,
      logger: log.child({ module: 'rpc' }),
      health: () => ({
        unsafe: Number(engine.head.unsafe.header.number),
        safe: Number(engine.head.safe.header.number),
        finalized: Number(engine.head.finalized.header.number),
      }),
    })
    await server.start().catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE')
        throw new ConfigError('rpc.port', `${o.rpcHost}:${o.rpcPort} is already in use; pick another port`)
      throw err
    })
    const url = server.url
    const wsUrl = server.wsUrl ?? server.url.replace(/^http/, 'ws')
    stops.push(() => server.close())
    let metricsUrl: string | undefined
    if (o.metricsPort !== undefined) {
      const ms = new MetricsServer(metrics.registry, log.child({ module: 'metrics' }))
      metricsUrl = await ms.start(o.rpcHost, o.metricsPort)
      stops.push(() => ms.close())
    }
    if (o.sequencerL1Rpc) {
      const dev = new DevChain({
        engine,
        pool,
        l1: createPublicClient({ transport: http(o.sequencerL1Rpc) }),
        rollup,
        log: log.child({ module: 'sequencer' }),
      })
      dev.start()
      stops.push(() => dev.stop())
    }
    log.info({ rpc: url, ws: wsUrl, unsafe: Number(engine.head.unsafe.header.number) }, 'Node started')
    return { rpcUrl: url, wsUrl, metricsUrl, engine, stop: stopAll }
  } catch (err) {
    await stopAll()
    if (err instanceof ConfigError) throw err
    throw err
  }
}
