import { bytesToHex } from '../../config/bytes.ts'
import { NodeError } from '../../config/errors.ts'
import type { BlockID, Hash, L2BlockRef } from '../../config/types.ts'
import { DEPOSIT_TX_TYPE, decodeDepositTx } from '../../derivation/protocol/depositTx.ts'
import { decodeL1Info } from '../../derivation/protocol/l1Info.ts'
import type { Block } from './types.ts'

// op-node's L2BlockToBlockRef: an L2 block's L1 origin and sequence number come from its L1-info deposit (the
// first tx); the genesis block has none and takes the rollup's genesis L1 block. One place for the RPC, the
// sequencer and derivation.

export class MissingL1InfoError extends NodeError<'L2_BLOCK_NO_L1_INFO'> {}

export interface L2Genesis {
  l1: BlockID
  l2Number: number
}

export function l2BlockRefOf(block: Block, genesis: L2Genesis): L2BlockRef {
  const number = Number(block.header.number)
  let l1origin: BlockID = genesis.l1
  let sequenceNumber = 0
  if (number !== genesis.l2Number) {
    const first = block.transactions[0]
    if (first === undefined || first.raw[0] !== DEPOSIT_TX_TYPE) {
      throw new MissingL1InfoError('L2_BLOCK_NO_L1_INFO', 'L2 block does not start with the L1-info deposit', {
        l2: number,
      })
    }
    const info = decodeL1Info(decodeDepositTx(first.raw).data)
    l1origin = { hash: bytesToHex(info.blockHash), number: Number(info.number) }
    sequenceNumber = Number(info.sequenceNumber)
  }
  return {
    hash: bytesToHex(block.hash),
    number,
    parentHash: bytesToHex(block.header.parentHash),
    timestamp: Number(block.header.timestamp),
    l1origin,
    sequenceNumber,
  }
}

/** The genesis anchor of a rollup.json. */
export function l2GenesisOf(rollup: {
  genesis: { l1: { hash: string; number: number }; l2: { number: number } }
}): L2Genesis {
  return {
    l1: { hash: rollup.genesis.l1.hash as Hash, number: rollup.genesis.l1.number },
    l2Number: rollup.genesis.l2.number,
  }
}
