import type { CommandSpec } from '../../config/cli.ts'
import { createLogger, LOG_LEVELS, type LogLevel } from '../../config/logger.ts'
import { startNode } from '../nodeMain.ts'

export const nodeCommand: CommandSpec = {
  name: 'node',
  summary:
    'Run the L2 node: embedded engine, tx pool and L2 JSON-RPC (optionally producing blocks as a single-node chain)',
  flags: [
    { name: 'datadir', type: 'path', description: 'database directory', default: './.oln' },
    { name: 'genesis', type: 'path', description: 'genesis-l2.json (op-geth format)', required: true },
    { name: 'rollup', type: 'path', description: 'rollup.json (op-node format)', required: true },
    { name: 'rpc.addr', type: 'string', description: 'L2 JSON-RPC listen address', default: '127.0.0.1' },
    { name: 'rpc.port', type: 'int', description: 'L2 JSON-RPC port (HTTP and WebSocket)', default: 8545 },
    { name: 'rpc.cors', type: 'list', description: 'allowed CORS origins (comma separated, * for any)', default: [] },
    {
      name: 'sequencer.l1-rpc',
      type: 'url',
      description: 'produce blocks locally, taking L1 origins from this L1 RPC',
    },
    { name: 'log.level', type: 'enum', choices: LOG_LEVELS, description: 'log level', default: 'info' },
  ],
  async run(v) {
    const log = createLogger({ level: v['log.level'] as LogLevel, name: 'oln' })
    const node = await startNode({
      datadir: v.datadir as string,
      genesisPath: v.genesis as string,
      rollupPath: v.rollup as string,
      rpcHost: v['rpc.addr'] as string,
      rpcPort: v['rpc.port'] as number,
      corsOrigins: v['rpc.cors'] as string[],
      sequencerL1Rpc: v['sequencer.l1-rpc'] as string | undefined,
      metricsPort: v['metrics.port'] as number | undefined,
      log,
    })
    await waitForSignal()
    log.info('Shutting down')
    await node.stop()
  },
}

export function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done)
      process.off('SIGTERM', done)
      resolve()
    }
    process.on('SIGINT', done)
    process.on('SIGTERM', done)
  })
}
