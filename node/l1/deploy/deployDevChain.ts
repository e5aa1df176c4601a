import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { createPublicClient, type Hex, http, toHex } from 'viem'
import type { DeployConfig } from '../../../config/deployConfig.ts'
import { keccak256 } from '../../../config/keccak.ts'
import { parseRollupConfig, type RollupConfig } from '../../../config/rollupConfig.ts'
import { writeJsonAtomic } from '../../atomicFile.ts'
import { buildGenesis } from '../../engine/genesis.ts'
import { MemoryStateStore } from '../../engine/state/memoryStateStore.ts'
import { loadPreinstalls } from '../../genesis/artifacts.ts'
import { genesisToJson } from '../../genesis/genesisJson.ts'
import { buildL2Genesis, chainSpecFromDeployConfig } from '../../genesis/l2GenesisBuilder.ts'
import { buildRollupConfig, parseL1Deployments } from '../../genesis/rollupConfigBuilder.ts'
import { deployL1Contracts, type GasTokenChoice, type L1Deployment } from './deployL1Contracts.ts'

// One call for the devnet and `oln deploy l1`: deploy the L1 contracts, then write addresses.json,
// genesis-l2.json (L2 genesis time = the L1 start block's timestamp) and rollup.json (L1 genesis = the block
// at which SystemConfig was initialized), each written atomically.

export interface DeployDevChainOptions {
  l1Rpc: string
  deployerKey: Hex
  deployConfig: DeployConfig
  outDir: string
  gasToken?: GasTokenChoice
  /** Extra L2 genesis balances (e.g. a benchmark's senders), added after the dev accounts. */
  fund?: readonly { address: Uint8Array; balance: bigint }[]
}

export interface DevChainFiles extends L1Deployment {
  rollup: RollupConfig
  l2GenesisHash: Hex
  paths: { addresses: string; genesis: string; rollup: string }
}

/**
 * Multicall3 at its canonical address on a dev L1 that lacks it (anvil): viem's OP Stack L1 actions (waitToProve,
 * getWithdrawalStatus, waitToFinalize) multicall through it. Same code as the L2 preinstall; a no-op where the
 * contract exists (public L1s), and skipped where the L1 has no anvil_setCode.
 */
async function installL1Multicall3(l1Rpc: string, chainId: number): Promise<void> {
  const mc = loadPreinstalls(BigInt(chainId), keccak256).find((p) => p.name === 'MultiCall3')
  if (!mc) return
  const client = createPublicClient({ transport: http(l1Rpc) })
  const address = toHex(mc.address)
  const code = await client.getCode({ address })
  if (code !== undefined && code !== '0x') return
  await client.request({ method: 'anvil_setCode' as never, params: [address, toHex(mc.code)] as never }).catch(() => {})
}

export async function deployDevChain(opts: DeployDevChainOptions): Promise<DevChainFiles> {
  const deployment = await deployL1Contracts({
    l1Rpc: opts.l1Rpc,
    deployerKey: opts.deployerKey,
    deployConfig: opts.deployConfig,
    ...(opts.gasToken !== undefined ? { gasToken: opts.gasToken } : {}),
  })
  const { addresses, startBlock, deployConfig: cfg } = deployment
  await installL1Multicall3(opts.l1Rpc, cfg.l1ChainID)
  const l2Time = startBlock.timestamp
  const genesis = await buildL2Genesis(cfg, BigInt(l2Time), {
    l1CrossDomainMessengerProxy: addresses.L1CrossDomainMessengerProxy,
    l1StandardBridgeProxy: addresses.L1StandardBridgeProxy,
    l1ERC721BridgeProxy: addresses.L1ERC721BridgeProxy,
  })
  for (const f of opts.fund ?? []) {
    const hex = Buffer.from(f.address).toString('hex')
    const existing = genesis.alloc.find((a) => Buffer.from(a.address).toString('hex') === hex)
    if (existing) existing.balance += f.balance
    else genesis.alloc.push({ address: f.address, balance: f.balance })
  }
  const spec = chainSpecFromDeployConfig(cfg, BigInt(l2Time))
  const { block } = await buildGenesis(spec, genesis, new MemoryStateStore())
  const l2GenesisHash = `0x${Buffer.from(block.hash).toString('hex')}` as Hex
  const rollup = parseRollupConfig(
    buildRollupConfig(cfg, startBlock, l2GenesisHash, l2Time, parseL1Deployments(addresses)),
  )
  mkdirSync(opts.outDir, { recursive: true })
  const paths = {
    addresses: join(opts.outDir, 'addresses.json'),
    genesis: join(opts.outDir, 'genesis-l2.json'),
    rollup: join(opts.outDir, 'rollup.json'),
  }
  writeJsonAtomic(paths.addresses, addresses)
  writeJsonAtomic(paths.genesis, genesisToJson(genesis, spec))
  writeJsonAtomic(paths.rollup, rollup)
  return { ...deployment, rollup, l2GenesisHash, paths }
}
