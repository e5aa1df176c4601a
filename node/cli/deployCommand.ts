import { readFileSync } from 'node:fs'
import type { Hex } from 'viem'
import type { CommandSpec } from '../../config/cli.ts'
import { parseDeployConfig } from '../../config/deployConfig.ts'
import { ConfigError } from '../../config/errors.ts'
import { deployDevChain } from '../l1/deploy/deployDevChain.ts'
import type { GasTokenChoice } from '../l1/deploy/deployL1Contracts.ts'

// `oln deploy l1`: deploys the OP Stack L1 contracts (contracts-bedrock 0.17.3) and writes addresses.json,
// genesis-l2.json and rollup.json into --out, anchored at the block SystemConfig was initialized in.

function gasToken(v: string | undefined): GasTokenChoice | undefined {
  if (v === undefined) return undefined
  if (v === 'open' || v === 'eth') return v
  if (/^0x[0-9a-fA-F]{40}$/.test(v)) return v as Hex
  throw new ConfigError('gas-token', "must be 'open' (deploy OPEN), 'eth' (standard chain) or an ERC-20 address")
}

export const deployCommand: CommandSpec = {
  name: 'deploy',
  args: 'l1',
  summary: 'Deploy the L1 contracts and write addresses.json, genesis-l2.json and rollup.json',
  flags: [
    { name: 'l1.rpc', type: 'url', description: 'L1 JSON-RPC to deploy to', required: true },
    { name: 'deployer.key', type: 'string', description: 'deployer private key (0x + 64 hex)', required: true },
    {
      name: 'deploy-config',
      type: 'path',
      description: 'deploy config JSON (fields over the built-in defaults; default: the devnet defaults)',
    },
    { name: 'out', type: 'path', description: 'directory for the output files', default: '.' },
    {
      name: 'gas-token',
      type: 'string',
      description: "'open' deploys the OPEN token, 'eth' a standard chain, or an ERC-20 address (default: config)",
    },
  ],
  async run(v, positionals) {
    if (positionals[0] !== 'l1') throw new ConfigError('deploy', "usage: oln deploy l1 … (only 'l1' is supported)")
    const key = v['deployer.key'] as string
    if (!/^0x[0-9a-fA-F]{64}$/.test(key)) throw new ConfigError('deployer.key', 'must be 0x followed by 64 hex digits')
    let json: unknown = {}
    if (v['deploy-config'] !== undefined) {
      try {
        json = JSON.parse(readFileSync(v['deploy-config'] as string, 'utf8'))
      } catch (err) {
        throw new ConfigError('deploy-config', `cannot read JSON: ${(err as Error).message}`)
      }
    }
    const choice = gasToken(v['gas-token'] as string | undefined)
    const out = await deployDevChain({
      l1Rpc: v['l1.rpc'] as string,
      deployerKey: key as Hex,
      deployConfig: parseDeployConfig(json),
      outDir: v.out as string,
      ...(choice !== undefined ? { gasToken: choice } : {}),
    })
    console.log(
      JSON.stringify({
        l1StartBlock: out.startBlock.number,
        l2GenesisHash: out.l2GenesisHash,
        gasPayingToken: out.addresses.GasPayingToken ?? null,
        files: out.paths,
      }),
    )
  },
}
