import { afterEach, describe, expect, it } from 'vitest'
import { keccak256 } from '../../../config/keccak.ts'
import { payloadFromBlock } from '../../../node/engine/engine.ts'
import {
  attributes,
  DEFAULT_L1_INFO,
  DEV_ADDRS,
  DEV_KEYS,
  l1InfoDeposit,
  openEngine,
  signTransfer,
} from '../../helpers/engineFixture.ts'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  while (closers.length) await (closers.pop() as () => Promise<void>)()
})

describe('forkchoice: reorgs and unknown blocks', () => {
  it('switches the canonical chain between competing blocks and rewrites tx lookups', async () => {
    const e = await openEngine()
    closers.push(() => e.close())
    const { engine, store } = e
    const g = engine.head.unsafe
    const txA = signTransfer(DEV_KEYS[0] as Uint8Array, 0n, DEV_ADDRS[1] as Uint8Array, 1n)
    const txB = signTransfer(DEV_KEYS[0] as Uint8Array, 0n, DEV_ADDRS[2] as Uint8Array, 2n)
    const zero = new Uint8Array(32)
    const fc = (h: Uint8Array) => ({ headBlockHash: h, safeBlockHash: g.hash, finalizedBlockHash: zero })
    // Build A1 and A2 on genesis, then B1 on genesis.
    const a1 = await engine.buildBlock(attributes(g.header.timestamp, [l1InfoDeposit(), txA]))
    const a2 = await engine.buildBlock(
      attributes(a1.header.timestamp, [l1InfoDeposit({ ...DEFAULT_L1_INFO, sequenceNumber: 1n })]),
    )
    const { payloadId } = await engine.forkchoiceUpdated(
      fc(g.hash),
      attributes(g.header.timestamp, [l1InfoDeposit(), txB]),
    )
    const b1 = (await engine.getPayload(payloadId as Uint8Array)).block
    expect((await engine.newPayload(payloadFromBlock(b1), b1.header.parentBeaconBlockRoot)).status).toBe('VALID')
    // forkchoiceUpdated(head = genesis) rewound the head; newPayload stores B1 without moving it
    expect(hex(engine.head.unsafe.hash)).toBe(hex(g.hash))
    expect(await store.getCanonicalHash(1n)).toBeUndefined()
    await engine.forkchoiceUpdated(fc(b1.hash))
    expect(hex(engine.head.unsafe.hash)).toBe(hex(b1.hash))
    expect(hex((await store.getCanonicalHash(1n)) as Uint8Array)).toBe(hex(b1.hash))
    expect(await store.getCanonicalHash(2n)).toBeUndefined()
    expect(await store.getTxLocation(keccak256(txA))).toBeUndefined()
    expect((await store.getTxLocation(keccak256(txB)))?.blockNumber).toBe(1n)
    // and back to A2
    await engine.forkchoiceUpdated(fc(a2.hash))
    expect(hex((await store.getCanonicalHash(1n)) as Uint8Array)).toBe(hex(a1.hash))
    expect(hex((await store.getCanonicalHash(2n)) as Uint8Array)).toBe(hex(a2.hash))
    expect(await store.getTxLocation(keccak256(txB))).toBeUndefined()
    expect((await store.getTxLocation(keccak256(txA)))?.blockNumber).toBe(1n)
    const st = await engine.stateAt(engine.head.unsafe.header)
    expect((await st.readAccount(DEV_ADDRS[0] as Uint8Array))?.nonce).toBe(1n)
  })

  it('answers SYNCING for unknown heads and parents, and rejects unknown payload ids and bad heads', async () => {
    const e = await openEngine()
    closers.push(() => e.close())
    const { engine } = e
    const unknown = keccak256(Uint8Array.of(42))
    const g = engine.head.unsafe
    expect(
      (await engine.forkchoiceUpdated({ headBlockHash: unknown, safeBlockHash: g.hash, finalizedBlockHash: g.hash }))
        .payloadStatus.status,
    ).toBe('SYNCING')
    const b = await engine.buildBlock(attributes(g.header.timestamp, [l1InfoDeposit()]))
    expect(
      (await engine.newPayload({ ...payloadFromBlock(b), parentHash: unknown, blockHash: keccak256(Uint8Array.of(7)) }))
        .status,
    ).toBe('SYNCING')
    await expect(engine.getPayload(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 99))).rejects.toThrow(/unknown payload id/)
    await expect(
      engine.forkchoiceUpdated({ headBlockHash: g.hash, safeBlockHash: b.hash, finalizedBlockHash: g.hash }),
    ).rejects.toThrow(/inconsistent heads/)
    // a block whose first tx is not a deposit is invalid
    const bad = await engine.newPayload(
      {
        ...payloadFromBlock(b),
        transactions: [signTransfer(DEV_KEYS[0] as Uint8Array, 0n, DEV_ADDRS[1] as Uint8Array, 1n)],
        blockHash: keccak256(Uint8Array.of(8)),
      },
      b.header.parentBeaconBlockRoot,
    )
    expect(bad.status).toBe('INVALID')
  })
})

describe('BLOCKHASH follows the chain being executed, not the canonical index', () => {
  it('a side-chain payload re-executes to the same state root (its BLOCKHASH sees its own ancestors)', async () => {
    const { Address } = await import('@ethereumjs/util')
    const { genesisState } = await import('../../helpers/engineFixture.ts')
    // NUMBER PUSH1 1 SWAP1 SUB BLOCKHASH PUSH1 0 SSTORE STOP: stores blockhash(number - 1) in slot 0
    const probe = Buffer.alloc(20, 0xbb)
    const genesis = () =>
      genesisState([{ address: probe, balance: 0n, code: Buffer.from('4360019003406000550000', 'hex') }])
    // X builds the chain genesis -> B1 -> B2 (B2 calls the probe)
    const x = await openEngine(undefined, genesis())
    closers.push(() => x.close())
    const g = x.engine.head.unsafe
    const b1 = await x.engine.buildBlock({
      ...attributes(g.header.timestamp, [l1InfoDeposit()]),
      prevRandao: keccak256(Uint8Array.of(77)),
    })
    const call = signTransfer(DEV_KEYS[0] as Uint8Array, 0n, probe, 0n, { gas: 100_000n })
    const b2 = await x.engine.buildBlock(
      attributes(b1.header.timestamp, [l1InfoDeposit({ ...DEFAULT_L1_INFO, sequenceNumber: 1n }), call]),
    )
    expect(hex(await (await x.engine.stateAt(b2.header)).getStorage(new Address(probe), new Uint8Array(32)))).toBe(
      hex(b1.hash),
    )
    // Y has a different canonical block 1 (A1) and receives B1, B2 as payloads without moving its head
    const y = await openEngine(undefined, genesis())
    closers.push(() => y.close())
    const a1 = await y.engine.buildBlock(attributes(g.header.timestamp, [l1InfoDeposit()]))
    expect(hex(a1.hash)).not.toBe(hex(b1.hash))
    expect((await y.engine.newPayload(payloadFromBlock(b1), b1.header.parentBeaconBlockRoot)).status).toBe('VALID')
    expect((await y.engine.newPayload(payloadFromBlock(b2), b2.header.parentBeaconBlockRoot)).status).toBe('VALID')
    expect(hex((await y.store.getCanonicalHash(1n)) as Uint8Array)).toBe(hex(a1.hash))
  })
})
