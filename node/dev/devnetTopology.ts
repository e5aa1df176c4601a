import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Logger } from '../../config/logger.ts'
import { type RunningChild, startChild } from './childProcess.ts'

// The devnet's processes after L1 is up and the chain files exist: the DA server, a sequencer node (with batcher
// and proposer) and a verifier node, each its own OS process started through `bin/oln.js`, in that order (the
// verifier dials the sequencer's P2P address). Stopped in reverse order.

/** anvil's default-mnemonic keys the devnet roles use (its deploy config names the matching addresses). */
export const DEVNET_KEYS = {
  deployer: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  batcher: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  sequencer: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  proposer: '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
} as const

/** What `oln node` prints on stdout once every server of it listens. */
export const NODE_READY_LINE = /^oln node ready (\{.*\})$/

export interface NodeEndpoints {
  l2: string
  ws: string
  rollup?: string
  metrics?: string
  p2p?: string[]
}

export interface DevnetEndpoints {
  l1: string
  l1Beacon: string
  da: string
  sequencer: { l2: string; rollup: string; ws: string; metrics?: string }
  verifier: { l2: string; rollup: string; ws: string }
}

export interface TopologyOptions {
  dir: string
  l1Url: string
  batcherDA: 'calldata' | 'blobs' | 'altda'
  sequencerRpcPort: number
  verifierRpcPort: number
  metricsPort: number
  logLevel: string
  log: Logger
}

const OLN_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/oln.js')

function oln(name: string, dir: string, args: string[], ready: RegExp, env: NodeJS.ProcessEnv = {}) {
  return startChild({
    name,
    command: process.execPath,
    args: [OLN_BIN, ...args],
    env,
    ready,
    logFile: join(dir, 'logs', `${name}.log`),
    readyTimeoutMs: 120_000,
  })
}

export interface RunningTopology {
  endpoints: DevnetEndpoints
  children: RunningChild[]
  stop(): Promise<void>
}

export async function startTopology(o: TopologyOptions): Promise<RunningTopology> {
  const children: RunningChild[] = []
  const stop = async () => {
    for (const c of children.reverse()) await c.stop().catch((err) => o.log.error({ err }, `stopping ${c.name} failed`))
  }
  try {
    const da = await oln(
      'da-server',
      o.dir,
      ['da-server', '--dir', join(o.dir, 'da'), '--port', '0', '--log.level', o.logLevel],
      /^da-server listening on (\S+)$/,
    )
    children.push(da)
    const daUrl = da.match[1] as string
    const chain = (f: string) => join(o.dir, f)
    const common = (name: string, rpcPort: number) => [
      'node',
      `--datadir=${join(o.dir, name)}`,
      `--genesis=${chain('genesis-l2.json')}`,
      `--rollup=${chain('rollup.json')}`,
      `--l1.addresses=${chain('addresses.json')}`,
      `--rpc.port=${rpcPort}`,
      '--rpc.cors=*',
      '--rollup-rpc.port=0',
      `--l1.rpc=${o.l1Url}`,
      `--l1.beacon=${o.l1Url}`,
      '--l1.poll-interval=1s',
      `--altda.url=${daUrl}`,
      '--p2p.port=0',
      `--log.level=${o.logLevel}`,
    ]
    const seq = await oln(
      'sequencer',
      o.dir,
      [
        ...common('sequencer', o.sequencerRpcPort),
        '--sequencer',
        '--sequencer.l1-confs=0',
        `--batcher.da=${o.batcherDA}`,
        `--metrics.port=${o.metricsPort}`,
      ],
      NODE_READY_LINE,
      {
        OLN_SEQUENCER_KEY: DEVNET_KEYS.sequencer,
        OLN_BATCHER_KEY: DEVNET_KEYS.batcher,
        OLN_PROPOSER_KEY: DEVNET_KEYS.proposer,
      },
    )
    children.push(seq)
    const seqEp = JSON.parse(seq.match[1] as string) as NodeEndpoints
    const ver = await oln(
      'verifier',
      o.dir,
      [...common('verifier', o.verifierRpcPort), `--p2p.peers=${(seqEp.p2p ?? []).join(',')}`],
      NODE_READY_LINE,
    )
    children.push(ver)
    const verEp = JSON.parse(ver.match[1] as string) as NodeEndpoints
    const endpoints: DevnetEndpoints = {
      l1: o.l1Url,
      l1Beacon: o.l1Url,
      da: daUrl,
      sequencer: {
        l2: seqEp.l2,
        rollup: seqEp.rollup ?? seqEp.l2,
        ws: seqEp.ws,
        ...(seqEp.metrics ? { metrics: seqEp.metrics } : {}),
      },
      verifier: { l2: verEp.l2, rollup: verEp.rollup ?? verEp.l2, ws: verEp.ws },
    }
    return { endpoints, children, stop }
  } catch (err) {
    await stop()
    throw err
  }
}

export function chainFilesExist(dir: string): boolean {
  return ['genesis-l2.json', 'rollup.json', 'addresses.json', 'anvil-state.json'].every((f) => existsSync(join(dir, f)))
}
