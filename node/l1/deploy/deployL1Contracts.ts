import { type Abi, type Address, encodeFunctionData, type Hex } from 'viem'
import type { DeployConfig } from '../../../config/deployConfig.ts'
import { ConfigError } from '../../../config/errors.ts'
import { loadArtifact } from '../../genesis/artifacts.ts'
import { DEV_ACCOUNTS } from '../../genesis/l2GenesisBuilder.ts'
import type { L1StartBlock } from '../../genesis/rollupConfigBuilder.ts'
import { TxSender } from './txSender.ts'

// Deploys the OP Stack L1 contracts of contracts-bedrock 0.17.3 in Deploy.s.sol's order and with its
// initializer arguments (permissioned outputs: OptimismPortal + L2OutputOracle, no fault proofs):
// AddressManager, ProxyAdmin, SuperchainConfig, the proxies, the implementations, then the initializers,
// OptimismPortal first because SystemConfig.initialize pushes the gas paying token into it.

/** 'open': deploy an OPEN OptimismMintableERC20 (deployer = bridge, so it mints); 'eth': standard chain. */
export type GasTokenChoice = 'open' | 'eth' | Address

export interface DeployL1Options {
  l1Rpc: string
  deployerKey: Hex
  deployConfig: DeployConfig
  /** Default: the config's custom gas token when useCustomGasToken, else 'eth'. */
  gasToken?: GasTokenChoice
  /** OPEN minted to each of anvil's first 10 accounts when gasToken = 'open' (default 1,000,000 OPEN). */
  openMintPerAccount?: bigint
}

/** addresses.json, op deployments format (contract name -> address). */
export interface L1Addresses {
  AddressManager: Address
  ProxyAdmin: Address
  SuperchainConfig: Address
  SuperchainConfigProxy: Address
  OptimismPortal: Address
  OptimismPortalProxy: Address
  L2OutputOracle: Address
  L2OutputOracleProxy: Address
  SystemConfig: Address
  SystemConfigProxy: Address
  L1CrossDomainMessenger: Address
  L1CrossDomainMessengerProxy: Address
  L1StandardBridge: Address
  L1StandardBridgeProxy: Address
  L1ERC721Bridge: Address
  L1ERC721BridgeProxy: Address
  OptimismMintableERC20Factory: Address
  OptimismMintableERC20FactoryProxy: Address
  /** The custom gas token (OPEN), absent on a standard (ETH) chain. */
  GasPayingToken?: Address
}

export interface L1Deployment {
  addresses: L1Addresses
  /** The block at which SystemConfig was initialized (its startBlock): the rollup's L1 genesis. */
  startBlock: L1StartBlock
  /** `deployConfig` with the gas token actually used written in (useCustomGasToken, customGasTokenAddress). */
  deployConfig: DeployConfig
}

const ZERO: Address = '0x0000000000000000000000000000000000000000'
const PROXY_TYPE_CHUGSPLASH = 1
const PROXY_TYPE_RESOLVED = 2
const L1CDM_NAME = 'OVM_L1CrossDomainMessenger'
/** Constants.DEFAULT_RESOURCE_CONFIG of contracts-bedrock. */
export const DEFAULT_RESOURCE_CONFIG = {
  maxResourceLimit: 20_000_000,
  elasticityMultiplier: 10,
  baseFeeMaxChangeDenominator: 8,
  minimumBaseFee: 1_000_000_000,
  systemTxMaxGas: 1_000_000,
  maximumBaseFee: (1n << 128n) - 1n,
} as const

const abi = (name: string) => loadArtifact(name).abi as Abi

export function batcherHash(batcher: Address): Hex {
  return `0x${'00'.repeat(12)}${batcher.slice(2).toLowerCase()}` as Hex
}

function resolveGasToken(cfg: DeployConfig, choice: GasTokenChoice | undefined): GasTokenChoice {
  if (choice !== undefined) return choice
  return cfg.useCustomGasToken ? cfg.customGasTokenAddress : 'eth'
}

export async function deployL1Contracts(opts: DeployL1Options): Promise<L1Deployment> {
  const cfg = opts.deployConfig
  const tx = await TxSender.open(opts.l1Rpc, opts.deployerKey)
  const chainId = await tx.client.getChainId()
  if (chainId !== cfg.l1ChainID)
    throw new ConfigError('l1ChainID', `the L1 RPC serves chain ${chainId}, the deploy config says ${cfg.l1ChainID}`)
  const me = tx.address

  // Superchain-level: AddressManager (owned by ProxyAdmin, for the legacy ResolvedDelegateProxy), ProxyAdmin.
  const addressManager = await tx.deploy(loadArtifact('AddressManager'))
  const proxyAdmin = await tx.deploy(loadArtifact('ProxyAdmin'), [me])
  await tx.call(proxyAdmin, abi('ProxyAdmin'), 'setAddressManager', [addressManager])
  await tx.call(addressManager, abi('AddressManager'), 'transferOwnership', [proxyAdmin])

  const proxy = () => tx.deploy(loadArtifact('Proxy'), [proxyAdmin])
  const superchainConfigProxy = await proxy()
  const superchainConfig = await tx.deploy(loadArtifact('SuperchainConfig'))
  await upgradeAndCall(superchainConfigProxy, superchainConfig, 'SuperchainConfig', 'initialize', [
    cfg.superchainConfigGuardian,
    false,
  ])

  // Chain proxies (Deploy.s.sol deployProxies).
  const portalProxy = await proxy()
  const l2ooProxy = await proxy()
  const factoryProxy = await proxy()
  const l1cdmProxy = await tx.deploy(loadArtifact('ResolvedDelegateProxy'), [addressManager, L1CDM_NAME])
  await tx.call(proxyAdmin, abi('ProxyAdmin'), 'setProxyType', [l1cdmProxy, PROXY_TYPE_RESOLVED])
  await tx.call(proxyAdmin, abi('ProxyAdmin'), 'setImplementationName', [l1cdmProxy, L1CDM_NAME])
  const l1sbProxy = await tx.deploy(loadArtifact('L1ChugSplashProxy'), [proxyAdmin])
  await tx.call(proxyAdmin, abi('ProxyAdmin'), 'setProxyType', [l1sbProxy, PROXY_TYPE_CHUGSPLASH])
  const l1erc721Proxy = await proxy()
  const systemConfigProxy = await proxy()

  // Implementations.
  const portal = await tx.deploy(loadArtifact('OptimismPortal'))
  const l2oo = await tx.deploy(loadArtifact('L2OutputOracle'))
  const systemConfig = await tx.deploy(loadArtifact('SystemConfig'))
  const l1cdm = await tx.deploy(loadArtifact('L1CrossDomainMessenger'))
  const l1sb = await tx.deploy(loadArtifact('L1StandardBridge'))
  const l1erc721 = await tx.deploy(loadArtifact('L1ERC721Bridge'))
  const factory = await tx.deploy(loadArtifact('OptimismMintableERC20Factory'))

  // Gas paying token.
  const choice = resolveGasToken(cfg, opts.gasToken)
  let gasToken: Address | undefined
  if (choice === 'open') {
    gasToken = await tx.deploy(loadArtifact('OptimismMintableERC20'), [
      me,
      ZERO,
      cfg.customGasTokenName,
      cfg.customGasTokenSymbol,
      18,
    ])
    const amount = opts.openMintPerAccount ?? 1_000_000n * 10n ** 18n
    for (const a of DEV_ACCOUNTS.slice(0, 10))
      await tx.call(gasToken, abi('OptimismMintableERC20'), 'mint', [a, amount], `mint OPEN to ${a}`)
  } else if (choice !== 'eth') {
    gasToken = choice
  }

  // Initializers (Deploy.s.sol initializeImplementations order).
  await upgradeAndCall(portalProxy, portal, 'OptimismPortal', 'initialize', [
    l2ooProxy,
    systemConfigProxy,
    superchainConfigProxy,
  ])
  await upgradeAndCall(systemConfigProxy, systemConfig, 'SystemConfig', 'initialize', [
    cfg.finalSystemOwner,
    cfg.gasPriceOracleBaseFeeScalar,
    cfg.gasPriceOracleBlobBaseFeeScalar,
    batcherHash(cfg.batchSenderAddress),
    BigInt(cfg.l2GenesisBlockGasLimit),
    cfg.p2pSequencerAddress,
    DEFAULT_RESOURCE_CONFIG,
    cfg.batchInboxAddress,
    {
      l1CrossDomainMessenger: l1cdmProxy,
      l1ERC721Bridge: l1erc721Proxy,
      l1StandardBridge: l1sbProxy,
      disputeGameFactory: ZERO,
      optimismPortal: portalProxy,
      optimismMintableERC20Factory: factoryProxy,
      gasPayingToken: gasToken ?? ZERO,
    },
  ])
  // Everything so far is mined (anvil automines); the SystemConfig initializer's block is the L1 start.
  const receipts = await tx.flush()
  const init = receipts[receipts.length - 1] as { blockNumber: bigint; blockHash: Hex }
  const startHeader = await tx.client.getBlock({ blockHash: init.blockHash })
  const startBlock: L1StartBlock = {
    hash: init.blockHash,
    number: Number(init.blockNumber),
    timestamp: Number(startHeader.timestamp),
  }

  await upgradeAndCall(l1sbProxy, l1sb, 'L1StandardBridge', 'initialize', [
    l1cdmProxy,
    superchainConfigProxy,
    systemConfigProxy,
  ])
  await upgradeAndCall(l1erc721Proxy, l1erc721, 'L1ERC721Bridge', 'initialize', [l1cdmProxy, superchainConfigProxy])
  await upgradeAndCall(factoryProxy, factory, 'OptimismMintableERC20Factory', 'initialize', [l1sbProxy])
  await upgradeAndCall(l1cdmProxy, l1cdm, 'L1CrossDomainMessenger', 'initialize', [
    superchainConfigProxy,
    portalProxy,
    systemConfigProxy,
  ])
  // L2 genesis time = the L1 start block's timestamp, so the oracle's starting timestamp is that too.
  await upgradeAndCall(l2ooProxy, l2oo, 'L2OutputOracle', 'initialize', [
    BigInt(cfg.l2OutputOracleSubmissionInterval),
    BigInt(cfg.l2BlockTime),
    BigInt(cfg.l2OutputOracleStartingBlockNumber),
    BigInt(startBlock.timestamp),
    cfg.l2OutputOracleProposer,
    cfg.l2OutputOracleChallenger,
    BigInt(cfg.finalizationPeriodSeconds),
  ])
  if (cfg.proxyAdminOwner.toLowerCase() !== me.toLowerCase())
    await tx.call(proxyAdmin, abi('ProxyAdmin'), 'transferOwnership', [cfg.proxyAdminOwner])
  await tx.flush()

  const addresses: L1Addresses = {
    AddressManager: addressManager,
    ProxyAdmin: proxyAdmin,
    SuperchainConfig: superchainConfig,
    SuperchainConfigProxy: superchainConfigProxy,
    OptimismPortal: portal,
    OptimismPortalProxy: portalProxy,
    L2OutputOracle: l2oo,
    L2OutputOracleProxy: l2ooProxy,
    SystemConfig: systemConfig,
    SystemConfigProxy: systemConfigProxy,
    L1CrossDomainMessenger: l1cdm,
    L1CrossDomainMessengerProxy: l1cdmProxy,
    L1StandardBridge: l1sb,
    L1StandardBridgeProxy: l1sbProxy,
    L1ERC721Bridge: l1erc721,
    L1ERC721BridgeProxy: l1erc721Proxy,
    OptimismMintableERC20Factory: factory,
    OptimismMintableERC20FactoryProxy: factoryProxy,
    ...(gasToken ? { GasPayingToken: gasToken } : {}),
  }
  const deployConfig: DeployConfig = gasToken
    ? { ...cfg, useCustomGasToken: true, customGasTokenAddress: gasToken }
    : { ...cfg, useCustomGasToken: false }
  return { addresses, startBlock, deployConfig }

  async function upgradeAndCall(p: Address, impl: Address, name: string, fn: string, args: readonly unknown[]) {
    const data = encodeFunctionData({ abi: abi(name), functionName: fn, args: args as unknown[] })
    await tx.call(proxyAdmin, abi('ProxyAdmin'), 'upgradeAndCall', [p, impl, data], `initialize ${name}`)
  }
}
