import type { Hex } from 'viem'
import { NodeError } from '../../config/errors.ts'
import type { L1BlockAnchor, ProposerOutput, ProposerOutputSource } from '../../sequencer/proposer.ts'
import type { ExecutionEngine } from '../engine/engine.ts'

// The proposer's view of this node: the engine's safe head and the output root of a canonical block,
// anchored to the L1 block derivation has reached (when the node knows it).

export class OutputSourceError extends NodeError<'OUTPUT_BLOCK_UNKNOWN'> {}

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}` as Hex

export function engineOutputSource(
  engine: ExecutionEngine,
  currentL1?: () => L1BlockAnchor | undefined,
): ProposerOutputSource {
  return {
    async safeHead() {
      return engine.head.safe.header.number
    },
    async outputAtBlock(n: bigint): Promise<ProposerOutput> {
      const hash = await engine.store.getCanonicalHash(n)
      const block = hash ? await engine.store.getBlock(hash) : undefined
      if (!block)
        throw new OutputSourceError('OUTPUT_BLOCK_UNKNOWN', `L2 block ${n} is not canonical in this node yet`, {
          l2: Number(n),
        })
      const out = await engine.outputAt(block)
      const l1 = currentL1?.()
      return {
        outputRoot: hex(out.outputRoot),
        blockRef: { number: block.header.number, hash: hex(block.hash), timestamp: block.header.timestamp },
        ...(l1 ? { currentL1: l1 } : {}),
      }
    },
  }
}
