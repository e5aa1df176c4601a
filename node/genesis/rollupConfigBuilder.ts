import type { DeployConfig } from '../../config/deployConfig.ts'
import { ConfigError } from '../../config/errors.ts'
import type { RollupConfig } from '../../config/rollupConfig.ts'

/** L1 contracts from the L1 deployment's addresses.json (op-deployer / op-chain-ops names). */
export interface L1Deployments {
  OptimismPortalProxy: string
  SystemConfigProxy: string
  L1CrossDomainMessengerProxy?: string
  L1StandardBridgeProxy?: string
  L1ERC721BridgeProxy?: string
  ProtocolVersionsProxy?: string
}

export interface L1StartBlock {
  hash: string
  number: number
  timestamp: number
}

/** Ecotone system-config scalar, version 1: 0x01 ++ 0… ++ be32(blobBaseFeeScalar) ++ be32(baseFeeScalar). */
export function ecotoneScalar(baseFeeScalar: number, blobBaseFeeScalar: number): string {
  const b = Buffer.alloc(32)
  b[0] = 1
  b.writeUInt32BE(blobBaseFeeScalar, 24)
  b.writeUInt32BE(baseFeeScalar, 28)
  return `0x${b.toString('hex')}`
}

export function parseL1Deployments(json: unknown): L1Deployments {
  if (typeof json !== 'object' || json === null) throw new ConfigError('l1-deployments', 'must be a JSON object')
  const o = json as Record<string, unknown>
  const addr = (k: string, required: boolean) => {
    const v = o[k]
    if (v === undefined && !required) return undefined
    if (typeof v !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(v))
      throw new ConfigError(`l1-deployments.${k}`, 'must be a 20-byte 0x address')
    return v
  }
  const out: L1Deployments = {
    OptimismPortalProxy: addr('OptimismPortalProxy', true) as string,
    SystemConfigProxy: addr('SystemConfigProxy', true) as string,
  }
  for (const k of [
    'L1CrossDomainMessengerProxy',
    'L1StandardBridgeProxy',
    'L1ERC721BridgeProxy',
    'ProtocolVersionsProxy',
  ] as const) {
    const v = addr(k, false)
    if (v) out[k] = v
  }
  return out
}

export function buildRollupConfig(
  cfg: DeployConfig,
  l1: L1StartBlock,
  l2Hash: string,
  l2Time: number,
  deployments: L1Deployments,
): RollupConfig {
  const at = (o: number | null) => (o === null ? undefined : l2Time + o)
  const forks: Partial<RollupConfig> = {}
  const pairs = [
    ['regolith_time', cfg.l2GenesisRegolithTimeOffset],
    ['canyon_time', cfg.l2GenesisCanyonTimeOffset],
    ['delta_time', cfg.l2GenesisDeltaTimeOffset],
    ['ecotone_time', cfg.l2GenesisEcotoneTimeOffset],
    ['fjord_time', cfg.l2GenesisFjordTimeOffset],
    ['granite_time', cfg.l2GenesisGraniteTimeOffset],
    ['holocene_time', cfg.l2GenesisHoloceneTimeOffset],
  ] as const
  for (const [k, o] of pairs) {
    const v = at(o)
    if (v !== undefined) (forks as Record<string, number>)[k] = v
  }
  return {
    genesis: {
      l1: { hash: l1.hash, number: l1.number },
      l2: { hash: l2Hash, number: 0 },
      l2_time: l2Time,
      system_config: {
        batcherAddr: cfg.batchSenderAddress,
        overhead: `0x${'00'.repeat(32)}`,
        scalar: ecotoneScalar(cfg.gasPriceOracleBaseFeeScalar, cfg.gasPriceOracleBlobBaseFeeScalar),
        gasLimit: cfg.l2GenesisBlockGasLimit,
      },
    },
    block_time: cfg.l2BlockTime,
    max_sequencer_drift: cfg.maxSequencerDrift,
    seq_window_size: cfg.sequencerWindowSize,
    channel_timeout: cfg.channelTimeout,
    l1_chain_id: cfg.l1ChainID,
    l2_chain_id: cfg.l2ChainID,
    ...forks,
    batch_inbox_address: cfg.batchInboxAddress,
    deposit_contract_address: deployments.OptimismPortalProxy,
    l1_system_config_address: deployments.SystemConfigProxy,
    ...(deployments.ProtocolVersionsProxy ? { protocol_versions_address: deployments.ProtocolVersionsProxy } : {}),
  }
}
