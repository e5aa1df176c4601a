import { describe, expect, it } from 'vitest'
import type { Address } from '../../../config/types.ts'
import { EOF, NOT_ENOUGH_DATA } from '../../../derivation/pipelineErrors.ts'
import { L1Retrieval } from '../../../derivation/stages/l1Retrieval.ts'
import { L1Traversal } from '../../../derivation/stages/l1Traversal.ts'
import { captureLogger } from '../../fakes/captureLogger.ts'
import { InMemoryBlobSource, InMemoryL1Source, tx } from '../../fakes/inMemoryL1Source.ts'
import { baseSysCfg, batcherLog, SYS_CFG_ADDR } from '../sysCfgHelpers.ts'

// L1 traversal as the real provider of L1 retrieval: a batcher change from a ConfigUpdate log authenticates the
// new batcher's txs from the block that carries the log.

const INBOX: Address = '0xff00000000000000000000000000000000000010'
const OLD = baseSysCfg().batcherAddr
const NEW: Address = '0xabcdefabcdefabcdefabcdefabcdefabcdefabcd'

async function drain(r: L1Retrieval): Promise<number[][]> {
  const out: number[][] = []
  for (let i = 0; i < 100; i++) {
    const d = await r.nextData()
    if (d === EOF) return out
    if (d !== NOT_ENOUGH_DATA) out.push([...d])
  }
  throw new Error('no EOF')
}

describe('L1Traversal → L1Retrieval', () => {
  it('switches the authenticated batcher at the block with the BATCHER update', async () => {
    const l1 = new InMemoryL1Source(100)
    l1.addBlock([tx({ to: INBOX, from: OLD, data: new Uint8Array([0, 1]) })])
    l1.addBlock(
      [
        tx({ to: INBOX, from: OLD, data: new Uint8Array([0, 2]) }),
        tx({ to: INBOX, from: NEW, data: new Uint8Array([0, 3]) }),
      ],
      { receipts: [{ status: 1, logs: [batcherLog(NEW)] }] },
    )
    const trav = new L1Traversal({ l1SystemConfigAddress: SYS_CFG_ADDR }, l1, baseSysCfg())
    trav.reset(l1.blocks[0]!.ref, baseSysCfg())
    const r = new L1Retrieval({ blockTime: 2, channelTimeout: 10, batchInboxAddress: INBOX }, trav, {
      l1,
      blobs: new InMemoryBlobSource(),
      logger: captureLogger().logger,
    })
    expect(await drain(r)).toEqual([[0, 1]])
    expect(await r.nextData()).toBe(EOF)
    expect(await trav.advanceL1Block()).toBeUndefined()
    expect(await drain(r)).toEqual([[0, 3]])
    expect(await trav.advanceL1Block()).toBe(EOF)
  })
})
