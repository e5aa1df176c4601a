import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { CommandSpec } from '../../config/cli.ts'
import { defaultDeployConfig } from '../../config/deployConfig.ts'
import { createLogger, LOG_LEVELS, type LogLevel } from '../../config/logger.ts'
import { buildGenesis } from '../engine/genesis.ts'
import { MemoryStateStore } from '../engine/state/memoryStateStore.ts'
import { genesisToJson } from '../genesis/genesisJson.ts'
import { buildL2Genesis, chainSpecFromDeployConfig } from '../genesis/l2GenesisBuilder.ts'
import { buildRollupConfig } from '../genesis/rollupConfigBuilder.ts'
import { startAnvil } from '../l1/anvil.ts'
import { startNode } from '../nodeMain.ts'
import { waitForSignal } from './nodeCommand.ts'

// The one-command local chain. Today: a real anvil L1 plus a single sequencing node (L2 blocks every
// block_time with real L1 origins, JSON-RPC for users). The L1 contract deployment, batcher, proposer, DA server
// and verifier join this topology with the sequencer/devnet issue.

/** Writes JSON through a temporary file and a rename, so a reader or a killed run never sees a partial file. */
function writeJsonAtomic(path: string, data: unknown): void {
  writeFileSync(`${path}.tmp`, `${JSON.stringify(data, null, 2)}\n`)
  renameSync(`${path}.tmp`, path)
}

export const devnetCommand: CommandSpec = {
  name: 'devnet',
  summary:
    'Start a local chain on loopback: anvil L1 + a sequencing L2 node; writes .devnet/ (genesis, rollup, endpoints)',
  flags: [
    { name: 'dir', type: 'path', description: 'devnet directory', default: '.devnet' },
    {
      name: 'fresh',
      type: 'bool',
      description: 'delete the devnet directory and start a new chain (default: resume it)',
      default: false,
    },
    { name: 'l1.port', type: 'int', description: 'anvil port (0 = any free port)', default: 0 },
    { name: 'l1.block-time', type: 'int', description: 'anvil block time in seconds', default: 2 },
    { name: 'rpc.port', type: 'int', description: 'L2 JSON-RPC port (0 = any free port)', default: 9545 },
    {
      name: 'metrics.port',
      type: 'int',
      description: 'Prometheus /metrics port of the sequencer (0 = any free port)',
      default: 0,
    },
    { name: 'log.level', type: 'enum', choices: LOG_LEVELS, description: 'log level', default: 'info' },
  ],
  async run(v) {
    const log = createLogger({ level: v['log.level'] as LogLevel, name: 'devnet' })
    const dir = resolve(v.dir as string)
    if (v.fresh) rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    const genesisPath = join(dir, 'genesis-l2.json')
    const rollupPath = join(dir, 'rollup.json')
    const resume = existsSync(genesisPath) && existsSync(rollupPath) && existsSync(join(dir, 'anvil-state.json'))
    const cfg = defaultDeployConfig()
    const anvil = await startAnvil(
      [
        '--chain-id',
        String(cfg.l1ChainID),
        '--block-time',
        String(v['l1.block-time']),
        '--state',
        join(dir, 'anvil-state.json'),
      ],
      v['l1.port'] as number,
    )
    let stopNode: (() => Promise<void>) | undefined
    try {
      if (!resume) {
        const latest = await anvil.rpc<{ hash: string; number: string; timestamp: string }>('eth_getBlockByNumber', [
          'latest',
          false,
        ])
        const l1 = {
          hash: latest.hash,
          number: Number(BigInt(latest.number)),
          timestamp: Number(BigInt(latest.timestamp)),
        }
        const genesis = await buildL2Genesis(cfg, BigInt(l1.timestamp))
        const spec = chainSpecFromDeployConfig(cfg, BigInt(l1.timestamp))
        const { block } = await buildGenesis(spec, genesis, new MemoryStateStore())
        const zero = `0x${'00'.repeat(20)}`
        const rollup = buildRollupConfig(cfg, l1, `0x${Buffer.from(block.hash).toString('hex')}`, l1.timestamp, {
          OptimismPortalProxy: zero,
          SystemConfigProxy: zero,
        })
        writeJsonAtomic(genesisPath, genesisToJson(genesis, spec))
        writeJsonAtomic(rollupPath, rollup)
        log.info({ dir, l1: l1.number }, 'Wrote a new devnet genesis')
      } else {
        log.info({ dir }, 'Resuming the devnet')
      }
      const node = await startNode({
        datadir: join(dir, 'sequencer'),
        genesisPath,
        rollupPath,
        rpcHost: '127.0.0.1',
        rpcPort: v['rpc.port'] as number,
        corsOrigins: ['*'],
        sequencerL1Rpc: anvil.url,
        metricsPort: v['metrics.port'] as number,
        log: log.child({ module: 'sequencer' }),
      })
      stopNode = node.stop
      const endpoints = { l1: anvil.url, sequencer: { l2: node.rpcUrl, l2ws: node.wsUrl, metrics: node.metricsUrl } }
      // tools poll for this file: it must never be seen half-written
      writeJsonAtomic(join(dir, 'endpoints.json'), endpoints)
      console.log(
        `devnet running (Ctrl-C to stop)\n  L1 (anvil):      ${anvil.url}\n  L2 sequencer:    ${node.rpcUrl}  (ws ${node.wsUrl})\n  metrics:         ${node.metricsUrl}\n  files:           ${dir}`,
      )
      await waitForSignal()
      log.info('Stopping the devnet')
    } finally {
      await stopNode?.()
      await anvil.stop()
    }
  },
}
