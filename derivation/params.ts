import type { RollupConfig } from '../config/rollupConfig.ts'
import type { Address } from '../config/types.ts'
import { maxRlpBytesPerChannel } from './protocol/channelCompression.ts'

// The rollup parameters the derivation stages read (op-node rollup.Config + chain_spec.go), and the fork-dependent
// constants (spec §0). Every rule here is keyed on the L1 block time the stage is reading (its origin), never on
// an L2 timestamp.

export interface DerivationConfig {
  /** L2 block time, seconds. */
  blockTime: number
  /** CHANNEL_TIMEOUT before Granite, in L1 blocks. */
  channelTimeout: number
  /** Lower-case or checksummed; compared case-insensitively. */
  batchInboxAddress: Address
  canyonTime?: number | undefined
  deltaTime?: number | undefined
  ecotoneTime?: number | undefined
  fjordTime?: number | undefined
  graniteTime?: number | undefined
  holoceneTime?: number | undefined
}

/** CHANNEL_TIMEOUT from Granite. */
export const CHANNEL_TIMEOUT_GRANITE = 50
export const MAX_CHANNEL_BANK_SIZE_BEDROCK = 100_000_000
export const MAX_CHANNEL_BANK_SIZE_FJORD = 1_000_000_000
/** Per-frame overhead counted in a channel's size (op-node frameOverhead). */
export const CHANNEL_FRAME_OVERHEAD = 200

export function derivationConfigFromRollup(cfg: RollupConfig): DerivationConfig {
  return {
    blockTime: cfg.block_time,
    channelTimeout: cfg.channel_timeout,
    batchInboxAddress: cfg.batch_inbox_address as Address,
    canyonTime: cfg.canyon_time,
    deltaTime: cfg.delta_time,
    ecotoneTime: cfg.ecotone_time,
    fjordTime: cfg.fjord_time,
    graniteTime: cfg.granite_time,
    holoceneTime: cfg.holocene_time,
  }
}

/** A fork is active at `t` when its time is set and `t >= time`. */
export function forkActive(forkTime: number | undefined, t: number): boolean {
  return forkTime !== undefined && t >= forkTime
}

export const isCanyon = (c: DerivationConfig, l1Time: number) => forkActive(c.canyonTime, l1Time)
export const isDelta = (c: DerivationConfig, l1Time: number) => forkActive(c.deltaTime, l1Time)
export const isEcotone = (c: DerivationConfig, l1Time: number) => forkActive(c.ecotoneTime, l1Time)
export const isFjord = (c: DerivationConfig, l1Time: number) => forkActive(c.fjordTime, l1Time)
export const isGranite = (c: DerivationConfig, l1Time: number) => forkActive(c.graniteTime, l1Time)
export const isHolocene = (c: DerivationConfig, l1Time: number) => forkActive(c.holoceneTime, l1Time)

/** CHANNEL_TIMEOUT at L1 time `l1Time`: the config value before Granite, 50 from Granite. */
export function channelTimeout(c: DerivationConfig, l1Time: number): number {
  return isGranite(c, l1Time) ? CHANNEL_TIMEOUT_GRANITE : c.channelTimeout
}

/** MAX_CHANNEL_BANK_SIZE at L1 time `l1Time` (×10 from Fjord). */
export function maxChannelBankSize(c: DerivationConfig, l1Time: number): number {
  return isFjord(c, l1Time) ? MAX_CHANNEL_BANK_SIZE_FJORD : MAX_CHANNEL_BANK_SIZE_BEDROCK
}

/** MAX_RLP_BYTES_PER_CHANNEL at L1 time `l1Time` (×10 from Fjord). */
export function maxRlpBytesAt(c: DerivationConfig, l1Time: number): number {
  return maxRlpBytesPerChannel(isFjord(c, l1Time))
}
