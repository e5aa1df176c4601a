import { bytesToHex } from '../../config/bytes.ts'
import type { Hash } from '../../config/types.ts'
import { type Sequencer, SequencerError } from '../../sequencer/sequencer.ts'
import { RpcError, RpcMethods } from './jsonrpc.ts'
import { hash32, ParamReader } from './params.ts'

// op-node's `admin_` sequencer controls (op-node/node/api.go adminAPI), as op-conductor and operators call them.
// Errors reach the client as geth-style -32000 errors with op-node's messages ("sequencer already running",
// "sequencer not running", "block hash does not match: ...").

export type SequencerControl = Pick<Sequencer, 'startSequencer' | 'stopSequencer' | 'isActive'>

function asRpcError(err: unknown): unknown {
  if (err instanceof SequencerError) return RpcError.server(err.message)
  return err
}

export function createAdminApi(sequencer: SequencerControl): RpcMethods {
  const m = new RpcMethods()
  m.register('admin_startSequencer', async (raw) => {
    const hash = bytesToHex(new ParamReader(raw, ['blockHash']).required(0, hash32)) as Hash
    try {
      await sequencer.startSequencer(hash)
    } catch (err) {
      throw asRpcError(err)
    }
    return null
  })
  m.register('admin_stopSequencer', async () => {
    try {
      return await sequencer.stopSequencer()
    } catch (err) {
      throw asRpcError(err)
    }
  })
  m.register('admin_sequencerActive', () => sequencer.isActive())
  return m
}
