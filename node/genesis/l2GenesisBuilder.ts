import { createEVM } from '@ethereumjs/evm'
import { Address } from '@ethereumjs/util'
import { type Abi, encodeDeployData, encodeFunctionData } from 'viem'
import type { DeployConfig } from '../../config/deployConfig.ts'
import { keccak256 } from '../../config/keccak.ts'
import {
  CODE_NAMESPACE_PREFIX,
  EIP1967_ADMIN_SLOT,
  EIP1967_IMPLEMENTATION_SLOT,
  L1_INFO_DEPOSITOR,
  PREDEPLOY_NAMESPACE_SIZE,
  PREDEPLOYS,
} from '../../config/protocol/addresses.ts'
import { encodeHoloceneExtraData } from '../../config/protocol/eip1559.ts'
import { type ChainSpec, CommonCache } from '../engine/chainSpec.ts'
import type { GenesisAccount, GenesisState } from '../engine/genesis.ts'
import { EMPTY_TRIE_ROOT } from '../engine/header.ts'
import { KECCAK_EMPTY } from '../engine/state/account.ts'
import { MemoryStateStore } from '../engine/state/memoryStateStore.ts'
import { StateDB } from '../engine/state/stateDB.ts'
import { loadArtifact, loadPreinstalls, preinstallAddress } from './artifacts.ts'

// Builds the L2 genesis state the way contracts-bedrock's L2Genesis.s.sol does, executing the initializers and
// constructors in an in-memory EVM so every storage slot is what the contracts themselves write:
// 1 wei to precompiles 0x00..0xff; Proxy code with the ProxyAdmin as EIP-1967 admin at 0x4200…0000..07ff (not
// WETH, GovernanceToken); implementations at the 0xc0D3… code namespace (constructed with their immutables
// where they have them) and initialised; preinstalls; dev accounts; GasPriceOracle Ecotone/Fjord flags; and,
// for a custom gas token, L1Block's gas paying token as the SystemConfig deposit would set it.

/** The L1 contracts the L2 predeploys point at (zero until the L1 is deployed). */
export interface L1Dependencies {
  l1CrossDomainMessengerProxy: string
  l1StandardBridgeProxy: string
  l1ERC721BridgeProxy: string
}

export const NO_L1_DEPENDENCIES: L1Dependencies = {
  l1CrossDomainMessengerProxy: '0x0000000000000000000000000000000000000000',
  l1StandardBridgeProxy: '0x0000000000000000000000000000000000000000',
  l1ERC721BridgeProxy: '0x0000000000000000000000000000000000000000',
}

/** anvil's "test test … junk" accounts 0..29, funded when fundDevAccounts (as L2Genesis.s.sol). */
export const DEV_ACCOUNTS = [
  '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
  '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
  '0x90F79bf6EB2c4f870365E785982E1f101E93b906',
  '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65',
  '0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc',
  '0x976EA74026E726554dB657fA54763abd0C3a0aa9',
  '0x14dC79964da2C08b23698B3D3cc7Ca32193d9955',
  '0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f',
  '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720',
  '0xBcd4042DE499D14e55001CcbB24a551F3b954096',
  '0x71bE63f3384f5fb98995898A86B02Fb2426c5788',
  '0xFABB0ac9d68B0B445fB7357272Ff202C5651694a',
  '0x1CBd3b2770909D4e10f157cABC84C7264073C9Ec',
  '0xdF3e18d64BC6A983f673Ab319CCaE4f1a57C7097',
  '0xcd3B766CCDd6AE721141F452C550Ca635964ce71',
  '0x2546BcD3c84621e976D8185a91A922aE77ECEc30',
  '0xbDA5747bFD65F08deb54cb465eB87D40e51B197E',
  '0xdD2FD4581271e230360230F9337D5c0430Bf44C0',
  '0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199',
  '0x09DB0a93B389bEF724429898f539AEB7ac2Dd55f',
  '0x02484cb50AAC86Eae85610D6f4Bf026f30f6627D',
  '0x08135Da0A343E492FA2d4282F2AE34c6c5CC1BbE',
  '0x5E661B79FE2D3F6cE70F5AAC07d8Cd9abb2743F1',
  '0x61097BA76cD906d2ba4FD106E757f7Eb455fc295',
  '0xDf37F81dAAD2b0327A0A50003740e1C935C70913',
  '0x553BC17A05702530097c3677091C5BB47a3a7931',
  '0x87BdCE72c06C21cd96219BD8521bDF1F42C78b5e',
  '0x40Fc963A729c542424cD800349a7E4Ecc4896624',
  '0x9DCCe783B6464611f38631e6C851bf441907c710',
] as const
export const DEV_ACCOUNT_FUND_AMOUNT = 10_000n * 10n ** 18n

const b = (hex: string) => Buffer.from(hex.replace(/^0x/, ''), 'hex')
const word = (v: bigint) => Buffer.from(v.toString(16).padStart(64, '0'), 'hex')
const addrWord = (a: string) => Buffer.concat([Buffer.alloc(12), b(a)])

/** Predeploys that get an implementation (L2Genesis.setPredeployImplementations, non-interop), by suffix. */
const IMPLEMENTED: Record<number, string> = {
  0: 'LegacyMessagePasser',
  2: 'DeployerWhitelist',
  7: 'L2CrossDomainMessenger',
  15: 'GasPriceOracle',
  16: 'L2StandardBridge',
  17: 'SequencerFeeVault',
  18: 'OptimismMintableERC20Factory',
  19: 'L1BlockNumber',
  20: 'L2ERC721Bridge',
  21: 'L1Block',
  22: 'L2ToL1MessagePasser',
  23: 'OptimismMintableERC721Factory',
  24: 'ProxyAdmin',
  25: 'BaseFeeVault',
  26: 'L1FeeVault',
  32: 'SchemaRegistry',
  33: 'EAS',
}
const NOT_PROXIED = new Set([0x06, 0x42])

function predeploy(i: number): Uint8Array {
  const out = new Uint8Array(20)
  out.set(b('4200'), 0)
  out[18] = (i >> 8) & 0xff
  out[19] = i & 0xff
  return out
}

function codeNamespace(i: number): Uint8Array {
  const out = new Uint8Array(20)
  out.set(b(CODE_NAMESPACE_PREFIX), 0)
  out[18] = (i >> 8) & 0xff
  out[19] = i & 0xff
  return out
}

/** Left-aligned bytes32 of a short string (solady LibString.toSmallString, used by GasPayingToken.sanitize). */
export function smallString(s: string): Uint8Array {
  const bytes = Buffer.from(s, 'utf8')
  if (bytes.length > 32) throw new Error('string longer than 32 bytes')
  const out = new Uint8Array(32)
  out.set(bytes, 0)
  return out
}

class GenesisWorld {
  readonly state: StateDB
  readonly touched = new Map<string, Uint8Array>()
  private evm!: Awaited<ReturnType<typeof createEVM>>
  private readonly deployer = keccak256(Buffer.from('deployer')).subarray(12)

  constructor(private readonly spec: ChainSpec) {
    this.state = new StateDB(new MemoryStateStore(), EMPTY_TRIE_ROOT)
  }

  async init(): Promise<void> {
    this.evm = await createEVM({ common: new CommonCache(this.spec).at(0n), stateManager: this.state })
  }

  private mark(a: Uint8Array) {
    this.touched.set(Buffer.from(a).toString('hex'), a)
  }

  async etch(a: Uint8Array, code: Uint8Array) {
    this.mark(a)
    if (!(await this.state.readAccount(a))) {
      await this.state.writeAccount(a, { nonce: 0n, balance: 0n, storageRoot: EMPTY_TRIE_ROOT, codeHash: KECCAK_EMPTY })
    }
    await this.state.putCode(new Address(a), code)
  }

  async store(a: Uint8Array, slot: Uint8Array, value: Uint8Array) {
    this.mark(a)
    await this.state.putStorage(new Address(a), slot, value)
  }

  async deal(a: Uint8Array, balance: bigint) {
    this.mark(a)
    const acc = await this.state.readAccount(a)
    await this.state.writeAccount(a, {
      nonce: acc?.nonce ?? 0n,
      balance,
      storageRoot: acc?.storageRoot ?? EMPTY_TRIE_ROOT,
      codeHash: acc?.codeHash ?? KECCAK_EMPTY,
    })
  }

  async setNonce(a: Uint8Array, nonce: bigint) {
    this.mark(a)
    const acc = await this.state.readAccount(a)
    await this.state.writeAccount(a, {
      nonce,
      balance: acc?.balance ?? 0n,
      storageRoot: acc?.storageRoot ?? EMPTY_TRIE_ROOT,
      codeHash: acc?.codeHash ?? KECCAK_EMPTY,
    })
  }

  /** Calls `to` from `from`; a revert is a genesis-building bug and throws with the revert data. */
  async call(from: Uint8Array, to: Uint8Array, data: Uint8Array, what: string): Promise<void> {
    const res = await this.evm.runCall({
      caller: new Address(from),
      to: new Address(to),
      data,
      gasLimit: 30_000_000n,
      skipBalance: true,
    })
    if (res.execResult.exceptionError) {
      throw new Error(
        `genesis: ${what} failed (${res.execResult.exceptionError.error}): 0x${Buffer.from(res.execResult.returnValue).toString('hex')}`,
      )
    }
    await this.evm.journal.cleanup()
  }

  /** Runs creation code (constructor included) from the deployer and returns the runtime code. */
  async construct(creation: Uint8Array, what: string): Promise<Uint8Array> {
    const res = await this.evm.runCall({
      caller: new Address(this.deployer),
      data: creation,
      gasLimit: 30_000_000n,
      skipBalance: true,
    })
    if (res.execResult.exceptionError || !res.createdAddress) throw new Error(`genesis: constructing ${what} failed`)
    await this.evm.journal.cleanup()
    return this.state.getCode(res.createdAddress)
  }

  get deployerAddress(): Uint8Array {
    return this.deployer
  }

  async dump(): Promise<GenesisAccount[]> {
    const out: GenesisAccount[] = []
    for (const a of this.touched.values()) {
      const acc = await this.state.readAccount(a)
      if (!acc) continue
      const code = await this.state.getCodeByHash(acc.codeHash)
      const storage = this.state.storageSnapshot(a)
      out.push({
        address: a,
        balance: acc.balance,
        ...(acc.nonce > 0n ? { nonce: acc.nonce } : {}),
        ...(code.length > 0 ? { code } : {}),
        ...(storage.length > 0 ? { storage } : {}),
      })
    }
    out.sort((x, y) => Buffer.compare(Buffer.from(x.address), Buffer.from(y.address)))
    return out
  }
}

export function chainSpecFromDeployConfig(cfg: DeployConfig, genesisTime: bigint): ChainSpec {
  const at = (o: number | null) => (o === null ? undefined : genesisTime + BigInt(o))
  return {
    chainId: BigInt(cfg.l2ChainID),
    regolithTime: at(cfg.l2GenesisRegolithTimeOffset),
    canyonTime: at(cfg.l2GenesisCanyonTimeOffset),
    deltaTime: at(cfg.l2GenesisDeltaTimeOffset),
    ecotoneTime: at(cfg.l2GenesisEcotoneTimeOffset),
    fjordTime: at(cfg.l2GenesisFjordTimeOffset),
    graniteTime: at(cfg.l2GenesisGraniteTimeOffset),
    holoceneTime: at(cfg.l2GenesisHoloceneTimeOffset),
    eip1559Elasticity: BigInt(cfg.eip1559Elasticity),
    eip1559Denominator: BigInt(cfg.eip1559Denominator),
    eip1559DenominatorCanyon: BigInt(cfg.eip1559DenominatorCanyon),
  }
}

/** The genesis state (alloc + header inputs) for `cfg`, with L2 genesis at `genesisTime`. */
export async function buildL2Genesis(
  cfg: DeployConfig,
  genesisTime: bigint,
  l1: L1Dependencies = NO_L1_DEPENDENCIES,
): Promise<GenesisState> {
  const spec = chainSpecFromDeployConfig(cfg, genesisTime)
  const w = new GenesisWorld(spec)
  await w.init()
  const deployer = w.deployerAddress
  const depositor = b(L1_INFO_DEPOSITOR)

  for (let i = 0; i < 256; i++) {
    const a = new Uint8Array(20)
    a[19] = i
    await w.deal(a, 1n)
  }

  // Proxies over the whole predeploy namespace.
  const proxy = loadArtifact('Proxy').deployed
  const proxyAdmin = b(PREDEPLOYS.ProxyAdmin)
  for (let i = 0; i < PREDEPLOY_NAMESPACE_SIZE; i++) {
    if (NOT_PROXIED.has(i)) continue
    const a = predeploy(i)
    await w.etch(a, proxy)
    await w.store(a, b(EIP1967_ADMIN_SLOT), addrWord(PREDEPLOYS.ProxyAdmin))
    if (IMPLEMENTED[i])
      await w.store(a, b(EIP1967_IMPLEMENTATION_SLOT), Buffer.concat([Buffer.alloc(12), codeNamespace(i)]))
  }

  // Implementations.
  const plain = async (i: number) => {
    const name = IMPLEMENTED[i] as string
    const art = loadArtifact(name)
    if (art.hasImmutables) throw new Error(`genesis: ${name} has immutables and must be constructed`)
    await w.etch(codeNamespace(i), art.deployed)
    return art
  }
  const initialize = async (i: number, arg: string) => {
    const art = await plain(i)
    const data = b(encodeFunctionData({ abi: art.abi as Abi, functionName: 'initialize', args: [arg] }))
    const zero = b(
      encodeFunctionData({
        abi: art.abi as Abi,
        functionName: 'initialize',
        args: ['0x0000000000000000000000000000000000000000'],
      }),
    )
    await w.call(deployer, codeNamespace(i), zero, `${art.name} implementation initialize`)
    await w.call(deployer, predeploy(i), data, `${art.name} initialize`)
  }
  const constructed = async (i: number, args: unknown[]) => {
    const name = IMPLEMENTED[i] as string
    const art = loadArtifact(name)
    const creation = b(
      encodeDeployData({ abi: art.abi as Abi, bytecode: `0x${Buffer.from(art.creation).toString('hex')}`, args }),
    )
    await w.etch(codeNamespace(i), await w.construct(creation, name))
  }

  await plain(0x00)
  await plain(0x02)
  await w.etch(b(PREDEPLOYS.WETH9), loadArtifact('WETH').deployed)
  await initialize(0x07, l1.l1CrossDomainMessengerProxy)
  await plain(0x0f)
  await initialize(0x10, l1.l1StandardBridgeProxy)
  await constructed(0x11, [
    cfg.sequencerFeeVaultRecipient,
    BigInt(cfg.sequencerFeeVaultMinimumWithdrawalAmount),
    cfg.sequencerFeeVaultWithdrawalNetwork,
  ])
  await initialize(0x12, PREDEPLOYS.L2StandardBridge)
  await plain(0x13)
  await initialize(0x14, l1.l1ERC721BridgeProxy)
  await plain(0x15)
  await plain(0x16)
  await constructed(0x17, [PREDEPLOYS.L2ERC721Bridge, BigInt(cfg.l1ChainID)])
  await plain(0x18)
  // ProxyAdmin has no initializer: owner (slot 0) is stored on the proxy and on the implementation.
  await w.store(proxyAdmin, new Uint8Array(32), addrWord(cfg.proxyAdminOwner))
  await w.store(codeNamespace(0x18), new Uint8Array(32), addrWord(cfg.proxyAdminOwner))
  await constructed(0x19, [
    cfg.baseFeeVaultRecipient,
    BigInt(cfg.baseFeeVaultMinimumWithdrawalAmount),
    cfg.baseFeeVaultWithdrawalNetwork,
  ])
  await constructed(0x1a, [
    cfg.l1FeeVaultRecipient,
    BigInt(cfg.l1FeeVaultMinimumWithdrawalAmount),
    cfg.l1FeeVaultWithdrawalNetwork,
  ])
  await plain(0x20)
  await constructed(0x21, [])
  if (cfg.enableGovernance)
    throw new Error(
      'genesis: enableGovernance is not supported by this node (the OP governance token is not part of this chain)',
    )

  // Preinstalls (nonce 1), and the 4788 deployer's nonce.
  for (const p of loadPreinstalls(spec.chainId, keccak256)) {
    await w.etch(p.address, p.code)
    await w.setNonce(p.address, 1n)
  }
  await w.setNonce(preinstallAddress('BeaconBlockRootsSender'), 1n)

  if (cfg.fundDevAccounts) for (const a of DEV_ACCOUNTS) await w.deal(b(a), DEV_ACCOUNT_FUND_AMOUNT)

  const gpo = loadArtifact('GasPriceOracle')
  if (cfg.l2GenesisEcotoneTimeOffset === 0) {
    await w.call(
      depositor,
      b(PREDEPLOYS.GasPriceOracle),
      b(encodeFunctionData({ abi: gpo.abi as Abi, functionName: 'setEcotone' })),
      'GasPriceOracle.setEcotone',
    )
  }
  if (cfg.l2GenesisFjordTimeOffset === 0) {
    await w.call(
      depositor,
      b(PREDEPLOYS.GasPriceOracle),
      b(encodeFunctionData({ abi: gpo.abi as Abi, functionName: 'setFjord' })),
      'GasPriceOracle.setFjord',
    )
  }
  if (cfg.useCustomGasToken) {
    const l1Block = loadArtifact('L1Block')
    const data = encodeFunctionData({
      abi: l1Block.abi as Abi,
      functionName: 'setGasPayingToken',
      args: [
        cfg.customGasTokenAddress,
        18,
        `0x${Buffer.from(smallString(cfg.customGasTokenName)).toString('hex')}`,
        `0x${Buffer.from(smallString(cfg.customGasTokenSymbol)).toString('hex')}`,
      ],
    })
    await w.call(depositor, b(PREDEPLOYS.L1Block), b(data), 'L1Block.setGasPayingToken')
  }

  return {
    timestamp: genesisTime,
    gasLimit: BigInt(cfg.l2GenesisBlockGasLimit),
    baseFeePerGas: BigInt(cfg.l2GenesisBlockBaseFeePerGas),
    extraData:
      cfg.l2GenesisHoloceneTimeOffset === 0
        ? encodeHoloceneExtraData({ denominator: spec.eip1559DenominatorCanyon, elasticity: spec.eip1559Elasticity })
        : new Uint8Array(0),
    coinbase: b(PREDEPLOYS.SequencerFeeVault),
    mixHash: new Uint8Array(32),
    nonce: new Uint8Array(8),
    difficulty: 0n,
    alloc: await w.dump(),
  }
}

export { word }
