import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError } from '../../../config/errors.ts'
import { parseRollupConfig } from '../../../config/rollupConfig.ts'
import { deployCommand } from '../../../node/cli/deployCommand.ts'
import { type Anvil, startAnvil } from '../../../node/l1/anvil.ts'

// `oln deploy l1` end to end on a real anvil: the three files it writes agree with each other and the chain.

const bin = new URL('../../../bin/oln.js', import.meta.url).pathname
const DEPLOYER_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'

let anvil: Anvil
let dir: string
beforeAll(async () => {
  anvil = await startAnvil(['--chain-id', '900'])
  dir = mkdtempSync(join(tmpdir(), 'oln-deploy-cli-'))
  writeFileSync(join(dir, 'deploy.json'), JSON.stringify({ l2OutputOracleSubmissionInterval: 20 }))
})
afterAll(async () => {
  await anvil?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('oln deploy l1', () => {
  it('writes addresses.json, rollup.json and genesis-l2.json for an OPEN chain', async () => {
    const out = execFileSync(
      process.execPath,
      [
        bin,
        'deploy',
        'l1',
        '--l1.rpc',
        anvil.url,
        '--deployer.key',
        DEPLOYER_KEY,
        '--deploy-config',
        join(dir, 'deploy.json'),
        '--out',
        join(dir, 'out'),
        '--gas-token',
        'open',
      ],
      { encoding: 'utf8' },
    )
    const summary = JSON.parse(out.trim().split('\n').pop() as string)
    const addresses = JSON.parse(readFileSync(join(dir, 'out', 'addresses.json'), 'utf8'))
    const rollup = parseRollupConfig(JSON.parse(readFileSync(join(dir, 'out', 'rollup.json'), 'utf8')))
    expect(rollup.deposit_contract_address).toBe(addresses.OptimismPortalProxy)
    expect(rollup.l1_system_config_address).toBe(addresses.SystemConfigProxy)
    expect(rollup.genesis.l1.number).toBe(summary.l1StartBlock)
    expect(rollup.genesis.l2.hash).toBe(summary.l2GenesisHash)
    expect(summary.gasPayingToken).toBe(addresses.GasPayingToken)
    const block = await anvil.rpc<{ hash: string }>('eth_getBlockByNumber', [
      `0x${summary.l1StartBlock.toString(16)}`,
      false,
    ])
    expect(rollup.genesis.l1.hash).toBe(block.hash)
    const genesis = JSON.parse(readFileSync(join(dir, 'out', 'genesis-l2.json'), 'utf8'))
    expect(genesis.config.chainId).toBe(901)
  })

  it('rejects a malformed deployer key with a ConfigError naming the flag (exit code 2 in main)', async () => {
    const err = await Promise.resolve()
      .then(() =>
        deployCommand.run({ 'l1.rpc': anvil.url, 'deployer.key': '0x12', 'deploy-config': 'x.json', out: dir }, ['l1']),
      )
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as ConfigError).field).toBe('deployer.key')
  })
})
