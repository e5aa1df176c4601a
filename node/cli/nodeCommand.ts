import type { CommandSpec } from '../../config/cli.ts'
import { createLogger, type LogLevel } from '../../config/logger.ts'
import { startNode } from '../nodeMain.ts'
import { NODE_FLAGS, nodeOptionsFromFlags } from './nodeFlags.ts'

export const nodeCommand: CommandSpec = {
  name: 'node',
  summary:
    'Run the L2 node: engine, tx pool and L2 JSON-RPC; with --l1.rpc it derives the chain from L1 (verifier), and --sequencer, --batcher.key, --proposer.key, --p2p.port add those roles',
  flags: NODE_FLAGS,
  async run(v) {
    const log = createLogger({ level: v['log.level'] as LogLevel, name: 'oln' })
    const node = await startNode({ ...nodeOptionsFromFlags(v), log })
    // one machine-readable line for scripts and the devnet (which start nodes on port 0)
    console.log(
      `oln node ready ${JSON.stringify({
        l2: node.rpcUrl,
        ws: node.wsUrl,
        rollup: node.rollupRpcUrl,
        metrics: node.metricsUrl,
        p2p: node.p2pAddrs,
      })}`,
    )
    let failed: unknown
    await Promise.race([waitForSignal(), node.fatal.catch((err) => (failed = err))])
    log.info('Shutting down')
    await node.stop()
    if (failed) process.exitCode = 1
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
