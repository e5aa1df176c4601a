import { Address } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { afterEach, describe, expect, it } from 'vitest'
import { flzCompressLen } from '../../../config/protocol/fastlz.ts'
import { decodeDepositTx } from '../../../derivation/protocol/depositTx.ts'
import { payloadFromBlock } from '../../../node/engine/engine.ts'
import { BASE_FEE_VAULT, L1_FEE_VAULT } from '../../../node/engine/opTxProcessor.ts'
import {
  artifact,
  attributes,
  DEFAULT_L1_INFO,
  DEV_ADDRS,
  DEV_KEYS,
  encodeDeposit,
  l1InfoDeposit,
  openEngine,
  SEQUENCER_FEE_VAULT,
  signCreate,
  signTransfer,
} from '../../helpers/engineFixture.ts'

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  while (closers.length) await (closers.pop() as () => Promise<void>)()
})

async function open() {
  const e = await openEngine()
  closers.push(() => e.close())
  return e
}

async function balanceOf(engine: Awaited<ReturnType<typeof open>>['engine'], addr: Uint8Array) {
  const s = await engine.stateAt(engine.head.unsafe.header)
  return (await s.readAccount(addr))?.balance ?? 0n
}

/** Fjord L1 fee computed independently from the L1-info values (opstack-spec §3.3). */
function fjordFee(raw: Uint8Array): bigint {
  const i = DEFAULT_L1_INFO
  const scaled = BigInt(i.baseFeeScalar) * i.baseFee * 16n + BigInt(i.blobBaseFeeScalar) * i.blobBaseFee
  const est = BigInt(Math.max(100e6, -42_585_600 + 836_500 * flzCompressLen(raw)))
  return (est * scaled) / 10n ** 12n
}

describe('ExecutionEngine: OP state transition', () => {
  it('executes deposits and transfers with exact fee-vault accounting and OP receipts', async () => {
    const { engine, store } = await open()
    const g = engine.head.unsafe
    const newcomer = Buffer.alloc(20, 0x77)
    const userDeposit = encodeDeposit({
      sourceHash: keccak_256(Uint8Array.of(2)),
      from: newcomer,
      to: DEV_ADDRS[2] as Uint8Array,
      mint: 5n * 10n ** 18n,
      value: 10n ** 18n,
      gas: 100_000n,
      data: new Uint8Array(0),
    })
    // A deposit that fails (value > balance after mint): keeps the mint, bumps the nonce, uses all its gas.
    const failing = encodeDeposit({
      sourceHash: keccak_256(Uint8Array.of(3)),
      from: Buffer.alloc(20, 0x66),
      to: DEV_ADDRS[2] as Uint8Array,
      mint: 100n,
      value: 1000n,
      gas: 50_000n,
      data: new Uint8Array(0),
    })
    const t1 = signTransfer(DEV_KEYS[0] as Uint8Array, 0n, DEV_ADDRS[1] as Uint8Array, 12345n)
    const t2 = signTransfer(DEV_KEYS[0] as Uint8Array, 1n, Buffer.alloc(20, 0x55), 1n, { tip: 7n })
    const t3 = signTransfer(DEV_KEYS[1] as Uint8Array, 0n, DEV_ADDRS[0] as Uint8Array, 99n, {
      data: Buffer.from('00ff00aa', 'hex'),
      gas: 30_000n,
    })
    const before0 = await balanceOf(engine, DEV_ADDRS[0] as Uint8Array)
    const block = await engine.buildBlock(
      attributes(g.header.timestamp, [l1InfoDeposit(), userDeposit, failing, t1, t2, t3]),
    )
    expect(block.header.number).toBe(1n)
    expect(block.transactions).toHaveLength(6)
    const receipts = (await store.getReceipts(block.hash)) ?? []
    expect(receipts.map((r) => r.status)).toEqual([1, 1, 0, 1, 1, 1])
    // deposit receipts: depositNonce + version 1 (Canyon), no L1 fee
    expect(receipts[1]?.depositNonce).toBe(0n)
    expect(receipts[1]?.depositReceiptVersion).toBe(1n)
    expect(receipts[2]?.gasUsed).toBe(50_000n)
    expect(await balanceOf(engine, Buffer.alloc(20, 0x66))).toBe(100n)
    const st = await engine.stateAt(block.header)
    expect((await st.readAccount(Buffer.alloc(20, 0x66)))?.nonce).toBe(1n)
    expect(await balanceOf(engine, newcomer)).toBe(4n * 10n ** 18n)

    const baseFee = block.header.baseFeePerGas
    // Canyon EIP-1559 with elasticity 6: parent empty block -> base fee falls by 1/250 of parent*(target)/target
    expect(baseFee).toBe(1_000_000_000n - 1_000_000_000n / 250n)
    let base = 0n
    let tips = 0n
    let l1 = 0n
    const txs = [t1, t2, t3]
    const tipOf = [1_000_000n, 7n, 1_000_000n]
    for (let i = 0; i < 3; i++) {
      const r = receipts[3 + i]!
      const raw = txs[i]!
      expect(r.l1Fee).toBe(fjordFee(raw))
      expect(r.l1GasPrice).toBe(DEFAULT_L1_INFO.baseFee)
      expect(r.l1BlobBaseFee).toBe(DEFAULT_L1_INFO.blobBaseFee)
      expect(r.l1BaseFeeScalar).toBe(BigInt(DEFAULT_L1_INFO.baseFeeScalar))
      expect(r.l1BlobBaseFeeScalar).toBe(BigInt(DEFAULT_L1_INFO.blobBaseFeeScalar))
      expect(r.effectiveGasPrice).toBe(baseFee + tipOf[i]!)
      base += r.gasUsed * baseFee
      tips += r.gasUsed * tipOf[i]!
      l1 += r.l1Fee!
    }
    expect(receipts[5]?.gasUsed).toBe(21000n + 4n * 2n + 16n * 2n)
    expect(await balanceOf(engine, BASE_FEE_VAULT.bytes)).toBe(base)
    expect(await balanceOf(engine, SEQUENCER_FEE_VAULT)).toBe(tips)
    expect(await balanceOf(engine, L1_FEE_VAULT.bytes)).toBe(l1)
    const spent0 =
      12345n +
      1n +
      receipts[3]!.gasUsed * (baseFee + 1_000_000n) +
      receipts[3]!.l1Fee! +
      receipts[4]!.gasUsed * (baseFee + 7n) +
      receipts[4]!.l1Fee!
    expect(await balanceOf(engine, DEV_ADDRS[0] as Uint8Array)).toBe(before0 - spent0 + 99n)
  })

  it('deploys and calls a contract (WETH98 from contracts-bedrock), with logs and bloom', async () => {
    const { engine, store } = await open()
    const weth = artifact('WETH98')
    const create = signCreate(DEV_KEYS[0] as Uint8Array, 0n, weth.creation)
    const b1 = await engine.buildBlock(attributes(engine.head.unsafe.header.timestamp, [l1InfoDeposit(), create]))
    const r1 = (await store.getReceipts(b1.hash))![1]!
    expect(r1.status).toBe(1)
    const wethAddr = r1.contractAddress as Uint8Array
    expect(wethAddr).toHaveLength(20)
    // deposit() with value, then transfer(to, amount)
    const deposit = signTransfer(DEV_KEYS[0] as Uint8Array, 1n, wethAddr, 10n ** 18n, {
      data: Buffer.from('d0e30db0', 'hex'),
      gas: 100_000n,
    })
    const transferData = Buffer.concat([
      Buffer.from('a9059cbb', 'hex'),
      Buffer.alloc(12),
      DEV_ADDRS[1] as Uint8Array,
      Buffer.from((10n ** 17n).toString(16).padStart(64, '0'), 'hex'),
    ])
    const transfer = signTransfer(DEV_KEYS[0] as Uint8Array, 2n, wethAddr, 0n, { data: transferData, gas: 100_000n })
    const b2 = await engine.buildBlock(
      attributes(b1.header.timestamp, [l1InfoDeposit({ ...DEFAULT_L1_INFO, sequenceNumber: 1n }), deposit, transfer]),
    )
    const rs = (await store.getReceipts(b2.hash))!
    expect(rs.map((r) => r.status)).toEqual([1, 1, 1])
    expect(rs[2]!.logs).toHaveLength(1)
    expect(Buffer.from(rs[2]!.logs[0]!.topics[0]!).toString('hex')).toBe(
      Buffer.from(keccak_256(Buffer.from('Transfer(address,address,uint256)'))).toString('hex'),
    )
    const st = await engine.stateAt(b2.header)
    // WETH98's balanceOf mapping is storage slot 0 (forge-artifacts storageLayout)
    const slot = keccak_256(Buffer.concat([Buffer.alloc(12), DEV_ADDRS[1] as Uint8Array, Buffer.alloc(32)]))
    expect(Buffer.from(await st.getStorage(new Address(wethAddr), slot)).toString('hex')).toBe(
      (10n ** 17n).toString(16).padStart(16, '0'),
    )
  })

  it('a second engine re-executes the payload (newPayload) to the same hash, and rejects a tampered one', async () => {
    const a = await open()
    const b = await open()
    const txs = [l1InfoDeposit(), signTransfer(DEV_KEYS[0] as Uint8Array, 0n, DEV_ADDRS[1] as Uint8Array, 5n)]
    const block = await a.engine.buildBlock(attributes(a.engine.head.unsafe.header.timestamp, txs))
    const payload = payloadFromBlock(block)
    const bad = await b.engine.newPayload(
      { ...payload, stateRoot: keccak_256(Uint8Array.of(1)) },
      block.header.parentBeaconBlockRoot,
    )
    expect(bad.status).toBe('INVALID')
    expect(bad.validationError).toMatch(/stateRoot mismatch/)
    const ok = await b.engine.newPayload(payload, block.header.parentBeaconBlockRoot)
    expect(ok.status).toBe('VALID')
    await b.engine.forkchoiceUpdated({
      headBlockHash: block.hash,
      safeBlockHash: block.hash,
      finalizedBlockHash: new Uint8Array(32),
    })
    expect(Buffer.from(b.engine.head.unsafe.hash).toString('hex')).toBe(Buffer.from(block.hash).toString('hex'))
    expect(b.engine.head.safe.header.number).toBe(1n)
  })

  it('the transfer fast path and the EVM path give the same state root', async () => {
    const a = await open()
    const txs = [l1InfoDeposit()]
    for (let i = 0n; i < 20n; i++)
      txs.push(signTransfer(DEV_KEYS[0] as Uint8Array, i, keccak_256(Buffer.from([Number(i)])).subarray(0, 20), i))
    const fast = await a.engine.buildBlock(attributes(a.engine.head.unsafe.header.timestamp, txs))
    const b = await open()
    ;(b.engine as unknown as { ctx: { hooks: unknown } }).ctx.hooks = { afterTx: () => undefined } // forces the EVM path
    const slow = await b.engine.buildBlock(attributes(b.engine.head.unsafe.header.timestamp, txs))
    expect(Buffer.from(slow.header.stateRoot).toString('hex')).toBe(Buffer.from(fast.header.stateRoot).toString('hex'))
    expect(Buffer.from(slow.hash).toString('hex')).toBe(Buffer.from(fast.hash).toString('hex'))
  })

  it('persists blocks and heads across a reopen', async () => {
    const e = await openEngine()
    const b1 = await e.engine.buildBlock(
      attributes(e.engine.head.unsafe.header.timestamp, [
        l1InfoDeposit(),
        signTransfer(DEV_KEYS[0] as Uint8Array, 0n, DEV_ADDRS[1] as Uint8Array, 5n),
      ]),
    )
    await e.close(false)
    const again = await openEngine(e.path)
    closers.push(() => again.close())
    expect(again.engine.head.unsafe.header.number).toBe(1n)
    expect(Buffer.from(again.engine.head.unsafe.hash).toString('hex')).toBe(Buffer.from(b1.hash).toString('hex'))
    const tx = b1.transactions[1]!
    const loc = await again.store.getTxLocation(tx.hash)
    expect(loc?.index).toBe(1)
    expect(decodeDepositTx(b1.transactions[0]!.raw).gas).toBe(1_000_000n)
  })
})
