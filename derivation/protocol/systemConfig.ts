import {
  bytesEqual,
  bytesToBigInt,
  bytesToHex,
  hexToBytes,
  isZeroRange,
  readU64BE,
  writeUintBE,
} from '../../config/bytes.ts'
import { NodeError } from '../../config/errors.ts'
import { validateHoloceneExtraData } from '../../config/protocol/eip1559.ts'
import type { Address, Hash, Hex } from '../../config/types.ts'
import type { DepositReceiptLike } from './depositLog.ts'
import { decodeDepositTx } from './depositTx.ts'
import { decodeEcotoneScalar, decodeL1Info, systemConfigFeesFromL1Info } from './l1Info.ts'

// SystemConfig and its ConfigUpdate logs (opstack-spec §4.12, op-node rollup/derive/system_config.go), and the
// recovery of a SystemConfig from an L2 block's L1-info tx (op-node payload_util.go PayloadToSystemConfig).

/** The L1 SystemConfig values derivation tracks. Hex values are lower-case when they come from logs. */
export interface SystemConfig {
  batcherAddr: Address
  /** bytes32 */
  overhead: Hash
  /** bytes32; versioned from Ecotone. */
  scalar: Hash
  /** u64 */
  gasLimit: bigint
  /** Holocene: 8 bytes be32(denominator) ++ be32(elasticity). */
  eip1559Params?: Hex | undefined
  /** Isthmus: bytes32 `operatorFeeScalar << 64 | operatorFeeConstant`. */
  operatorFee?: Hash | undefined
}

/** keccak256("ConfigUpdate(uint256,uint8,bytes)") */
export const CONFIG_UPDATE_EVENT_TOPIC = hexToBytes(
  '0x1d2b0bda21d56b8bd12d4f94ebacffdfb35f5e226f84b461103bb8beab6353be',
)
export const CONFIG_UPDATE_VERSION_0 = new Uint8Array(32)

export const ConfigUpdateType = {
  BATCHER: 0,
  FEE_SCALARS: 1,
  GAS_LIMIT: 2,
  UNSAFE_BLOCK_SIGNER: 3,
  EIP_1559_PARAMS: 4,
  OPERATOR_FEE_PARAMS: 5,
} as const

export type SystemConfigErrorCode =
  /** Not exactly 3 topics. */
  | 'SYSCFG_LOG_TOPIC_COUNT'
  /** topic0 is not ConfigUpdate. */
  | 'SYSCFG_LOG_WRONG_EVENT'
  /** topics[1] (version) is not 0. */
  | 'SYSCFG_LOG_UNKNOWN_VERSION'
  /** topics[2] is not a known update type. */
  | 'SYSCFG_LOG_UNKNOWN_TYPE'
  /** ABI pointer word is not 32. */
  | 'SYSCFG_LOG_BAD_POINTER'
  /** ABI length word is not the type's payload length. */
  | 'SYSCFG_LOG_BAD_LENGTH'
  /** Data ends before the payload does. */
  | 'SYSCFG_LOG_TRUNCATED'
  /** Non-zero padding in an address or uint64 word. */
  | 'SYSCFG_LOG_BAD_PADDING'
  /** Bytes after the payload. */
  | 'SYSCFG_LOG_EXTRA_BYTES'
  /** An L2 block from which no SystemConfig can be recovered. */
  | 'SYSCFG_L2_BLOCK_INVALID'

export class SystemConfigError extends NodeError<SystemConfigErrorCode> {}

/** One parsed ConfigUpdate log. */
export type ConfigUpdate =
  | { type: 'batcher'; batcherAddr: Address }
  | { type: 'feeScalars'; overhead: Hash; scalar: Hash }
  | { type: 'gasLimit'; gasLimit: bigint }
  | { type: 'unsafeBlockSigner' }
  | { type: 'eip1559Params'; eip1559Params: Hex }
  | { type: 'operatorFee'; operatorFee: Hash }

export interface ConfigUpdateLogLike {
  address?: Uint8Array
  topics: readonly Uint8Array[]
  data: Uint8Array
}

function fail(code: SystemConfigErrorCode, message: string, meta: Record<string, unknown> = {}): SystemConfigError {
  return new SystemConfigError(code, message, meta)
}

/** Sequential reader of 32-byte ABI words (op-service solabi semantics). */
class WordReader {
  private off = 0
  constructor(private readonly data: Uint8Array) {}

  word(field: string): Uint8Array {
    if (this.off + 32 > this.data.length) {
      throw fail('SYSCFG_LOG_TRUNCATED', `ConfigUpdate data ends before ${field}`, { field, length: this.data.length })
    }
    const w = this.data.subarray(this.off, this.off + 32)
    this.off += 32
    return w
  }

  /** A uint64 word; null when the padding is non-zero. */
  u64(field: string): bigint | null {
    const w = this.word(field)
    return isZeroRange(w, 0, 24) ? readU64BE(w, 24) : null
  }

  expectEnd(): void {
    if (this.off !== this.data.length) {
      throw fail('SYSCFG_LOG_EXTRA_BYTES', `ConfigUpdate data has ${this.data.length - this.off} extra bytes`, {
        extra: this.data.length - this.off,
      })
    }
  }
}

function readHead(r: WordReader, payloadLen: number): void {
  const ptr = r.u64('pointer')
  if (ptr !== 32n) throw fail('SYSCFG_LOG_BAD_POINTER', 'ConfigUpdate data pointer is not 32')
  const len = r.u64('length')
  if (len !== BigInt(payloadLen)) {
    throw fail('SYSCFG_LOG_BAD_LENGTH', `ConfigUpdate payload length is not ${payloadLen}`, {
      expected: payloadLen,
      length: len === null ? 'overflow' : len.toString(),
    })
  }
}

/**
 * Parses one ConfigUpdate log (the caller has checked receipt status and log address). Throws SystemConfigError
 * for a malformed log or unknown type; the 2024-10 op-node treats all of these as critical.
 */
export function parseConfigUpdateLog(log: ConfigUpdateLogLike): ConfigUpdate {
  const { topics, data } = log
  if (topics.length !== 3) {
    throw fail('SYSCFG_LOG_TOPIC_COUNT', `expected 3 topics, got ${topics.length}`, { count: topics.length })
  }
  if (!bytesEqual(topics[0]!, CONFIG_UPDATE_EVENT_TOPIC)) {
    throw fail('SYSCFG_LOG_WRONG_EVENT', 'topic0 is not ConfigUpdate')
  }
  if (!bytesEqual(topics[1]!, CONFIG_UPDATE_VERSION_0)) {
    throw fail('SYSCFG_LOG_UNKNOWN_VERSION', 'unknown ConfigUpdate version', { version: bytesToHex(topics[1]!) })
  }
  const t = topics[2]!
  const type = t.length === 32 && isZeroRange(t, 0, 31) ? t[31]! : -1
  const r = new WordReader(data)
  switch (type) {
    case ConfigUpdateType.BATCHER: {
      readHead(r, 32)
      const w = r.word('batcherHash')
      if (!isZeroRange(w, 0, 12)) throw fail('SYSCFG_LOG_BAD_PADDING', 'batcher address word has non-zero padding')
      r.expectEnd()
      return { type: 'batcher', batcherAddr: bytesToHex(w.subarray(12)) }
    }
    case ConfigUpdateType.FEE_SCALARS: {
      readHead(r, 64)
      const overhead = bytesToHex(r.word('overhead'))
      const scalar = bytesToHex(r.word('scalar'))
      r.expectEnd()
      return { type: 'feeScalars', overhead, scalar }
    }
    case ConfigUpdateType.GAS_LIMIT: {
      readHead(r, 32)
      const gasLimit = r.u64('gasLimit')
      if (gasLimit === null) throw fail('SYSCFG_LOG_BAD_PADDING', 'gas limit does not fit in uint64')
      r.expectEnd()
      return { type: 'gasLimit', gasLimit }
    }
    case ConfigUpdateType.UNSAFE_BLOCK_SIGNER:
      // Ignored by derivation (used by p2p); op-node does not parse the data either.
      return { type: 'unsafeBlockSigner' }
    case ConfigUpdateType.EIP_1559_PARAMS: {
      readHead(r, 32)
      const w = r.word('eip1559Params')
      r.expectEnd()
      return { type: 'eip1559Params', eip1559Params: bytesToHex(w.subarray(24)) }
    }
    case ConfigUpdateType.OPERATOR_FEE_PARAMS: {
      readHead(r, 32)
      const w = r.word('operatorFeeParams')
      r.expectEnd()
      return { type: 'operatorFee', operatorFee: bytesToHex(w) }
    }
    default:
      throw fail('SYSCFG_LOG_UNKNOWN_TYPE', 'unknown ConfigUpdate type', { type: bytesToHex(t) })
  }
}

/** Fork times the log rules depend on (keyed on the L1 block time). */
export interface SystemConfigForks {
  ecotoneTime?: number | undefined
}

const ZERO_WORD: Hash = `0x${'00'.repeat(32)}`

/**
 * Applies one update. FEE_SCALARS from Ecotone (by L1 time): an invalid scalar makes the update a no-op,
 * otherwise the scalar is stored and the overhead set to 0.
 */
export function applyConfigUpdate(
  cfg: SystemConfig,
  u: ConfigUpdate,
  l1Time: number,
  forks: SystemConfigForks,
): SystemConfig {
  switch (u.type) {
    case 'batcher':
      return { ...cfg, batcherAddr: u.batcherAddr }
    case 'feeScalars': {
      if (forks.ecotoneTime === undefined || l1Time < forks.ecotoneTime) {
        return { ...cfg, overhead: u.overhead, scalar: u.scalar }
      }
      try {
        decodeEcotoneScalar(hexToBytes(u.scalar))
      } catch {
        return cfg
      }
      return { ...cfg, overhead: ZERO_WORD, scalar: u.scalar }
    }
    case 'gasLimit':
      return { ...cfg, gasLimit: u.gasLimit }
    case 'unsafeBlockSigner':
      return cfg
    case 'eip1559Params':
      return { ...cfg, eip1559Params: u.eip1559Params }
    case 'operatorFee':
      return { ...cfg, operatorFee: u.operatorFee }
  }
}

/**
 * Applies the ConfigUpdate logs of one L1 block's receipts, in order: logs of successful receipts emitted by
 * `l1SystemConfigAddress` with topic0 = ConfigUpdate. Returns the new config (the input is not modified). Every
 * log is processed; if any is malformed, the first error is thrown (with the count in its meta) and the caller
 * escalates it (op-node: critical).
 */
export function applySystemConfigLogs(
  cfg: SystemConfig,
  receipts: readonly DepositReceiptLike[],
  l1SystemConfigAddress: Uint8Array | Address,
  l1Time: number,
  forks: SystemConfigForks,
): SystemConfig {
  const addr = typeof l1SystemConfigAddress === 'string' ? hexToBytes(l1SystemConfigAddress) : l1SystemConfigAddress
  let out = cfg
  const errors: SystemConfigError[] = []
  for (let r = 0; r < receipts.length; r++) {
    const rec = receipts[r]!
    if (Number(rec.status) !== 1) continue
    for (let l = 0; l < rec.logs.length; l++) {
      const log = rec.logs[l]!
      if (!bytesEqual(log.address, addr)) continue
      const t0 = log.topics[0]
      if (t0 === undefined || !bytesEqual(t0, CONFIG_UPDATE_EVENT_TOPIC)) continue
      try {
        out = applyConfigUpdate(out, parseConfigUpdateLog(log), l1Time, forks)
      } catch (err) {
        if (!(err instanceof SystemConfigError)) throw err
        errors.push(new SystemConfigError(err.code, err.message, { ...err.meta, receipt: r, log: l }))
      }
    }
  }
  if (errors.length > 0) {
    const first = errors[0]!
    throw new SystemConfigError(first.code, first.message, { ...first.meta, errors: errors.length })
  }
  return out
}

/** The parts of an L2 block SystemConfig recovery reads. */
export interface L2BlockForSystemConfig {
  number: number
  timestamp: number
  /** The first transaction, raw (the L1-info deposit); undefined if the block has none. */
  firstTx: Uint8Array | undefined
  gasLimit: bigint
  extraData: Uint8Array
}

export interface SystemConfigRecoveryConfig {
  genesisL2Number: number
  genesisSystemConfig: SystemConfig
  holoceneTime?: number | undefined
  isthmusTime?: number | undefined
}

/**
 * Recovers the SystemConfig an L2 block was built with (spec §4.12 "Recovering SystemConfig from an L2 block"):
 * the genesis config for the genesis block, otherwise from the block's L1-info tx, its gas limit and (Holocene)
 * its extraData.
 */
export function systemConfigFromL2Block(cfg: SystemConfigRecoveryConfig, block: L2BlockForSystemConfig): SystemConfig {
  if (block.number === cfg.genesisL2Number) return { ...cfg.genesisSystemConfig }
  if (block.firstTx === undefined) {
    throw fail('SYSCFG_L2_BLOCK_INVALID', 'L2 block has no transactions', { number: block.number })
  }
  let info: ReturnType<typeof decodeL1Info>
  try {
    info = decodeL1Info(decodeDepositTx(block.firstTx).data)
  } catch (err) {
    throw new SystemConfigError(
      'SYSCFG_L2_BLOCK_INVALID',
      'first tx of the L2 block is not a valid L1-info deposit',
      { number: block.number },
      { cause: err },
    )
  }
  const fees = systemConfigFeesFromL1Info(info)
  const out: SystemConfig = {
    batcherAddr: bytesToHex(info.batcherAddr),
    overhead: bytesToHex(fees.overhead),
    scalar: bytesToHex(fees.scalar),
    gasLimit: block.gasLimit,
  }
  if (cfg.holoceneTime !== undefined && block.timestamp >= cfg.holoceneTime) {
    try {
      validateHoloceneExtraData(block.extraData)
    } catch (err) {
      throw new SystemConfigError(
        'SYSCFG_L2_BLOCK_INVALID',
        'Holocene L2 block has invalid extraData',
        { number: block.number },
        { cause: err },
      )
    }
    out.eip1559Params = bytesToHex(block.extraData.subarray(1, 9))
  }
  if (info.kind === 'isthmus') {
    const w = new Uint8Array(32)
    writeUintBE(w, 0, 32, (info.operatorFeeScalar << 64n) | info.operatorFeeConstant)
    out.operatorFee = bytesToHex(w)
  }
  return out
}

/** SystemConfig from rollup.json's genesis.system_config. */
export function systemConfigFromGenesis(sc: {
  batcherAddr: string
  overhead: string
  scalar: string
  gasLimit: number
  eip1559Params?: string | undefined
}): SystemConfig {
  const out: SystemConfig = {
    batcherAddr: sc.batcherAddr.toLowerCase() as Address,
    overhead: sc.overhead.toLowerCase() as Hash,
    scalar: sc.scalar.toLowerCase() as Hash,
    gasLimit: BigInt(sc.gasLimit),
  }
  if (sc.eip1559Params !== undefined) out.eip1559Params = sc.eip1559Params.toLowerCase() as Hex
  return out
}

/** bytes32 → uint256 (for tests and callers that need the numeric value). */
export function wordValue(h: Hash): bigint {
  return bytesToBigInt(hexToBytes(h))
}
