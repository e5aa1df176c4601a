import { ConfigError } from './errors.ts'
import type { Address, Hex } from './types.ts'

// The deploy config this project's genesis and L1 deployment take (op-chain-ops' DeployConfig, trimmed to
// what is used, plus the OPEN custom gas token). Fork times are offsets from genesis: 0 = active at genesis,
// null = never.

export interface DeployConfig {
  l1ChainID: number
  l2ChainID: number
  l2BlockTime: number
  maxSequencerDrift: number
  sequencerWindowSize: number
  channelTimeout: number
  l2GenesisRegolithTimeOffset: number | null
  l2GenesisCanyonTimeOffset: number | null
  l2GenesisDeltaTimeOffset: number | null
  l2GenesisEcotoneTimeOffset: number | null
  l2GenesisFjordTimeOffset: number | null
  l2GenesisGraniteTimeOffset: number | null
  l2GenesisHoloceneTimeOffset: number | null
  l2GenesisBlockGasLimit: number
  l2GenesisBlockBaseFeePerGas: string
  gasPriceOracleBaseFeeScalar: number
  gasPriceOracleBlobBaseFeeScalar: number
  eip1559Elasticity: number
  eip1559Denominator: number
  eip1559DenominatorCanyon: number
  batchInboxAddress: Address
  batchSenderAddress: Address
  p2pSequencerAddress: Address
  proxyAdminOwner: Address
  finalSystemOwner: Address
  baseFeeVaultRecipient: Address
  l1FeeVaultRecipient: Address
  sequencerFeeVaultRecipient: Address
  baseFeeVaultMinimumWithdrawalAmount: string
  l1FeeVaultMinimumWithdrawalAmount: string
  sequencerFeeVaultMinimumWithdrawalAmount: string
  /** 0 = L1, 1 = L2 */
  baseFeeVaultWithdrawalNetwork: 0 | 1
  l1FeeVaultWithdrawalNetwork: 0 | 1
  sequencerFeeVaultWithdrawalNetwork: 0 | 1
  enableGovernance: boolean
  fundDevAccounts: boolean
  useCustomGasToken: boolean
  customGasTokenAddress: Address
  customGasTokenName: string
  customGasTokenSymbol: string
  /** L2OutputOracle: L2 blocks between proposals. */
  l2OutputOracleSubmissionInterval: number
  l2OutputOracleStartingBlockNumber: number
  l2OutputOracleProposer: Address
  l2OutputOracleChallenger: Address
  /** Seconds an output must age before withdrawals against it finalize (devnet: short). */
  finalizationPeriodSeconds: number
  superchainConfigGuardian: Address
}

const ZERO: Address = '0x0000000000000000000000000000000000000000'
/** anvil's first account: the devnet's default owner/batcher/proposer. */
const DEV0: Address = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
/** anvil's second account: the devnet's proposer (its own key, so its nonces never race the batcher's). */
const DEV1: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'

export function defaultDeployConfig(): DeployConfig {
  return {
    l1ChainID: 900,
    l2ChainID: 901,
    l2BlockTime: 2,
    maxSequencerDrift: 600,
    sequencerWindowSize: 3600,
    channelTimeout: 300,
    l2GenesisRegolithTimeOffset: 0,
    l2GenesisCanyonTimeOffset: 0,
    l2GenesisDeltaTimeOffset: 0,
    l2GenesisEcotoneTimeOffset: 0,
    l2GenesisFjordTimeOffset: 0,
    l2GenesisGraniteTimeOffset: 0,
    l2GenesisHoloceneTimeOffset: null,
    l2GenesisBlockGasLimit: 30_000_000,
    l2GenesisBlockBaseFeePerGas: '1000000000',
    gasPriceOracleBaseFeeScalar: 1368,
    gasPriceOracleBlobBaseFeeScalar: 810949,
    eip1559Elasticity: 6,
    eip1559Denominator: 50,
    eip1559DenominatorCanyon: 250,
    batchInboxAddress: '0xff00000000000000000000000000000000000901',
    batchSenderAddress: DEV0,
    p2pSequencerAddress: DEV0,
    proxyAdminOwner: DEV0,
    finalSystemOwner: DEV0,
    baseFeeVaultRecipient: DEV0,
    l1FeeVaultRecipient: DEV0,
    sequencerFeeVaultRecipient: DEV0,
    baseFeeVaultMinimumWithdrawalAmount: '10000000000000000000',
    l1FeeVaultMinimumWithdrawalAmount: '10000000000000000000',
    sequencerFeeVaultMinimumWithdrawalAmount: '10000000000000000000',
    baseFeeVaultWithdrawalNetwork: 0,
    l1FeeVaultWithdrawalNetwork: 0,
    sequencerFeeVaultWithdrawalNetwork: 0,
    enableGovernance: false,
    fundDevAccounts: true,
    useCustomGasToken: false,
    customGasTokenAddress: ZERO,
    customGasTokenName: 'OpenLedger',
    customGasTokenSymbol: 'OPEN',
    l2OutputOracleSubmissionInterval: 10,
    l2OutputOracleStartingBlockNumber: 0,
    l2OutputOracleProposer: DEV1,
    l2OutputOracleChallenger: DEV0,
    finalizationPeriodSeconds: 12,
    superchainConfigGuardian: DEV0,
  }
}

const isAddress = (v: unknown): v is Address => typeof v === 'string' && /^0x[0-9a-fA-F]{40}$/.test(v)
const isUintString = (v: unknown) => typeof v === 'string' && /^\d+$/.test(v)

/** Merges `json` over the defaults and validates every field; a bad one throws ConfigError naming it. */
export function parseDeployConfig(json: unknown): DeployConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new ConfigError('deployConfig', 'must be a JSON object')
  const d = defaultDeployConfig()
  const input = json as Record<string, unknown>
  for (const k of Object.keys(input)) {
    if (!(k in d)) throw new ConfigError(k, 'unknown deploy-config field')
  }
  const c = { ...d, ...input } as Record<string, unknown>
  const int = (k: string, min = 0) => {
    const v = c[k]
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min)
      throw new ConfigError(k, `must be an integer >= ${min}`)
  }
  for (const k of [
    'l1ChainID',
    'l2ChainID',
    'l2BlockTime',
    'maxSequencerDrift',
    'sequencerWindowSize',
    'channelTimeout',
    'l2GenesisBlockGasLimit',
    'eip1559Elasticity',
    'eip1559Denominator',
    'eip1559DenominatorCanyon',
    'l2OutputOracleSubmissionInterval',
  ])
    int(k, 1)
  for (const k of ['l2OutputOracleStartingBlockNumber', 'finalizationPeriodSeconds']) int(k)
  for (const k of ['gasPriceOracleBaseFeeScalar', 'gasPriceOracleBlobBaseFeeScalar']) {
    int(k)
    if ((c[k] as number) > 0xffffffff) throw new ConfigError(k, 'must fit in uint32')
  }
  if (c.l1ChainID === c.l2ChainID) throw new ConfigError('l2ChainID', 'must differ from l1ChainID')
  const forks = ['Regolith', 'Canyon', 'Delta', 'Ecotone', 'Fjord', 'Granite', 'Holocene']
  let prev: number | null = 0
  for (const f of forks) {
    const k = `l2Genesis${f}TimeOffset`
    const v = c[k]
    if (v !== null && (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0))
      throw new ConfigError(k, 'must be null or an integer >= 0')
    if (v !== null && prev === null)
      throw new ConfigError(k, 'a fork cannot activate when the previous fork never does')
    if (v !== null && prev !== null && (v as number) < prev)
      throw new ConfigError(k, 'must not be earlier than the previous fork')
    prev = v as number | null
  }
  if (c.l2GenesisRegolithTimeOffset !== 0)
    throw new ConfigError(
      'l2GenesisRegolithTimeOffset',
      'must be 0: the engine implements Regolith+ deposit rules only',
    )
  for (const k of [
    'batchInboxAddress',
    'batchSenderAddress',
    'p2pSequencerAddress',
    'proxyAdminOwner',
    'finalSystemOwner',
    'baseFeeVaultRecipient',
    'l1FeeVaultRecipient',
    'sequencerFeeVaultRecipient',
    'customGasTokenAddress',
    'l2OutputOracleProposer',
    'l2OutputOracleChallenger',
    'superchainConfigGuardian',
  ]) {
    if (!isAddress(c[k])) throw new ConfigError(k, 'must be a 0x-prefixed 20-byte hex address')
  }
  for (const k of [
    'l2GenesisBlockBaseFeePerGas',
    'baseFeeVaultMinimumWithdrawalAmount',
    'l1FeeVaultMinimumWithdrawalAmount',
    'sequencerFeeVaultMinimumWithdrawalAmount',
  ]) {
    if (!isUintString(c[k])) throw new ConfigError(k, 'must be a decimal integer string')
  }
  for (const k of [
    'baseFeeVaultWithdrawalNetwork',
    'l1FeeVaultWithdrawalNetwork',
    'sequencerFeeVaultWithdrawalNetwork',
  ]) {
    if (c[k] !== 0 && c[k] !== 1) throw new ConfigError(k, 'must be 0 (L1) or 1 (L2)')
  }
  for (const k of ['enableGovernance', 'fundDevAccounts', 'useCustomGasToken']) {
    if (typeof c[k] !== 'boolean') throw new ConfigError(k, 'must be true or false')
  }
  if (c.useCustomGasToken) {
    if (c.customGasTokenAddress === ZERO)
      throw new ConfigError('customGasTokenAddress', 'must be set when useCustomGasToken is true')
    for (const k of ['customGasTokenName', 'customGasTokenSymbol']) {
      const v = c[k]
      if (typeof v !== 'string' || v.length === 0 || Buffer.byteLength(v) > 32)
        throw new ConfigError(k, 'must be 1..32 bytes of UTF-8')
    }
  }
  return c as unknown as DeployConfig
}

export type { Hex }
