import { join } from 'node:path'
import type { Logger } from '../../config/logger.ts'
import type { RollupConfig } from '../../config/rollupConfig.ts'
import { type AttributesL1Source, attributesConfigFromRollup } from '../../derivation/attributes/attributesBuilder.ts'
import type { PipelineError } from '../../derivation/pipelineErrors.ts'
import type { L1HeadView, OriginL1Source } from '../../sequencer/originSelector.ts'
import { Sequencer } from '../../sequencer/sequencer.ts'
import type { UnsafeBlockPublisher } from '../../sequencer/unsafePublisher.ts'
import type { ExecutionEngine } from '../engine/engine.ts'
import { createAdminApi } from '../rpc/adminApi.ts'
import type { RpcMethods } from '../rpc/jsonrpc.ts'
import { ExecutionEngineSequencerAdapter } from './engineAdapter.ts'
import { JsonFileSequencerState } from './jsonFileSequencerState.ts'

// The sequencer as the node assembles it: engine adapter, persisted on/off file in the data directory and the
// admin_ RPC namespace, so nodeMain wires one object.

export interface NodeSequencerOptions {
  engine: ExecutionEngine
  /** Told after each built block (the tx pool's onNewHead). */
  onBuilt?: () => Promise<void>
  rollup: RollupConfig
  /** L1 refs, headers and receipts (the node's RpcL1Source implements both). */
  l1: OriginL1Source & AttributesL1Source
  /** The L1 head (the node's L1HeadTracker). */
  l1Head: L1HeadView
  publisher: UnsafeBlockPublisher
  /** The state file `sequencer_state.json` goes here (op-node --rpc.admin-state). */
  datadir: string
  log: Logger
  /** op-node --sequencer.l1-confs (default 4 like op-node; 0 on a dev L1). */
  l1ConfDepth?: number
  /** L1 Prague activation time (blob base fee fraction); undefined = Cancun rules. */
  l1PragueTime?: number
  onReset?: (err: PipelineError) => void
  onCritical?: (err: unknown) => void
}

export function createNodeSequencer(o: NodeSequencerOptions): { sequencer: Sequencer; adminApi: RpcMethods } {
  const engine = new ExecutionEngineSequencerAdapter({
    engine: o.engine,
    rollup: o.rollup,
    ...(o.onBuilt ? { onBuilt: o.onBuilt } : {}),
  })
  const sequencer = new Sequencer({
    config: {
      attributes: attributesConfigFromRollup(o.rollup, o.l1PragueTime),
      maxSequencerDrift: o.rollup.max_sequencer_drift,
      sequencerConfDepth: o.l1ConfDepth ?? 4,
    },
    engine,
    l1: o.l1,
    l1Info: o.l1,
    l1Head: o.l1Head,
    publisher: o.publisher,
    state: new JsonFileSequencerState(join(o.datadir, 'sequencer_state.json')),
    log: o.log.child({ module: 'sequencer' }),
    ...(o.onReset ? { onReset: o.onReset } : {}),
    ...(o.onCritical ? { onCritical: o.onCritical } : {}),
  })
  return { sequencer, adminApi: createAdminApi(sequencer) }
}
