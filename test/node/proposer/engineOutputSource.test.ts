import { concat, type Hex, keccak256, toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { engineOutputSource, OutputSourceError } from '../../../node/proposer/engineOutputSource.ts'
import { openEngine } from '../../helpers/engineFixture.ts'

// The proposer's output source over a real engine: block refs and output roots (opstack-spec §6: keccak of
// version 0 ++ state root ++ L2ToL1MessagePasser storage root ++ block hash) of canonical blocks.

let e: Awaited<ReturnType<typeof openEngine>>
beforeAll(async () => {
  e = await openEngine()
})
afterAll(async () => {
  await e?.close()
})

describe('engineOutputSource', () => {
  it('reports the safe head and the v0 output root of a canonical block', async () => {
    const l1 = { number: 7n, hash: `0x${'07'.repeat(32)}` as Hex }
    const src = engineOutputSource(e.engine, () => l1)
    expect(await src.safeHead()).toBe(e.engine.head.safe.header.number)
    const genesis = e.engine.head.unsafe
    const out = await src.outputAtBlock(0n)
    const parts = await e.engine.outputAt(genesis)
    const expected = keccak256(
      concat([
        toHex(0n, { size: 32 }),
        toHex(genesis.header.stateRoot),
        toHex(parts.messagePasserStorageRoot),
        toHex(genesis.hash),
      ]),
    )
    expect(out.outputRoot).toBe(expected)
    expect(out.blockRef).toEqual({ number: 0n, hash: toHex(genesis.hash), timestamp: genesis.header.timestamp })
    expect(out.currentL1).toEqual(l1)
  })

  it('throws a typed error for a block the node does not have', async () => {
    const err = await engineOutputSource(e.engine)
      .outputAtBlock(1_000n)
      .catch((x: unknown) => x)
    expect(err).toBeInstanceOf(OutputSourceError)
    expect((err as OutputSourceError).code).toBe('OUTPUT_BLOCK_UNKNOWN')
  })
})
