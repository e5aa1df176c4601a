import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError, errorMessage } from '../config/errors.ts'
import { loadRollupConfig, type RollupConfig } from '../config/rollupConfig.ts'
import type { Address, Hash, Hex } from '../config/types.ts'
import { AltDaWriter } from '../da-eigen/altDaWriter.ts'
import { EigenDADataSource, EigenDAProxyClient } from '../da-eigen/proxyClient.ts'
import { Driver } from '../derivation/driver/driver.ts'
import { pipelineConfigFromRollup } from '../derivation/pipeline.ts'
import { Batcher } from '../sequencer/batcher/batcher.ts'
import { BlobWriter } from '../sequencer/batcher/blobWriter.ts'
import { CalldataWriter } from '../sequencer/batcher/calldataWriter.ts'
import type { DaWriter } from '../sequencer/batcher/daWriter.ts'
import { Proposer } from '../sequencer/proposer.ts'
import { TxManager } from '../sequencer/txmgr/txManager.ts'
import type { UnsafeBlockPublisher } from '../sequencer/unsafePublisher.ts'
import { writeFileAtomic } from './atomicFile.ts'
import { EngineBlockSource } from './batcher/engineBlockSource.ts'
import { ChainStore } from './db/chainStore.ts'
import { SafeHeadStore } from './db/safeHeadStore.ts'
import { EngineL2, engineL2ConfigFromRollup } from './derivation/engineAdapter.ts'
import { ExecutionEngine } from './engine/engine.ts'
import { buildGenesis, initGenesis } from './engine/genesis.ts'
import { MemoryStateStore } from './engine/state/memoryStateStore.ts'
import { checkGenesisMatchesRollup, loadGenesisJson } from './genesis/genesisJson.ts'
import { BeaconBlobSource } from './l1/beaconBlobSource.ts'
import { nodeKzg } from './l1/kzg.ts'
import { L1HeadTracker } from './l1/l1HeadTracker.ts'
import { RpcL1Source } from './l1/rpcL1Source.ts'
import { knownL1PragueTime, readUnsafeBlockSigner } from './l1/systemConfigReader.ts'
import { createNodeMetrics, daClientObserver, MetricsServer, type NodeMetrics } from './metrics/metrics.ts'
import type { NodeOptions } from './nodeOptions.ts'
import { BlockGossip } from './p2p/blockGossip.ts'
import { UnsafeBlockSink } from './p2p/unsafeBlockSink.ts'
import { engineOutputSource } from './proposer/engineOutputSource.ts'
import { EngineBackend } from './rpc/engineBackend.ts'
import { createEthApi } from './rpc/ethApi.ts'
import { RpcError, RpcMethods } from './rpc/jsonrpc.ts'
import { createRollupApi } from './rpc/rollupApi.ts'
import { RpcServer } from './rpc/server.ts'
import { createNodeSequencer } from './sequencer/nodeSequencer.ts'
import { TxPool } from './txpool/txPool.ts'

// The composition root. Init order: config -> database -> engine (genesis checked) -> tx pool -> L1 and DA
// sources -> derivation driver -> P2P -> sequencer -> batcher -> proposer -> RPC. Shutdown runs in reverse.
// Roles follow the options: with `l1` the node derives the chain from L1 (+ DA); the sequencer, batcher,
// proposer and P2P each switch on with their own section.

export type { NodeOptions } from './nodeOptions.ts'

export const NODE_VERSION = 'v0.2.0'

export interface RunningNode {
  rpcUrl: string
  wsUrl: string
  rollupRpcUrl?: string
  metricsUrl?: string
  /** The libp2p listen addresses (with /p2p/<peer id>) when P2P is on. */
  p2pAddrs?: string[]
  engine: ExecutionEngine
  /** Rejects when a component hit a critical error; the process should stop (and exit non-zero). */
  fatal: Promise<never>
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

function readL2OutputOracle(path: string): Address {
  let json: Record<string, unknown>
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>
  } catch (err) {
    throw new ConfigError('l1.addresses', `cannot read ${path}: ${errorMessage(err)}`)
  }
  const a = json.L2OutputOracleProxy
  if (typeof a !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(a)) {
    throw new ConfigError('l1.addresses', `${path} has no L2OutputOracleProxy address`)
  }
  return a as Address
}

async function listen(server: RpcServer, host: string, port: number, field: string): Promise<void> {
  await server.start().catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE') throw new ConfigError(field, `${host}:${port} is already in use; pick another port`)
    throw err
  })
}

function engineMetrics(metrics: NodeMetrics, pool: () => TxPool | undefined) {
  return {
    payloadBuilt: (b: { transactions: unknown[]; header: { gasUsed: bigint } }, seconds: number) => {
      metrics.blockBuild.observe(seconds)
      metrics.blockTxs.inc(b.transactions.length)
      metrics.blockGas.inc(Number(b.header.gasUsed))
    },
    payloadImported: (status: string, b?: { transactions: unknown[]; header: { gasUsed: bigint } }) => {
      metrics.payloads.inc({ status })
      if (b) {
        metrics.blockTxs.inc(b.transactions.length)
        metrics.blockGas.inc(Number(b.header.gasUsed))
      }
    },
    headsChanged: (h: ExecutionEngine['head']) => {
      metrics.refs.set({ layer: 'l2', type: 'l2_unsafe' }, Number(h.unsafe.header.number))
      metrics.refs.set({ layer: 'l2', type: 'l2_safe' }, Number(h.safe.header.number))
      metrics.refs.set({ layer: 'l2', type: 'l2_finalized' }, Number(h.finalized.header.number))
      metrics.txpoolSize.set(pool()?.size ?? 0)
    },
  }
}

export async function startNode(o: NodeOptions): Promise<RunningNode> {
  const log = o.log
  const rollup: RollupConfig = loadRollupConfig(o.rollupPath)
  const genesis = loadGenesisJson(o.genesisPath)
  const { block: g } = await buildGenesis(genesis.spec, genesis.state, new MemoryStateStore())
  checkGenesisMatchesRollup(genesis, rollup, g.hash)
  if (o.sequencer && !o.l1) throw new ConfigError('l1.rpc', 'the sequencer needs an L1 RPC')

  let failFatal: (err: unknown) => void = () => {}
  const fatal = new Promise<never>((_, reject) => {
    failFatal = reject
  })
  fatal.catch(() => {}) // observed by the caller; never an unhandled rejection here

  const store = await ChainStore.open(join(o.datadir, 'l2db'))
  const stops: (() => Promise<void>)[] = [() => store.close()]
  const stopAll = async () => {
    for (const s of stops.reverse()) await s().catch((err) => log.error({ err }, 'Shutdown step failed'))
  }
  try {
    await initGenesis(store, genesis.spec, genesis.state)
    const metrics = createNodeMetrics()
    let pool: TxPool | undefined
    const engine = await ExecutionEngine.open({
      store,
      spec: genesis.spec,
      logger: log,
      observer: engineMetrics(metrics, () => pool),
    })
    stops.push(() => engine.close())
    pool = new TxPool({
      account: async (a) => (await engine.stateAt(engine.head.unsafe.header)).readAccount(a),
      nextBaseFee: (): bigint => backend.nextBaseFee(),
      l1Fee: (raw) => engine.estimateL1Fee(raw),
      blockGasLimit: () => engine.head.unsafe.header.gasLimit,
    })
    const txPool = pool
    const backend: EngineBackend = new EngineBackend(engine, txPool)
    engine.txSource = txPool
    const l2 = new EngineL2(engine, engineL2ConfigFromRollup(rollup))

    // --- L1, DA and derivation -------------------------------------------------------------------------
    let driver: Driver | undefined
    let heads: L1HeadTracker | undefined
    let l1: RpcL1Source | undefined
    let safeHeads: SafeHeadStore | undefined
    let daClient: EigenDAProxyClient | undefined
    if (o.altDA) {
      daClient = new EigenDAProxyClient({
        url: o.altDA.url,
        putTimeoutMs: o.altDA.putTimeoutMs,
        getTimeoutMs: o.altDA.getTimeoutMs,
        maxConcurrent: o.altDA.maxConcurrent,
        logger: log,
        observer: daClientObserver(metrics),
      })
    }
    const l1PragueTime = knownL1PragueTime(rollup.l1_chain_id)
    if (o.l1) {
      l1 = new RpcL1Source({
        url: o.l1.rpc,
        logger: log,
        maxConcurrent: o.l1.maxConcurrency,
        requestsPerSecond: o.l1.rps,
      })
      heads = new L1HeadTracker(l1, { intervalMs: o.l1.pollIntervalMs, logger: log })
      const blobs = o.l1.beacon
        ? new BeaconBlobSource({ url: o.l1.beacon, blockId: o.l1.beaconBlockId ?? 'slot', kzg: nodeKzg(), logger: log })
        : null
      const altDA = daClient
        ? new EigenDADataSource(daClient, log, { verifyOnRead: o.altDA?.verifyOnRead ?? true })
        : null
      safeHeads = await SafeHeadStore.open(join(o.datadir, 'safedb'))
      const sh = safeHeads
      stops.push(() => sh.close())
      const d = new Driver(
        {
          ...pipelineConfigFromRollup(rollup, l1PragueTime),
          genesisL1: { hash: rollup.genesis.l1.hash as Hash, number: rollup.genesis.l1.number },
          genesisL2: { hash: rollup.genesis.l2.hash as Hash, number: rollup.genesis.l2.number },
        },
        { engine: l2, sources: { l1, l1Info: l1, blobs, altDA }, safeHeadListener: sh, logger: log },
      )
      driver = d
      heads.subscribe({
        onL1Head: (r) => {
          d.onL1Head(r)
          metrics.refs.set({ layer: 'l1', type: 'l1_head' }, r.number)
        },
        onL1Safe: (r) => {
          d.onL1Safe(r)
          metrics.refs.set({ layer: 'l1', type: 'l1_safe' }, r.number)
        },
        onL1Finalized: (r) => {
          d.onL1Finalized(r)
          metrics.refs.set({ layer: 'l1', type: 'l1_finalized' }, r.number)
        },
      })
      await heads.poll().catch((err) => log.warn({ err }, 'First L1 head poll failed; retrying in the background'))
      heads.start()
      const h = heads
      stops.push(() => h.stop())
      const run = d.start()
      run.catch((err) => {
        log.fatal({ err }, 'Derivation stopped on a critical error')
        failFatal(err)
      })
      stops.push(async () => {
        await d.stop()
        await run.catch(() => {})
      })
    }

    // --- P2P -----------------------------------------------------------------------------------------------
    let gossip: BlockGossip | undefined
    if (o.p2p) {
      const sink = driver ? undefined : new UnsafeBlockSink(engine, log)
      const d = driver
      let expectedSigner: Address | undefined
      if (!o.sequencer?.signerKey && o.l1) {
        expectedSigner = await readUnsafeBlockSigner(o.l1.rpc, rollup.l1_system_config_address as Address).catch(
          (err) => {
            log.warn({ err }, 'Could not read the unsafe block signer from L1; gossiped blocks are ignored')
            return undefined
          },
        )
      }
      const keyFile = o.p2p.keyFile ?? join(o.datadir, 'p2p-key')
      // a fixed identity (known peer id): where BlockGossip reads its key, private to the user
      if (o.p2p.privKey) writeFileAtomic(keyFile, `${o.p2p.privKey.slice(2)}\n`, 0o600)
      const gs = new BlockGossip({
        chain: rollup,
        listenHost: o.p2p.host,
        listenPort: o.p2p.port,
        staticPeers: o.p2p.peers,
        peerKeyFile: keyFile,
        ...(o.sequencer?.signerKey ? { signerKey: o.sequencer.signerKey } : {}),
        ...(expectedSigner ? { expectedSigner } : {}),
        onUnsafeBlock: (env) => {
          if (d) d.onUnsafePayload(env)
          else void sink?.insert(env)
        },
        logger: log,
      })
      await gs.start()
      gossip = gs
      stops.push(() => gs.stop())
    }

    // --- sequencer -----------------------------------------------------------------------------------------
    let adminApi: RpcMethods | undefined
    if (o.sequencer && l1 && heads) {
      const g2 = gossip
      const publisher: UnsafeBlockPublisher = {
        publish: async (env) => {
          if (!g2) return
          await g2.publish(env).catch((err) => log.warn({ err }, 'Publishing the unsafe block failed'))
        },
      }
      const { sequencer, adminApi: admin } = createNodeSequencer({
        engine,
        onBuilt: () => txPool.onNewHead(),
        rollup,
        l1,
        l1Head: heads,
        publisher,
        datadir: o.datadir,
        log,
        l1ConfDepth: o.sequencer.l1Confs,
        l1PragueTime,
        onCritical: (err) => {
          log.fatal({ err }, 'Sequencer stopped on a critical error')
          failFatal(err)
        },
      })
      adminApi = admin
      await sequencer.init(!o.sequencer.stopped)
      stops.push(() => sequencer.close())
    }

    // --- batcher -------------------------------------------------------------------------------------------
    if (o.batcher && o.l1) {
      const inbox = rollup.batch_inbox_address as Address
      const txm = new TxManager({
        l1RpcUrl: o.l1.rpc,
        privateKey: o.batcher.key,
        l1ChainId: rollup.l1_chain_id,
        kzg: nodeKzg(),
        logger: log.child({ module: 'batcher-txmgr' }),
      })
      const ethWriter = (kind: 'calldata' | 'blobs'): DaWriter =>
        kind === 'blobs' ? new BlobWriter({ batchInbox: inbox }) : new CalldataWriter({ batchInbox: inbox })
      let writer: DaWriter
      let fallback: DaWriter | undefined
      if (o.batcher.da === 'altda') {
        if (!daClient) throw new ConfigError('altda.url', 'is required by --batcher.da=altda')
        writer = new AltDaWriter({
          batchInbox: inbox,
          client: daClient,
          observer: {
            onPut: (r) => {
              if (r.status === 'failover') metrics.daFailovers.inc({ target: o.altDA?.failover ?? 'calldata' })
            },
          },
        })
        fallback = ethWriter(o.altDA?.failover ?? 'calldata')
      } else {
        writer = ethWriter(o.batcher.da)
      }
      const batcher = new Batcher(
        {
          rollup: {
            genesisTimestamp: rollup.genesis.l2_time,
            l2ChainId: BigInt(rollup.l2_chain_id),
            channelTimeout: rollup.channel_timeout,
            seqWindowSize: rollup.seq_window_size,
          },
          pollIntervalMs: o.batcher.pollIntervalMs,
          maxChannelDuration: o.batcher.maxChannelDuration,
          // one tx at a time: a failed tx re-sent after later frames would break a channel's frame order
          maxPendingTx: 1,
        },
        {
          source: new EngineBlockSource(l2),
          sender: txm,
          writer,
          ...(fallback ? { fallback } : {}),
          logger: log.child({ module: 'batcher' }),
        },
      )
      batcher.start()
      stops.push(async () => {
        await batcher.stop()
        txm.close()
      })
    }

    // --- proposer ------------------------------------------------------------------------------------------
    if (o.proposer && o.l1) {
      if (!o.l1.addressesPath) throw new ConfigError('l1.addresses', 'is required by the proposer')
      const d = driver
      const proposer = new Proposer({
        l1Rpc: o.l1.rpc,
        proposerKey: o.proposer.key,
        l2OutputOracle: readL2OutputOracle(o.l1.addressesPath),
        source: engineOutputSource(engine, () => {
          const cur = d?.syncStatus().current_l1
          return cur && cur.number > 0 ? { number: BigInt(cur.number), hash: cur.hash as Hex } : undefined
        }),
        logger: log.child({ module: 'proposer' }),
        pollIntervalMs: o.proposer.pollIntervalMs,
      })
      await proposer.start()
      stops.push(() => proposer.stop())
    }

    // --- RPC -----------------------------------------------------------------------------------------------
    const d = driver
    const rollupApi = createRollupApi(engine, rollup, {
      version: NODE_VERSION,
      ...(safeHeads ? { safeHeads } : {}),
      ...(d
        ? {
            l1View: () => {
              const s = d.syncStatus()
              return { head: s.head_l1, safe: s.safe_l1, finalized: s.finalized_l1, current: s.current_l1 }
            },
          }
        : {}),
    })
    const observe = (method: string, outcome: 'ok' | 'error' | 'internal', seconds: number) => {
      metrics.rpcRequests.inc({ method, outcome })
      metrics.rpcDuration.observe({ method }, seconds)
    }
    const health = () => ({
      unsafe: Number(engine.head.unsafe.header.number),
      safe: Number(engine.head.safe.header.number),
      finalized: Number(engine.head.finalized.header.number),
    })
    const l2Api = createEthApi(backend).merge(rollupApi)
    if (adminApi && o.rollupRpcPort === undefined) l2Api.merge(adminApi)
    const server = new RpcServer({
      methods: instrument(l2Api, observe),
      backend,
      host: o.rpcHost,
      port: o.rpcPort,
      corsOrigins: o.corsOrigins,
      logger: log.child({ module: 'rpc' }),
      health,
    })
    await listen(server, o.rpcHost, o.rpcPort, 'rpc.port')
    stops.push(() => server.close())
    let rollupRpcUrl: string | undefined
    if (o.rollupRpcPort !== undefined) {
      const api = new RpcMethods().merge(rollupApi)
      if (adminApi) api.merge(adminApi)
      const rs = new RpcServer({
        methods: instrument(api, observe),
        backend,
        host: o.rpcHost,
        port: o.rollupRpcPort,
        corsOrigins: o.corsOrigins,
        logger: log.child({ module: 'rollup-rpc' }),
        health,
      })
      await listen(rs, o.rpcHost, o.rollupRpcPort, 'rollup-rpc.port')
      rollupRpcUrl = rs.url
      stops.push(() => rs.close())
    }
    let metricsUrl: string | undefined
    if (o.metricsPort !== undefined) {
      const ms = new MetricsServer(metrics.registry, log.child({ module: 'metrics' }))
      metricsUrl = await ms.start(o.rpcHost, o.metricsPort)
      stops.push(() => ms.close())
    }
    const wsUrl = server.wsUrl ?? server.url.replace(/^http/, 'ws')
    log.info(
      {
        rpc: server.url,
        rollupRpc: rollupRpcUrl,
        unsafe: Number(engine.head.unsafe.header.number),
        roles: {
          verifier: Boolean(driver),
          sequencer: Boolean(o.sequencer),
          batcher: o.batcher?.da,
          proposer: Boolean(o.proposer),
          p2p: gossip?.multiaddrs,
        },
      },
      'Node started',
    )
    return {
      rpcUrl: server.url,
      wsUrl,
      ...(rollupRpcUrl ? { rollupRpcUrl } : {}),
      ...(metricsUrl ? { metricsUrl } : {}),
      ...(gossip ? { p2pAddrs: gossip.multiaddrs } : {}),
      engine,
      fatal,
      stop: stopAll,
    }
  } catch (err) {
    await stopAll()
    throw err
  }
}
