import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { BlockID } from '../../../config/types.ts'
import { SafeHeadStore } from '../../../node/db/safeHeadStore.ts'

// op-node safedb semantics: the latest record at or before an L1 block, truncation on a safe-head reset, and
// records that survive a reopen.

const id = (tag: string, n: number): BlockID => ({ hash: `0x${tag.repeat(32)}`, number: n })

let dir = ''
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
  dir = ''
})

describe('SafeHeadStore', () => {
  it('answers with the latest record at or before the L1 block, truncates on reset, persists', async () => {
    dir = mkdtempSync(join(tmpdir(), 'oln-safedb-'))
    let store = await SafeHeadStore.open(dir)
    expect(await store.safeHeadAtL1Block(10)).toBeNull()
    await store.safeHeadUpdated(id('a1', 10), id('b1', 3))
    await store.safeHeadUpdated(id('a2', 12), id('b2', 8))
    await store.safeHeadUpdated(id('a3', 300), id('b3', 20))
    expect(await store.safeHeadAtL1Block(9)).toBeNull()
    expect(await store.safeHeadAtL1Block(10)).toEqual({ l1Block: id('a1', 10), safeHead: id('b1', 3) })
    expect(await store.safeHeadAtL1Block(11)).toEqual({ l1Block: id('a1', 10), safeHead: id('b1', 3) })
    expect(await store.safeHeadAtL1Block(299)).toEqual({ l1Block: id('a2', 12), safeHead: id('b2', 8) })
    expect(await store.safeHeadAtL1Block(1_000)).toEqual({ l1Block: id('a3', 300), safeHead: id('b3', 20) })

    await store.safeHeadReset(id('b9', 8)) // L2 blocks after 8 are derived again
    expect(await store.safeHeadAtL1Block(1_000)).toEqual({ l1Block: id('a2', 12), safeHead: id('b2', 8) })
    await store.close()

    store = await SafeHeadStore.open(dir)
    expect(await store.safeHeadAtL1Block(12)).toEqual({ l1Block: id('a2', 12), safeHead: id('b2', 8) })
    await store.safeHeadReset(id('b0', 0))
    expect(await store.safeHeadAtL1Block(1_000)).toBeNull()
    await store.close()
  })
})
