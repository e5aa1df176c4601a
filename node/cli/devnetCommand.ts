import { mkdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { CommandSpec } from '../../config/cli.ts'
import { defaultDeployConfig } from '../../config/deployConfig.ts'
import { createLogger, LOG_LEVELS, type LogLevel } from '../../config/logger.ts'
import { writeJsonAtomic } from '../atomicFile.ts'
import { chainFilesExist, DEVNET_KEYS, startTopology } from '../dev/devnetTopology.ts'
import { startAnvil } from '../l1/anvil.ts'
import { deployDevChain } from '../l1/deploy/deployDevChain.ts'
import { waitForSignal } from './nodeCommand.ts'

// The one-command local chain: a real anvil L1 with the OP Stack contracts deployed (OPEN as the gas token),
// the local DA server, a sequencer node (sequencer + batcher + proposer) and a verifier node deriving from L1 +
// DA, each its own process on loopback. Writes .devnet/ (genesis-l2.json, rollup.json, addresses.json,
// endpoints.json once everything listens, logs/); a second run resumes it unless --fresh.

export const devnetCommand: CommandSpec = {
  name: 'devnet',
  summary:
    'Start a local OP Stack devnet on loopback: anvil L1 + contracts, DA server, sequencer and verifier nodes; writes .devnet/',
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
    { name: 'rpc.port', type: 'int', description: 'sequencer L2 JSON-RPC port (0 = any free port)', default: 9545 },
    { name: 'verifier.rpc.port', type: 'int', description: 'verifier L2 JSON-RPC port (0 = any)', default: 0 },
    {
      name: 'batcher.da',
      type: 'enum',
      choices: ['altda', 'calldata', 'blobs'],
      description: 'where the batcher posts: the DA server (EigenDA API) with calldata failover, calldata or blobs',
      default: 'altda',
    },
    {
      name: 'metrics.port',
      type: 'int',
      description: 'Prometheus /metrics port of the sequencer (0 = any free port)',
      default: 0,
    },
    { name: 'log.level', type: 'enum', choices: LOG_LEVELS, description: 'log level of the nodes', default: 'info' },
  ],
  async run(v) {
    const log = createLogger({ level: v['log.level'] as LogLevel, name: 'devnet' })
    const dir = resolve(v.dir as string)
    if (v.fresh) rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    const resume = chainFilesExist(dir)
    const cfg = defaultDeployConfig()
    if ((v['l1.block-time'] as number) < cfg.l2BlockTime) {
      // the L1 origin advances at most one L1 block per L2 block (op-node's rule), so it would fall ever further
      // behind L1 and deposits would take longer and longer, until the sequencer drift limit stops the chain
      log.warn(
        { l1BlockTime: v['l1.block-time'], l2BlockTime: cfg.l2BlockTime },
        'L1 blocks faster than L2 blocks: the sequencer will fall behind L1; use --l1.block-time >= the L2 block time',
      )
    }
    const anvil = await startAnvil(
      [
        '--chain-id',
        String(cfg.l1ChainID),
        // safe/finalized follow the head closely, so L2 finality is quick on the devnet
        '--slots-in-an-epoch',
        '1',
        '--state',
        join(dir, 'anvil-state.json'),
      ],
      v['l1.port'] as number,
    )
    let stopTopology: (() => Promise<void>) | undefined
    try {
      // the deployment runs on automine (fast, and no tx waits for an interval block); then L1 gets its block time
      if (!resume) {
        const files = await deployDevChain({
          l1Rpc: anvil.url,
          deployerKey: DEVNET_KEYS.deployer,
          deployConfig: cfg,
          outDir: dir,
          gasToken: 'open',
        })
        log.info({ dir, l1: files.startBlock.number, token: files.addresses.GasPayingToken }, 'Deployed a new devnet')
      } else {
        log.info({ dir }, 'Resuming the devnet')
      }
      await anvil.rpc('evm_setIntervalMining', [v['l1.block-time'] as number])
      const topo = await startTopology({
        dir,
        l1Url: anvil.url,
        batcherDA: v['batcher.da'] as 'altda' | 'calldata' | 'blobs',
        sequencerRpcPort: v['rpc.port'] as number,
        verifierRpcPort: v['verifier.rpc.port'] as number,
        metricsPort: v['metrics.port'] as number,
        logLevel: v['log.level'] as string,
        log,
      })
      stopTopology = topo.stop
      // tools poll for this file: it is written once everything listens, and never half-written
      writeJsonAtomic(join(dir, 'endpoints.json'), topo.endpoints)
      const e = topo.endpoints
      console.log(
        [
          'devnet running (Ctrl-C to stop)',
          `  L1 (anvil):        ${e.l1}   beacon ${e.l1Beacon}`,
          `  DA server:         ${e.da}`,
          `  sequencer L2 RPC:  ${e.sequencer.l2}  (ws ${e.sequencer.ws})   rollup RPC ${e.sequencer.rollup}`,
          `  verifier L2 RPC:   ${e.verifier.l2}   rollup RPC ${e.verifier.rollup}`,
          `  metrics:           ${e.sequencer.metrics ?? '-'}`,
          `  files and logs:    ${dir}`,
        ].join('\n'),
      )
      const exited = topo.children.map((c) =>
        c.exited.then((code) => {
          throw new Error(`${c.name} exited unexpectedly (code ${code}); see ${join(dir, 'logs', `${c.name}.log`)}`)
        }),
      )
      for (const p of exited) p.catch(() => {}) // children also exit when we stop them
      await Promise.race([waitForSignal(), ...exited]).catch((err: Error) => {
        log.error({ err }, 'A devnet process died; stopping the devnet')
        process.exitCode = 1
      })
      log.info('Stopping the devnet')
    } finally {
      await stopTopology?.()
      await anvil.stop()
    }
  },
}
