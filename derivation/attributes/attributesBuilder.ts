import { hexToBytes } from '../../config/bytes.ts'
import { PREDEPLOYS } from '../../config/protocol/addresses.ts'
import type { RollupConfig } from '../../config/rollupConfig.ts'
import type { Address, BlockID, Hash, L1BlockRef, L2BlockRef } from '../../config/types.ts'
import { forkActive } from '../params.ts'
import { isPipelineError, PipelineError } from '../pipelineErrors.ts'
import { userDepositsFromReceipts } from '../protocol/depositLog.ts'
import { type DepositTx, encodeDepositTx } from '../protocol/depositTx.ts'
import { DepositLogError } from '../protocol/errors.ts'
import {
  BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN,
  BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE,
  buildL1BlockInfo,
  type L1BlockInfo,
  l1InfoDepositTx,
  l1InfoFormatFor,
} from '../protocol/l1Info.ts'
import { applySystemConfigLogs, type SystemConfig, SystemConfigError } from '../protocol/systemConfig.ts'
import { upgradeTxs } from '../protocol/upgradeTxs.ts'
import type { L1Receipt } from '../providers.ts'

// Payload attributes (spec §4.13, op-node rollup/derive/attributes.go): the deposit prefix and block fields of the
// next L2 block, built from its parent and its epoch (L1 origin). Fork rules here key on the L2 block timestamp.

/** Engine API payload attributes, OP-extended (opstack-spec §4.13); the engine takes this type as it is. */
export interface PayloadAttributes {
  timestamp: bigint
  prevRandao: Uint8Array
  suggestedFeeRecipient: Uint8Array
  /** `[]` from Canyon, absent before. */
  withdrawals?: readonly unknown[]
  /** From Ecotone: the L1 origin's parentBeaconBlockRoot, zero hash if it has none. */
  parentBeaconBlockRoot?: Uint8Array
  /** Raw EIP-2718 txs, deposits first (L1-info deposit at index 0). */
  transactions: Uint8Array[]
  noTxPool: boolean
  gasLimit: bigint
  /** Holocene: be32(denominator) ++ be32(elasticity); zero means the Canyon constants. */
  eip1559Params?: Uint8Array
}

/** The L1 header fields attributes need beyond the block ref. */
export interface L1HeaderInfo extends L1BlockRef {
  baseFeePerGas: bigint
  mixHash: Hash
  /** Absent before L1 Cancun. */
  parentBeaconBlockRoot?: Hash | undefined
  /** Absent before L1 Cancun. */
  excessBlobGas?: bigint | undefined
}

/**
 * L1 data for attributes (op-node L1ReceiptsFetcher). Same error contract as L1Source: everything thrown is a
 * PipelineError of the right kind (a missing block is a reset).
 */
export interface AttributesL1Source {
  infoByHash(hash: Hash): Promise<L1HeaderInfo>
  infoAndReceiptsByHash(hash: Hash): Promise<{ info: L1HeaderInfo; receipts: readonly L1Receipt[] }>
}

export interface AttributesConfig {
  blockTime: number
  depositContractAddress: Address
  l1SystemConfigAddress: Address
  regolithTime?: number | undefined
  canyonTime?: number | undefined
  ecotoneTime?: number | undefined
  fjordTime?: number | undefined
  holoceneTime?: number | undefined
  isthmusTime?: number | undefined
  /** L1 Prague activation time: the blob base fee uses the Prague update fraction from it. */
  l1PragueTime?: number | undefined
}

export function attributesConfigFromRollup(cfg: RollupConfig, l1PragueTime?: number): AttributesConfig {
  return {
    blockTime: cfg.block_time,
    depositContractAddress: cfg.deposit_contract_address as Address,
    l1SystemConfigAddress: cfg.l1_system_config_address as Address,
    regolithTime: cfg.regolith_time,
    canyonTime: cfg.canyon_time,
    ecotoneTime: cfg.ecotone_time,
    fjordTime: cfg.fjord_time,
    holoceneTime: cfg.holocene_time,
    isthmusTime: cfg.isthmus_time,
    l1PragueTime,
  }
}

/**
 * The first L2 block with `t >= forkTime` (op-node IsXActivationBlock): its parent (t - blockTime) is before the
 * fork and `t >= blockTime`. A fork active at genesis has no activation block.
 */
export function isActivationBlock(forkTime: number | undefined, t: number, blockTime: number): boolean {
  return forkActive(forkTime, t) && t >= blockTime && !forkActive(forkTime, t - blockTime)
}

export const SEQUENCER_FEE_VAULT_BYTES = hexToBytes(PREDEPLOYS.SequencerFeeVault)
const ZERO_HASH = new Uint8Array(32)
const U32_MASK = 0xffff_ffffn
const U64_MASK = 0xffff_ffff_ffff_ffffn

function asPipelineError(err: unknown, what: string, meta: Record<string, unknown>): PipelineError {
  if (isPipelineError(err)) return err
  return PipelineError.temp('L1_FETCH_FAILED', `failed to fetch ${what}`, meta, err)
}

/** The L1BlockInfo of the L1-info deposit of an L2 block at `t` (format by fork and activation block). */
export function l1BlockInfoFor(
  cfg: AttributesConfig,
  info: L1HeaderInfo,
  seq: number,
  sysCfg: SystemConfig,
  t: number,
): L1BlockInfo {
  const format = l1InfoFormatFor({
    ecotone: forkActive(cfg.ecotoneTime, t),
    ecotoneActivationBlock: isActivationBlock(cfg.ecotoneTime, t, cfg.blockTime),
    isthmus: forkActive(cfg.isthmusTime, t),
    isthmusActivationBlock: isActivationBlock(cfg.isthmusTime, t, cfg.blockTime),
  })
  const opFee = sysCfg.operatorFee === undefined ? 0n : BigInt(sysCfg.operatorFee)
  return buildL1BlockInfo(
    format,
    {
      number: BigInt(info.number),
      timestamp: BigInt(info.timestamp),
      baseFeePerGas: info.baseFeePerGas,
      hash: hexToBytes(info.hash),
      excessBlobGas: info.excessBlobGas,
    },
    BigInt(seq),
    {
      batcherAddr: hexToBytes(sysCfg.batcherAddr),
      overhead: hexToBytes(sysCfg.overhead),
      scalar: hexToBytes(sysCfg.scalar),
      operatorFeeScalar: (opFee >> 64n) & U32_MASK,
      operatorFeeConstant: opFee & U64_MASK,
    },
    forkActive(cfg.l1PragueTime, info.timestamp)
      ? BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE
      : BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN,
  )
}

/**
 * Builds the payload attributes of the L2 block after `parent` in `epoch` (op-node PreparePayloadAttributes).
 * `parentSysCfg` is the SystemConfig the parent was built with. The result's `transactions` hold only the deposit
 * prefix (L1-info deposit, user deposits, then the Ecotone / Fjord / Isthmus upgrade txs in their activation
 * blocks); the caller appends the batch's txs (none are allowed in an activation block).
 *
 * Errors: reset when the epoch does not fit the parent (L1 origin mismatch, L1 time after the block time) or the L1
 * block is gone; critical for malformed deposit or ConfigUpdate logs; source errors keep their kind.
 */
export async function preparePayloadAttributes(
  cfg: AttributesConfig,
  l1: AttributesL1Source,
  parent: L2BlockRef,
  parentSysCfg: SystemConfig,
  epoch: BlockID,
  timestamp?: number,
): Promise<PayloadAttributes> {
  const nextTime = parent.timestamp + cfg.blockTime
  if (timestamp !== undefined && timestamp !== nextTime) {
    throw PipelineError.crit('ATTRIBUTES_BAD_TIMESTAMP', 'attributes timestamp is not parent time + block time', {
      timestamp,
      expected: nextTime,
    })
  }
  let sysCfg = parentSysCfg
  let info: L1HeaderInfo
  let seq: number
  let deposits: DepositTx[] = []
  if (parent.l1origin.number !== epoch.number) {
    let receipts: readonly L1Receipt[]
    try {
      ;({ info, receipts } = await l1.infoAndReceiptsByHash(epoch.hash))
    } catch (err) {
      throw asPipelineError(err, 'L1 block info and receipts', { epoch })
    }
    if (parent.l1origin.hash.toLowerCase() !== info.parentHash.toLowerCase()) {
      throw PipelineError.reset(
        'ATTRIBUTES_L1_ORIGIN_MISMATCH',
        'cannot create new block with L1 origin that does not extend the parent L1 origin',
        { epoch, epochParent: info.parentHash, parentL1Origin: parent.l1origin },
      )
    }
    try {
      deposits = userDepositsFromReceipts(receipts, hexToBytes(cfg.depositContractAddress), hexToBytes(info.hash))
    } catch (err) {
      if (!(err instanceof DepositLogError)) throw err
      throw PipelineError.crit('ATTRIBUTES_BAD_DEPOSITS', `failed to derive deposits: ${err.message}`, err.meta, err)
    }
    try {
      sysCfg = applySystemConfigLogs(sysCfg, receipts, cfg.l1SystemConfigAddress, info.timestamp, cfg)
    } catch (err) {
      if (!(err instanceof SystemConfigError)) throw err
      throw PipelineError.crit(
        'ATTRIBUTES_SYSCFG_UPDATE_INVALID',
        `failed to apply derived L1 SystemConfig updates: ${err.message}`,
        err.meta,
        err,
      )
    }
    seq = 0
  } else {
    if (parent.l1origin.hash.toLowerCase() !== epoch.hash.toLowerCase()) {
      throw PipelineError.reset('ATTRIBUTES_L1_ORIGIN_MISMATCH', 'parent L1 origin does not match the epoch', {
        epoch,
        parentL1Origin: parent.l1origin,
      })
    }
    try {
      info = await l1.infoByHash(epoch.hash)
    } catch (err) {
      throw asPipelineError(err, 'L1 block info', { epoch })
    }
    seq = parent.sequenceNumber + 1
  }

  if (nextTime < info.timestamp) {
    throw PipelineError.reset('ATTRIBUTES_TIME_BEFORE_ORIGIN', 'cannot build an L2 block before its L1 origin time', {
      parent: { number: parent.number, timestamp: parent.timestamp },
      nextTime,
      epoch,
      l1Time: info.timestamp,
    })
  }

  const upgrades: Uint8Array[] = []
  if (isActivationBlock(cfg.ecotoneTime, nextTime, cfg.blockTime)) upgrades.push(...upgradeTxs('ecotone'))
  if (isActivationBlock(cfg.fjordTime, nextTime, cfg.blockTime)) upgrades.push(...upgradeTxs('fjord'))
  if (isActivationBlock(cfg.isthmusTime, nextTime, cfg.blockTime)) upgrades.push(...upgradeTxs('isthmus'))

  const regolith = forkActive(cfg.regolithTime, nextTime)
  const l1InfoTx = l1InfoDepositTx(l1BlockInfoFor(cfg, info, seq, sysCfg, nextTime), regolith)
  const transactions = [encodeDepositTx(l1InfoTx), ...deposits.map(encodeDepositTx), ...upgrades]

  const out: PayloadAttributes = {
    timestamp: BigInt(nextTime),
    prevRandao: hexToBytes(info.mixHash),
    suggestedFeeRecipient: SEQUENCER_FEE_VAULT_BYTES.slice(),
    transactions,
    noTxPool: true,
    gasLimit: sysCfg.gasLimit,
  }
  if (forkActive(cfg.canyonTime, nextTime)) out.withdrawals = []
  if (forkActive(cfg.ecotoneTime, nextTime)) {
    out.parentBeaconBlockRoot =
      info.parentBeaconBlockRoot === undefined ? ZERO_HASH.slice() : hexToBytes(info.parentBeaconBlockRoot)
  }
  if (forkActive(cfg.holoceneTime, nextTime)) {
    out.eip1559Params =
      isActivationBlock(cfg.holoceneTime, nextTime, cfg.blockTime) || sysCfg.eip1559Params === undefined
        ? new Uint8Array(8)
        : hexToBytes(sysCfg.eip1559Params)
  }
  return out
}
