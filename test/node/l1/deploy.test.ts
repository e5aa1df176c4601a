import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Abi, type Address, createPublicClient, type Hex, http, type PublicClient } from 'viem'
import { extractTransactionDepositedLogs, getL2TransactionHash } from 'viem/op-stack'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hexToBytes } from '../../../config/bytes.ts'
import { defaultDeployConfig } from '../../../config/deployConfig.ts'
import { parseRollupConfig } from '../../../config/rollupConfig.ts'
import { decodeDepositLog } from '../../../derivation/protocol/depositLog.ts'
import { depositTxHash } from '../../../derivation/protocol/depositTx.ts'
import { loadArtifact } from '../../../node/genesis/artifacts.ts'
import { checkGenesisMatchesRollup, parseGenesisJson } from '../../../node/genesis/genesisJson.ts'
import { type Anvil, startAnvil } from '../../../node/l1/anvil.ts'
import { type DevChainFiles, deployDevChain } from '../../../node/l1/deploy/deployDevChain.ts'
import { batcherHash, DEFAULT_RESOURCE_CONFIG } from '../../../node/l1/deploy/deployL1Contracts.ts'
import { depositErc20 } from '../../../node/l1/deposits.ts'

// Deploys contracts-bedrock 0.17.3's L1 contracts with the OPEN custom gas token on a real anvil and reads
// every proxy and initialized parameter back; then an OPEN deposit's TransactionDeposited log is decoded by
// derivation's depositLog and its hash checked against viem/op-stack's getL2TransactionHash.

const DEPLOYER_KEY: Hex = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
const USER_KEY: Hex = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a'
const USER: Address = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'
const IMPL_SLOT = '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc'
const ADMIN_SLOT = '0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103'

let anvil: Anvil
let client: PublicClient
let out: DevChainFiles
let dir: string
const abi = (n: string) => loadArtifact(n).abi as Abi
const read = <T>(address: Address, name: string, functionName: string, args: unknown[] = []) =>
  client.readContract({ address, abi: abi(name), functionName, args }) as Promise<T>
const slotAddr = async (a: Address, slot: Hex) =>
  `0x${((await client.getStorageAt({ address: a, slot })) as Hex).slice(26)}`.toLowerCase()

beforeAll(async () => {
  anvil = await startAnvil(['--chain-id', '900'])
  client = createPublicClient({ transport: http(anvil.url) }) as PublicClient
  dir = mkdtempSync(join(tmpdir(), 'oln-deploy-'))
  out = await deployDevChain({
    l1Rpc: anvil.url,
    deployerKey: DEPLOYER_KEY,
    deployConfig: defaultDeployConfig(),
    outDir: dir,
    gasToken: 'open',
  })
}, 60_000)

afterAll(async () => {
  await anvil?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('deployDevChain (OPEN gas token)', () => {
  it('points every ERC-1967 proxy at its implementation, administered by ProxyAdmin', async () => {
    const a = out.addresses
    for (const name of [
      'SuperchainConfig',
      'OptimismPortal',
      'L2OutputOracle',
      'SystemConfig',
      'L1ERC721Bridge',
      'OptimismMintableERC20Factory',
    ] as const) {
      const proxy = a[`${name}Proxy`]
      expect(await slotAddr(proxy, IMPL_SLOT), name).toBe(a[name].toLowerCase())
      expect(await slotAddr(proxy, ADMIN_SLOT), name).toBe(a.ProxyAdmin.toLowerCase())
    }
    // The legacy proxies resolve through ProxyAdmin too.
    for (const name of ['L1StandardBridge', 'L1CrossDomainMessenger'] as const) {
      const impl = await read<Address>(a.ProxyAdmin, 'ProxyAdmin', 'getProxyImplementation', [a[`${name}Proxy`]])
      expect(impl.toLowerCase(), name).toBe(a[name].toLowerCase())
    }
  })

  it('initializes SystemConfig with the deploy config and the OPEN gas paying token', async () => {
    const cfg = out.deployConfig
    const sc = out.addresses.SystemConfigProxy
    const [token, decimals] = await read<[Address, number]>(sc, 'SystemConfig', 'gasPayingToken')
    expect(token).toBe(out.addresses.GasPayingToken)
    expect(decimals).toBe(18)
    expect(await read(sc, 'SystemConfig', 'gasPayingTokenSymbol')).toBe('OPEN')
    expect(await read(sc, 'SystemConfig', 'isCustomGasToken')).toBe(true)
    expect(await read(sc, 'SystemConfig', 'batcherHash')).toBe(batcherHash(cfg.batchSenderAddress))
    expect(await read(sc, 'SystemConfig', 'gasLimit')).toBe(BigInt(cfg.l2GenesisBlockGasLimit))
    expect(await read(sc, 'SystemConfig', 'basefeeScalar')).toBe(cfg.gasPriceOracleBaseFeeScalar)
    expect(await read(sc, 'SystemConfig', 'blobbasefeeScalar')).toBe(cfg.gasPriceOracleBlobBaseFeeScalar)
    expect(await read(sc, 'SystemConfig', 'unsafeBlockSigner')).toBe(cfg.p2pSequencerAddress)
    expect(((await read<Address>(sc, 'SystemConfig', 'batchInbox')) as string).toLowerCase()).toBe(
      cfg.batchInboxAddress.toLowerCase(),
    )
    expect(await read(sc, 'SystemConfig', 'optimismPortal')).toBe(out.addresses.OptimismPortalProxy)
    expect(await read(sc, 'SystemConfig', 'owner')).toBe(cfg.finalSystemOwner)
    expect(await read(sc, 'SystemConfig', 'startBlock')).toBe(BigInt(out.startBlock.number))
    const rc = await read<Record<string, unknown>>(sc, 'SystemConfig', 'resourceConfig')
    expect(rc.maxResourceLimit).toBe(DEFAULT_RESOURCE_CONFIG.maxResourceLimit)
  })

  it('initializes the portal, oracle, messenger, bridges and factory', async () => {
    const a = out.addresses
    const cfg = out.deployConfig
    expect(await read(a.OptimismPortalProxy, 'OptimismPortal', 'l2Oracle')).toBe(a.L2OutputOracleProxy)
    expect(await read(a.OptimismPortalProxy, 'OptimismPortal', 'systemConfig')).toBe(a.SystemConfigProxy)
    expect(await read(a.OptimismPortalProxy, 'OptimismPortal', 'superchainConfig')).toBe(a.SuperchainConfigProxy)
    expect(await read(a.SuperchainConfigProxy, 'SuperchainConfig', 'guardian')).toBe(cfg.superchainConfigGuardian)
    expect(await read(a.SuperchainConfigProxy, 'SuperchainConfig', 'paused')).toBe(false)
    const o = a.L2OutputOracleProxy
    expect(await read(o, 'L2OutputOracle', 'submissionInterval')).toBe(BigInt(cfg.l2OutputOracleSubmissionInterval))
    expect(await read(o, 'L2OutputOracle', 'l2BlockTime')).toBe(BigInt(cfg.l2BlockTime))
    expect(await read(o, 'L2OutputOracle', 'startingTimestamp')).toBe(BigInt(out.startBlock.timestamp))
    expect(await read(o, 'L2OutputOracle', 'proposer')).toBe(cfg.l2OutputOracleProposer)
    expect(await read(o, 'L2OutputOracle', 'challenger')).toBe(cfg.l2OutputOracleChallenger)
    expect(await read(o, 'L2OutputOracle', 'finalizationPeriodSeconds')).toBe(BigInt(cfg.finalizationPeriodSeconds))
    expect(await read(a.L1CrossDomainMessengerProxy, 'L1CrossDomainMessenger', 'portal')).toBe(a.OptimismPortalProxy)
    expect(await read(a.L1StandardBridgeProxy, 'L1StandardBridge', 'messenger')).toBe(a.L1CrossDomainMessengerProxy)
    expect(await read(a.L1ERC721BridgeProxy, 'L1ERC721Bridge', 'messenger')).toBe(a.L1CrossDomainMessengerProxy)
    expect(await read(a.OptimismMintableERC20FactoryProxy, 'OptimismMintableERC20Factory', 'bridge')).toBe(
      a.L1StandardBridgeProxy,
    )
    expect(await read(a.ProxyAdmin, 'ProxyAdmin', 'owner')).toBe(cfg.proxyAdminOwner)
  })

  it('mints OPEN to the dev accounts', async () => {
    const bal = await read<bigint>(out.addresses.GasPayingToken as Address, 'OptimismMintableERC20', 'balanceOf', [
      USER,
    ])
    expect(bal).toBe(1_000_000n * 10n ** 18n)
  })

  it('writes addresses.json, and rollup.json/genesis-l2.json anchored at the SystemConfig initializer block', () => {
    const addrs = JSON.parse(readFileSync(out.paths.addresses, 'utf8'))
    expect(addrs.OptimismPortalProxy).toBe(out.addresses.OptimismPortalProxy)
    const rollup = parseRollupConfig(JSON.parse(readFileSync(out.paths.rollup, 'utf8')))
    expect(rollup.genesis.l1).toEqual({ hash: out.startBlock.hash, number: out.startBlock.number })
    expect(rollup.genesis.l2_time).toBe(out.startBlock.timestamp)
    expect(rollup.deposit_contract_address).toBe(out.addresses.OptimismPortalProxy)
    expect(rollup.l1_system_config_address).toBe(out.addresses.SystemConfigProxy)
    const g = parseGenesisJson(JSON.parse(readFileSync(out.paths.genesis, 'utf8')))
    expect(() => checkGenesisMatchesRollup(g, rollup, hexToBytes(out.l2GenesisHash))).not.toThrow()
    expect(rollup.genesis.l2.hash).toBe(out.l2GenesisHash)
  })

  it('an OPEN deposit emits TransactionDeposited that derivation decodes to viem/op-stack hash', async () => {
    const mint = 5n * 10n ** 18n
    const receipt = await depositErc20({
      l1Rpc: anvil.url,
      key: USER_KEY,
      portal: out.addresses.OptimismPortalProxy,
      token: out.addresses.GasPayingToken as Address,
      to: USER,
      mint,
      value: 10n ** 18n,
      gasLimit: 100_000n,
    })
    const log = receipt.logs.find((l) => l.address.toLowerCase() === out.addresses.OptimismPortalProxy.toLowerCase())
    if (!log) throw new Error('no portal log')
    const tx = decodeDepositLog(
      { topics: log.topics.map((t) => hexToBytes(t)), data: hexToBytes(log.data) },
      hexToBytes(receipt.blockHash),
      log.logIndex,
    )
    expect(tx.mint).toBe(mint)
    expect(tx.value).toBe(10n ** 18n)
    const ours = `0x${Buffer.from(depositTxHash(tx)).toString('hex')}`
    const [viemLog] = extractTransactionDepositedLogs(receipt)
    if (!viemLog) throw new Error('viem found no TransactionDeposited log')
    expect(ours).toBe(getL2TransactionHash({ log: viemLog }))
    // The portal holds the OPEN it will release on withdrawals.
    const held = await read<bigint>(out.addresses.GasPayingToken as Address, 'OptimismMintableERC20', 'balanceOf', [
      out.addresses.OptimismPortalProxy,
    ])
    expect(held).toBe(mint)
  })
})
