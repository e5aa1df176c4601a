import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { createPublicClient, http } from 'viem'
import type { CommandSpec, FlagValues } from '../../config/cli.ts'
import { parseDeployConfig } from '../../config/deployConfig.ts'
import { ConfigError } from '../../config/errors.ts'
import { parseRollupConfig } from '../../config/rollupConfig.ts'
import { buildGenesis } from '../engine/genesis.ts'
import { MemoryStateStore } from '../engine/state/memoryStateStore.ts'
import { genesisToJson } from '../genesis/genesisJson.ts'
import { buildL2Genesis, chainSpecFromDeployConfig } from '../genesis/l2GenesisBuilder.ts'
import {
  buildRollupConfig,
  type L1Deployments,
  type L1StartBlock,
  parseL1Deployments,
} from '../genesis/rollupConfigBuilder.ts'

function readJson(path: string, field: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new ConfigError(field, `cannot read JSON from ${path}: ${(err as Error).message}`)
  }
}

async function l1StartBlock(v: FlagValues): Promise<L1StartBlock> {
  if (v['l1.rpc']) {
    const client = createPublicClient({ transport: http(v['l1.rpc'] as string) })
    const tag = (v['l1.start-block'] as string | undefined) ?? 'latest'
    const block = tag === 'latest' ? await client.getBlock() : await client.getBlock({ blockNumber: BigInt(tag) })
    return { hash: block.hash as string, number: Number(block.number), timestamp: Number(block.timestamp) }
  }
  const hash = v['l1.start-hash'] as string | undefined
  const number = v['l1.start-number'] as number | undefined
  const timestamp = v['l1.start-timestamp'] as number | undefined
  if (!hash || number === undefined || timestamp === undefined) {
    throw new ConfigError(
      'l1.rpc',
      'give --l1.rpc, or all of --l1.start-hash, --l1.start-number and --l1.start-timestamp',
    )
  }
  if (!/^0x[0-9a-fA-F]{64}$/.test(hash)) throw new ConfigError('l1.start-hash', 'must be a 32-byte 0x hash')
  return { hash, number, timestamp }
}

export const genesisCommand: CommandSpec = {
  name: 'genesis',
  args: 'l2',
  summary:
    'Write genesis-l2.json and rollup.json (op-node format) from a deploy config and contracts-bedrock artifacts',
  flags: [
    {
      name: 'deploy-config',
      type: 'path',
      description: 'deploy config JSON (fields over the built-in defaults)',
      required: true,
    },
    { name: 'l1.rpc', type: 'url', description: 'L1 RPC to read the L1 start block from' },
    { name: 'l1.start-block', type: 'string', description: "L1 start block number or 'latest' (with --l1.rpc)" },
    { name: 'l1.start-hash', type: 'string', description: 'L1 start block hash (without --l1.rpc)' },
    { name: 'l1.start-number', type: 'int', description: 'L1 start block number (without --l1.rpc)' },
    { name: 'l1.start-timestamp', type: 'int', description: 'L1 start block timestamp (without --l1.rpc)' },
    {
      name: 'l1-deployments',
      type: 'path',
      description: 'addresses.json of the L1 deployment (OptimismPortalProxy, SystemConfigProxy, …)',
    },
    { name: 'l2-time', type: 'int', description: 'L2 genesis timestamp (default: the L1 start block timestamp)' },
    { name: 'outfile.l2', type: 'path', description: 'where to write genesis-l2.json', default: 'genesis-l2.json' },
    { name: 'outfile.rollup', type: 'path', description: 'where to write rollup.json', default: 'rollup.json' },
  ],
  async run(v, positionals) {
    if (positionals[0] !== 'l2')
      throw new ConfigError('genesis', "usage: oln genesis l2 --deploy-config <file> … (only 'l2' is supported)")
    const cfg = parseDeployConfig(readJson(v['deploy-config'] as string, 'deploy-config'))
    const l1 = await l1StartBlock(v)
    const deployments: L1Deployments = v['l1-deployments']
      ? parseL1Deployments(readJson(v['l1-deployments'] as string, 'l1-deployments'))
      : { OptimismPortalProxy: `0x${'00'.repeat(20)}`, SystemConfigProxy: `0x${'00'.repeat(20)}` }
    const l2Time = (v['l2-time'] as number | undefined) ?? l1.timestamp
    const zero = `0x${'00'.repeat(20)}`
    const genesis = await buildL2Genesis(cfg, BigInt(l2Time), {
      l1CrossDomainMessengerProxy: deployments.L1CrossDomainMessengerProxy ?? zero,
      l1StandardBridgeProxy: deployments.L1StandardBridgeProxy ?? zero,
      l1ERC721BridgeProxy: deployments.L1ERC721BridgeProxy ?? zero,
    })
    const spec = chainSpecFromDeployConfig(cfg, BigInt(l2Time))
    const { block } = await buildGenesis(spec, genesis, new MemoryStateStore())
    const l2Hash = `0x${Buffer.from(block.hash).toString('hex')}`
    const rollup = parseRollupConfig(buildRollupConfig(cfg, l1, l2Hash, l2Time, deployments))
    for (const [path, data] of [
      [v['outfile.l2'] as string, genesisToJson(genesis, spec)],
      [v['outfile.rollup'] as string, rollup],
    ] as const) {
      mkdirSync(dirname(path), { recursive: true })
      writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`)
    }
    console.log(
      JSON.stringify({
        l2GenesisHash: l2Hash,
        stateRoot: `0x${Buffer.from(block.header.stateRoot).toString('hex')}`,
        l1: l1.number,
        accounts: genesis.alloc.length,
      }),
    )
  },
}
