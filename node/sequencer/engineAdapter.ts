import { hexToBytes } from '../../config/bytes.ts'
import { NodeError } from '../../config/errors.ts'
import type { ExecutionPayloadEnvelope } from '../../config/executionPayload.ts'
import type { RollupConfig } from '../../config/rollupConfig.ts'
import type { L2BlockRef } from '../../config/types.ts'
import type { PayloadAttributes } from '../../derivation/attributes/attributesBuilder.ts'
import {
  type SystemConfig,
  systemConfigFromGenesis,
  systemConfigFromL2Block,
} from '../../derivation/protocol/systemConfig.ts'
import type { SequencerEngine } from '../../sequencer/sequencer.ts'
import { type ExecutionEngine, payloadFromBlock } from '../engine/engine.ts'
import { l2BlockRefOf, l2GenesisOf } from '../engine/l2BlockRef.ts'
import type { Block } from '../engine/types.ts'

// The sequencer's engine port over the embedded ExecutionEngine. Block refs (L1 origin, sequence number) and the
// SystemConfig come from each block's L1-info deposit, exactly as op-node reads them from op-geth payloads.

export interface EngineAdapterOptions {
  engine: ExecutionEngine
  rollup: RollupConfig
  /** Told after each built block (the tx pool drops included txs and re-validates the rest). */
  onBuilt?: (block: Block) => Promise<void>
}

export class ExecutionEngineSequencerAdapter implements SequencerEngine {
  private readonly genesisSysCfg: SystemConfig

  constructor(private readonly o: EngineAdapterOptions) {
    this.genesisSysCfg = systemConfigFromGenesis(o.rollup.genesis.system_config)
  }

  unsafeHead(): L2BlockRef {
    return this.refOf(this.o.engine.head.unsafe)
  }

  async systemConfigOf(ref: L2BlockRef): Promise<SystemConfig> {
    const block = await this.o.engine.store.getBlock(hexToBytes(ref.hash))
    if (!block)
      throw new NodeError(
        'SEQUENCER_PARENT_MISSING',
        `L2 block ${ref.number} ${ref.hash} is not in the database: the unsafe head moved under the sequencer, retry`,
        { number: ref.number, hash: ref.hash },
      )
    const r = this.o.rollup
    return systemConfigFromL2Block(
      {
        genesisL2Number: r.genesis.l2.number,
        genesisSystemConfig: this.genesisSysCfg,
        holoceneTime: r.holocene_time,
        isthmusTime: r.isthmus_time,
      },
      {
        number: Number(block.header.number),
        timestamp: Number(block.header.timestamp),
        firstTx: block.transactions[0]?.raw,
        gasLimit: block.header.gasLimit,
        extraData: block.header.extraData,
      },
    )
  }

  async build(attrs: PayloadAttributes): Promise<{ envelope: ExecutionPayloadEnvelope; ref: L2BlockRef }> {
    const block = await this.o.engine.buildBlock(attrs)
    await this.o.onBuilt?.(block)
    const envelope: ExecutionPayloadEnvelope = { executionPayload: payloadFromBlock(block) }
    if (block.header.parentBeaconBlockRoot) envelope.parentBeaconBlockRoot = block.header.parentBeaconBlockRoot
    return { envelope, ref: this.refOf(block) }
  }

  private refOf(block: Block): L2BlockRef {
    return l2BlockRefOf(block, l2GenesisOf(this.o.rollup))
  }
}
