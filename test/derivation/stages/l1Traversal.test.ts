import { describe, expect, it } from 'vitest'
import { EOF, isCritical, isReset, isTemporary, PipelineError } from '../../../derivation/pipelineErrors.ts'
import { L1Traversal } from '../../../derivation/stages/l1Traversal.ts'
import { InMemoryL1Source } from '../../fakes/inMemoryL1Source.ts'
import { baseSysCfg, batcherLog, configUpdateLog, gasLimitLog, SYS_CFG_ADDR } from '../sysCfgHelpers.ts'

const NEW_BATCHER = '0xabcdefabcdefabcdefabcdefabcdefabcdefabcd'
const cfg = { l1SystemConfigAddress: SYS_CFG_ADDR, ecotoneTime: 0 }

function setup(n = 3) {
  const l1 = new InMemoryL1Source(100)
  for (let i = 0; i < n; i++) l1.addBlock()
  const t = new L1Traversal(cfg, l1, baseSysCfg())
  t.reset(l1.blocks[0]!.ref, baseSysCfg())
  return { l1, t }
}

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p
  } catch (e) {
    return e
  }
  throw new Error('did not throw')
}

describe('L1Traversal', () => {
  it('hands out the current block once, then EOF until it advances', async () => {
    const { l1, t } = setup()
    expect(t.origin()).toEqual(l1.blocks[0]!.ref)
    expect(await t.nextL1Block()).toEqual(l1.blocks[0]!.ref)
    expect(await t.nextL1Block()).toBe(EOF)
    expect(await t.advanceL1Block()).toBeUndefined()
    expect(t.origin()).toEqual(l1.blocks[1]!.ref)
    expect(await t.nextL1Block()).toEqual(l1.blocks[1]!.ref)
    expect(await t.nextL1Block()).toBe(EOF)
  })

  it('EOF at the L1 head, and stays on the head block', async () => {
    const { l1, t } = setup(2)
    expect(await t.advanceL1Block()).toBeUndefined()
    expect(await t.advanceL1Block()).toBe(EOF)
    expect(t.origin()).toEqual(l1.blocks[1]!.ref)
    l1.addBlock()
    expect(await t.advanceL1Block()).toBeUndefined()
    expect(t.origin()).toEqual(l1.blocks[2]!.ref)
  })

  it('a next block that does not extend the origin is an L1 reorg (reset)', async () => {
    const { l1, t } = setup()
    t.reset({ ...l1.blocks[0]!.ref, hash: `0x${'ee'.repeat(32)}` }, baseSysCfg())
    const err = await caught(t.advanceL1Block())
    expect(isReset(err)).toBe(true)
    expect((err as PipelineError).code).toBe('L1_REORG')
    expect(t.origin()!.hash).toBe(`0x${'ee'.repeat(32)}`)
  })

  it('a batcher change from a ConfigUpdate log applies at that block', async () => {
    const l1 = new InMemoryL1Source(100)
    l1.addBlock()
    l1.addBlock([], { receipts: [{ status: 1, logs: [batcherLog(NEW_BATCHER), gasLimitLog(40_000_000n)] }] })
    const t = new L1Traversal(cfg, l1, baseSysCfg())
    t.reset(l1.blocks[0]!.ref, baseSysCfg())
    expect(t.batcherAddr()).toBe(baseSysCfg().batcherAddr)
    await t.advanceL1Block()
    expect(t.batcherAddr()).toBe(NEW_BATCHER)
    expect(t.systemConfig().gasLimit).toBe(40_000_000n)
  })

  it('logs from failed receipts are not applied', async () => {
    const l1 = new InMemoryL1Source(100)
    l1.addBlock()
    l1.addBlock([], { receipts: [{ status: 0, logs: [batcherLog(NEW_BATCHER)] }] })
    const t = new L1Traversal(cfg, l1, baseSysCfg())
    t.reset(l1.blocks[0]!.ref, baseSysCfg())
    await t.advanceL1Block()
    expect(t.batcherAddr()).toBe(baseSysCfg().batcherAddr)
  })

  it('a malformed ConfigUpdate log is critical and the traversal does not move', async () => {
    const l1 = new InMemoryL1Source(100)
    l1.addBlock()
    l1.addBlock([], { receipts: [{ status: 1, logs: [configUpdateLog(0, new Uint8Array(7))] }] })
    const t = new L1Traversal(cfg, l1, baseSysCfg())
    t.reset(l1.blocks[0]!.ref, baseSysCfg())
    const err = await caught(t.advanceL1Block())
    expect(isCritical(err)).toBe(true)
    expect((err as PipelineError).code).toBe('L1_SYSCFG_UPDATE_INVALID')
    expect(t.origin()).toEqual(l1.blocks[0]!.ref)
  })

  it('temporary source errors propagate as temporary; raw errors become temporary', async () => {
    const { l1, t } = setup()
    const temp = PipelineError.temp('RPC_TIMEOUT', 'timeout')
    const orig = l1.receiptsByHash.bind(l1)
    l1.receiptsByHash = async () => {
      throw temp
    }
    expect(await caught(t.advanceL1Block())).toBe(temp)
    l1.receiptsByHash = async () => {
      throw new Error('socket hang up')
    }
    expect(isTemporary(await caught(t.advanceL1Block()))).toBe(true)
    l1.l1BlockRefByNumber = async () => {
      throw new Error('boom')
    }
    expect(isTemporary(await caught(t.advanceL1Block()))).toBe(true)
    l1.receiptsByHash = orig
    expect(t.origin()).toEqual(l1.blocks[0]!.ref)
  })

  it('before a reset there is no origin', async () => {
    const l1 = new InMemoryL1Source(100)
    const t = new L1Traversal(cfg, l1, baseSysCfg())
    expect(t.origin()).toBeNull()
    expect(await t.nextL1Block()).toBe(EOF)
    expect(isCritical(await caught(t.advanceL1Block()))).toBe(true)
  })
})
