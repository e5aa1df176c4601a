import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import type { Logger } from '../../config/logger.ts'
import type { EigenDAClientObserver } from '../../da-eigen/proxyClient.ts'

// Prometheus metrics, every name defined here. Heads follow op-node's `refs_number{layer,type}` family;
// process metrics (event-loop lag, heap, GC) come from prom-client's defaults.

export function createNodeMetrics(registry = new Registry()) {
  collectDefaultMetrics({ register: registry, prefix: 'oln_' })
  return {
    registry,
    refs: new Gauge({
      name: 'oln_refs_number',
      help: 'Block number of each head',
      labelNames: ['layer', 'type'],
      registers: [registry],
    }),
    blockBuild: new Histogram({
      name: 'oln_engine_block_build_seconds',
      help: 'Time to build and seal a payload',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
      registers: [registry],
    }),
    blockTxs: new Counter({
      name: 'oln_engine_transactions_total',
      help: 'Transactions in blocks built or imported',
      registers: [registry],
    }),
    blockGas: new Counter({
      name: 'oln_engine_gas_used_total',
      help: 'Gas used by blocks built or imported',
      registers: [registry],
    }),
    payloads: new Counter({
      name: 'oln_engine_new_payload_total',
      help: 'newPayload calls by status',
      labelNames: ['status'],
      registers: [registry],
    }),
    txpoolSize: new Gauge({ name: 'oln_txpool_transactions', help: 'Transactions in the pool', registers: [registry] }),
    txpoolRejected: new Counter({
      name: 'oln_txpool_rejected_total',
      help: 'Transactions rejected at admission or inclusion',
      labelNames: ['reason'],
      registers: [registry],
    }),
    rpcRequests: new Counter({
      name: 'oln_rpc_requests_total',
      help: 'JSON-RPC requests by method and outcome',
      labelNames: ['method', 'outcome'],
      registers: [registry],
    }),
    daRequests: new Counter({
      name: 'oln_altda_requests_total',
      help: 'DA server (eigenda-proxy) HTTP attempts by route and status (HTTP code, timeout, unreachable)',
      labelNames: ['route', 'status'],
      registers: [registry],
    }),
    daDuration: new Histogram({
      name: 'oln_altda_request_duration_seconds',
      help: 'DA server (eigenda-proxy) request latency by route',
      labelNames: ['route'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    daBytes: new Counter({
      name: 'oln_altda_bytes_total',
      help: 'Payload bytes sent to (put) and received from (get) the DA server',
      labelNames: ['route'],
      registers: [registry],
    }),
    daFailovers: new Counter({
      name: 'oln_altda_failovers_total',
      help: 'Batcher transactions sent to Ethereum DA because the DA server asked for failover or was unreachable',
      labelNames: ['target'],
      registers: [registry],
    }),
    rpcDuration: new Histogram({
      name: 'oln_rpc_request_duration_seconds',
      help: 'JSON-RPC request duration by method',
      labelNames: ['method'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    }),
  }
}

export type NodeMetrics = ReturnType<typeof createNodeMetrics>

/** Serves GET /metrics on its own port. */
export class MetricsServer {
  private readonly server: Server

  constructor(
    readonly registry: Registry,
    private readonly log: Logger,
  ) {
    this.server = createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/metrics') {
        registry
          .metrics()
          .then((text) => {
            res.writeHead(200, { 'content-type': registry.contentType })
            res.end(text)
          })
          .catch((err) => {
            log.error({ err }, 'Metrics collection failed')
            res.writeHead(500)
            res.end()
          })
        return
      }
      res.writeHead(404)
      res.end()
    })
  }

  async start(host: string, port: number): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(port, host, () => resolve())
    })
    const a = this.server.address() as AddressInfo
    this.log.info({ host: a.address, port: a.port }, 'Metrics server listening')
    return `http://${a.address}:${a.port}/metrics`
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((r) => this.server.close(() => r()))
  }
}

/** The DA client observer that feeds the `oln_altda_*` metrics. */
export function daClientObserver(m: NodeMetrics): EigenDAClientObserver {
  return {
    request(route, status, seconds, bytes) {
      m.daRequests.inc({ route, status: String(status) })
      m.daDuration.observe({ route }, seconds)
      if (bytes > 0) m.daBytes.inc({ route }, bytes)
    },
  }
}
