import { hexToBytes } from '../../config/bytes.ts'
import type { ExecutionPayloadEnvelope } from '../../config/executionPayload.ts'
import type { RollupConfig } from '../../config/rollupConfig.ts'
import type { BlockID, Hash, L2BlockRef } from '../../config/types.ts'
import type { PayloadAttributes } from '../../derivation/attributes/attributesBuilder.ts'
import type {
  InsertResult,
  L2BlockForMatch,
  L2Engine,
  L2Heads,
  UnsafeInsertResult,
} from '../../derivation/driver/l2Engine.ts'
import { PipelineError } from '../../derivation/pipelineErrors.ts'
import { DEPOSIT_TX_TYPE } from '../../derivation/protocol/depositTx.ts'
import {
  type SystemConfig,
  type SystemConfigRecoveryConfig,
  systemConfigFromGenesis,
  systemConfigFromL2Block,
} from '../../derivation/protocol/systemConfig.ts'
import type { ExecutionEngine } from '../engine/engine.ts'
import { InvalidPayloadError, InvalidTransactionError } from '../engine/errors.ts'
import { l2BlockRefOf, MissingL1InfoError } from '../engine/l2BlockRef.ts'
import type { Block } from '../engine/types.ts'

// The derivation driver's L2Engine over the embedded ExecutionEngine, driven through its Engine-API-shaped methods
// exactly as op-node drives op-geth: forkchoiceUpdated(+attributes) -> getPayload -> newPayload -> forkchoiceUpdated.
// Also the batch queue's L2ChainSource. Block refs take their L1 origin and sequence number from the block's
// L1-info deposit (the genesis block's origin is genesis.l1).

export interface EngineL2Config extends SystemConfigRecoveryConfig {
  genesisL1: BlockID
}

export function engineL2ConfigFromRollup(rollup: RollupConfig): EngineL2Config {
  return {
    genesisL1: { hash: rollup.genesis.l1.hash as Hash, number: rollup.genesis.l1.number },
    genesisL2Number: rollup.genesis.l2.number,
    genesisSystemConfig: systemConfigFromGenesis(rollup.genesis.system_config),
    holoceneTime: rollup.holocene_time,
    isthmusTime: rollup.isthmus_time,
  }
}

export class EngineL2 implements L2Engine {
  constructor(
    readonly engine: ExecutionEngine,
    private readonly cfg: EngineL2Config,
  ) {}

  /** The L2 block ref of a block (op-node L2BlockToBlockRef). */
  refOf(block: Block): L2BlockRef {
    try {
      return l2BlockRefOf(block, { l1: this.cfg.genesisL1, l2Number: this.cfg.genesisL2Number })
    } catch (err) {
      if (err instanceof MissingL1InfoError) throw PipelineError.crit(err.code, err.message, err.meta)
      throw err
    }
  }

  heads(): L2Heads {
    const h = this.engine.head
    return { unsafe: this.refOf(h.unsafe), safe: this.refOf(h.safe), finalized: this.refOf(h.finalized) }
  }

  private async canonical(n: number): Promise<Block> {
    const hash = await this.engine.store.getCanonicalHash(BigInt(n))
    const block = hash ? await this.engine.store.getBlock(hash) : undefined
    if (!block) throw PipelineError.temp('L2_BLOCK_NOT_FOUND', `L2 block ${n} not found`, { l2: n })
    return block
  }

  private async byHash(hash: Hash): Promise<Block> {
    const block = await this.engine.store.getBlock(hexToBytes(hash))
    if (!block) throw PipelineError.reset('L2_BLOCK_NOT_FOUND', `L2 block ${hash} not found`, { l2: hash })
    return block
  }

  async l2BlockRefByNumber(n: number): Promise<L2BlockRef> {
    return this.refOf(await this.canonical(n))
  }

  async l2BlockRefByHash(hash: Hash): Promise<L2BlockRef> {
    return this.refOf(await this.byHash(hash))
  }

  async nonDepositTransactionsByNumber(n: number): Promise<Uint8Array[]> {
    const block = await this.canonical(n)
    return block.transactions.filter((t) => t.raw[0] !== DEPOSIT_TX_TYPE).map((t) => t.raw)
  }

  async blockForMatch(n: number): Promise<L2BlockForMatch | null> {
    const hash = await this.engine.store.getCanonicalHash(BigInt(n))
    const block = hash ? await this.engine.store.getBlock(hash) : undefined
    if (!block) return null
    const h = block.header
    const holocene = this.cfg.holoceneTime !== undefined && Number(h.timestamp) >= this.cfg.holoceneTime
    return {
      ref: this.refOf(block),
      prevRandao: h.mixHash,
      feeRecipient: h.coinbase,
      gasLimit: h.gasLimit,
      transactions: block.transactions.map((t) => t.raw),
      hasWithdrawals: h.withdrawalsRoot !== undefined,
      parentBeaconBlockRoot: h.parentBeaconBlockRoot,
      eip1559Params: holocene ? h.extraData.subarray(1, 9) : undefined,
    }
  }

  async insertSafe(attrs: PayloadAttributes): Promise<InsertResult> {
    const { safe, finalized } = this.engine.head
    let built: Awaited<ReturnType<ExecutionEngine['getPayload']>>
    try {
      const fc = { headBlockHash: safe.hash, safeBlockHash: safe.hash, finalizedBlockHash: finalized.hash }
      const { payloadId } = await this.engine.forkchoiceUpdated(fc, attrs)
      if (!payloadId) throw PipelineError.temp('ENGINE_NO_PAYLOAD_ID', 'engine did not start building the block')
      built = await this.engine.getPayload(payloadId)
    } catch (err) {
      if (err instanceof InvalidPayloadError || err instanceof InvalidTransactionError) {
        return { kind: 'invalid', reason: err.message }
      }
      throw err
    }
    const status = await this.engine.newPayload(built.executionPayload, built.parentBeaconBlockRoot)
    if (status.status === 'INVALID') return { kind: 'invalid', reason: status.validationError ?? 'invalid payload' }
    if (status.status !== 'VALID') {
      throw PipelineError.temp('ENGINE_PAYLOAD_NOT_VALID', `engine answered ${status.status} for a derived block`)
    }
    const hash = built.block.hash
    await this.engine.forkchoiceUpdated({
      headBlockHash: hash,
      safeBlockHash: hash,
      finalizedBlockHash: finalized.hash,
    })
    return { kind: 'valid', ref: this.refOf(built.block) }
  }

  async promoteSafe(ref: L2BlockRef): Promise<void> {
    await this.engine.updateSafety(hexToBytes(ref.hash))
  }

  async insertUnsafe(envelope: ExecutionPayloadEnvelope): Promise<UnsafeInsertResult> {
    const status = await this.engine.newPayload(envelope.executionPayload, envelope.parentBeaconBlockRoot)
    if (status.status === 'INVALID') return 'invalid'
    if (status.status !== 'VALID') return 'syncing'
    // zero safe/finalized: keep them as they are when the update runs (values read now could be stale)
    const keep = new Uint8Array(32)
    await this.engine.forkchoiceUpdated({
      headBlockHash: envelope.executionPayload.blockHash,
      safeBlockHash: keep,
      finalizedBlockHash: keep,
    })
    return 'valid'
  }

  async forkchoice(heads: { unsafe: Hash; safe: Hash; finalized: Hash }): Promise<void> {
    const res = await this.engine.forkchoiceUpdated({
      headBlockHash: hexToBytes(heads.unsafe),
      safeBlockHash: hexToBytes(heads.safe),
      finalizedBlockHash: hexToBytes(heads.finalized),
    })
    if (res.payloadStatus.status !== 'VALID') {
      throw PipelineError.temp('ENGINE_FORKCHOICE_NOT_VALID', `forkchoice update answered ${res.payloadStatus.status}`)
    }
  }

  async updateSafety(heads: { safe: Hash; finalized: Hash }): Promise<void> {
    await this.engine.updateSafety(hexToBytes(heads.safe), hexToBytes(heads.finalized))
  }

  async systemConfigByL2Hash(hash: Hash): Promise<SystemConfig> {
    const block = await this.byHash(hash)
    return systemConfigFromL2Block(this.cfg, {
      number: Number(block.header.number),
      timestamp: Number(block.header.timestamp),
      firstTx: block.transactions[0]?.raw,
      gasLimit: block.header.gasLimit,
      extraData: block.header.extraData,
    })
  }
}
