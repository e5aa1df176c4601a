import { verifyMerkleProof } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { afterEach, describe, expect, it } from 'vitest'
import { keccak256 } from '../../../config/keccak.ts'
import {
  artifact,
  DEV_ADDRS,
  DEV_KEYS,
  genesisState,
  openEngineWithPool,
  signTransfer,
} from '../../helpers/engineFixture.ts'

const WETH = Buffer.alloc(20, 0xee)
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  while (closers.length) await (closers.pop() as () => Promise<void>)()
})

async function setup() {
  const wethBalanceSlot = keccak256(Buffer.concat([Buffer.alloc(12), DEV_ADDRS[0] as Uint8Array, Buffer.alloc(32)]))
  const e = await openEngineWithPool(
    genesisState([
      {
        address: WETH,
        balance: 10n ** 21n,
        code: artifact('WETH98').deployed,
        storage: [[wethBalanceSlot, Buffer.from('3635c9adc5dea00000', 'hex')]],
      },
    ]),
  )
  closers.push(() => e.close())
  return e
}

function transferData(to: Uint8Array, amount: bigint) {
  return Buffer.concat([
    Buffer.from('a9059cbb', 'hex'),
    Buffer.alloc(12),
    to,
    Buffer.from(amount.toString(16).padStart(64, '0'), 'hex'),
  ])
}

describe('EngineBackend + TxPool', () => {
  it('admits, includes and serves transactions, receipts, logs, calls, estimates and proofs', async () => {
    const { backend, pool, build, engine } = await setup()
    const k0 = DEV_KEYS[0] as Uint8Array
    const t1 = signTransfer(k0, 0n, DEV_ADDRS[1] as Uint8Array, 1000n)
    const t2 = signTransfer(k0, 1n, WETH, 0n, { data: transferData(DEV_ADDRS[2] as Uint8Array, 5n), gas: 100_000n })
    const h1 = await backend.sendRawTransaction(t2) // future nonce first: waits for t1
    const h0 = await backend.sendRawTransaction(t1)
    expect(pool.size).toBe(2)
    await expect(backend.sendRawTransaction(t1)).rejects.toThrow('already known')
    await expect(backend.sendRawTransaction(signTransfer(k0, 0n, DEV_ADDRS[1] as Uint8Array, 1n))).rejects.toThrow(
      'replacement transaction underpriced',
    )
    await expect(
      backend.sendRawTransaction(signTransfer(DEV_KEYS[1] as Uint8Array, 0n, DEV_ADDRS[0] as Uint8Array, 10n ** 30n)),
    ).rejects.toThrow('insufficient funds')
    await expect(backend.sendRawTransaction(Buffer.from('02c0', 'hex'))).rejects.toThrow(/must have 12 fields/)

    const block = await build()
    expect(block.transactions.map((t) => hex(t.hash))).toEqual([hex(block.transactions[0]!.hash), hex(h0), hex(h1)])
    expect(pool.size).toBe(0)
    const r = await backend.getReceipt(h1)
    expect(r?.receipt.status).toBe(1)
    expect(r?.location.index).toBe(2)
    expect(r?.tx.to && hex(r.tx.to)).toBe(hex(WETH))
    const dep = await backend.getTransaction(block.transactions[0]!.hash)
    expect(dep?.tx.type).toBe(0x7e)
    expect(dep?.tx.mint).toBe(0n)

    // logs: the WETH Transfer event, found by address and by topic, not by another address
    const topic = keccak256(Buffer.from('Transfer(address,address,uint256)'))
    const logs = await backend.getLogs({ fromBlock: 0n, toBlock: 10n, addresses: [WETH], topics: [[topic]] })
    expect(logs).toHaveLength(1)
    expect(logs[0]?.transactionIndex).toBe(2)
    expect(
      await backend.getLogs({ fromBlock: 0n, toBlock: 10n, addresses: [DEV_ADDRS[1] as Uint8Array], topics: [] }),
    ).toHaveLength(0)

    // eth_call balanceOf(dev2) == 5, and estimateGas for another transfer succeeds and is enough
    const balanceOf = Buffer.concat([Buffer.from('70a08231', 'hex'), Buffer.alloc(12), DEV_ADDRS[2] as Uint8Array])
    const call = await backend.call({ to: WETH, data: balanceOf }, { tag: 'latest' })
    expect(BigInt(`0x${hex(call.returnData)}`)).toBe(5n)
    const est = await backend.estimateGas(
      { from: DEV_ADDRS[0], to: WETH, data: transferData(Buffer.alloc(20, 0x33), 1n) },
      { tag: 'latest' },
    )
    expect(est).toBeGreaterThan(21_000n)
    expect(est).toBeLessThan(60_000n)
    const reverted = await backend.call(
      { from: DEV_ADDRS[1], to: WETH, data: transferData(Buffer.alloc(20, 0x33), 1n) },
      { tag: 'latest' },
    )
    expect(reverted.reverted).toBe(true)

    // eth_getProof: account and storage proofs verify against the block's state root
    const state = await backend.stateAt({ tag: 'latest' })
    const slot = keccak256(Buffer.concat([Buffer.alloc(12), DEV_ADDRS[2] as Uint8Array, Buffer.alloc(32)]))
    const proof = await state!.getProof(WETH, [slot])
    const root = engine.head.unsafe.header.stateRoot
    const accountRlp = (await verifyMerkleProof(keccak256(WETH), proof.accountProof, { root } as never)) as Uint8Array
    const fields = RLP.decode(accountRlp) as Uint8Array[]
    expect(hex(fields[2] as Uint8Array)).toBe(hex(proof.storageHash))
    const storageRlp = (await verifyMerkleProof(keccak256(slot), proof.storageProof[0]!.proof, {
      root: proof.storageHash,
    } as never)) as Uint8Array
    expect(BigInt(`0x${hex(RLP.decode(storageRlp) as Uint8Array)}`)).toBe(5n)
    expect(proof.storageProof[0]?.value).toBe(5n)

    // fee history and gas price
    const fh = await backend.feeHistory(4, 10n)
    expect(fh.blocks.at(-1)?.rewards).toHaveLength(2)
    expect(await backend.gasPrice()).toBe(backend.nextBaseFee() + 1_000_000n)
  })

  it('orders pool txs by tip across senders and keeps each sender in nonce order', async () => {
    const { pool, build, engine } = await setup()
    const a = DEV_KEYS[0] as Uint8Array
    const b = DEV_KEYS[1] as Uint8Array
    const low = signTransfer(a, 0n, DEV_ADDRS[2] as Uint8Array, 1n, { tip: 1n })
    const low2 = signTransfer(a, 1n, DEV_ADDRS[2] as Uint8Array, 1n, { tip: 500n })
    const high = signTransfer(b, 0n, DEV_ADDRS[2] as Uint8Array, 1n, { tip: 100n })
    for (const x of await engine.admit([low, low2, high])) {
      if (x instanceof Error) throw x
      await pool.add(x)
    }
    const order = [...pool.pending()].map((x) => hex(x.tx.hash))
    expect(order).toEqual([high, low, low2].map((r) => hex(keccak256(r))))
    const blk = await build()
    expect(blk.transactions).toHaveLength(4)
  })
})

describe('TxPool admission counts the L1 data fee', () => {
  it('rejects a tx whose sender can pay gas and value but not the L1 fee', async () => {
    const { privateToAddress } = await import('@ethereumjs/util')
    const key = keccak256(Buffer.from('poor sender'))
    const poor = privateToAddress(key)
    const gasAndValue = 21_000n * 10_000_000_000n + 1n
    const e = await openEngineWithPool(genesisState([{ address: poor, balance: gasAndValue }]))
    closers.push(() => e.close())
    await e.build() // sets the L1 fee parameters in L1Block
    const tx = signTransfer(key, 0n, DEV_ADDRS[1] as Uint8Array, 1n)
    expect(await e.engine.estimateL1Fee(tx)).toBeGreaterThan(0n)
    await expect(e.backend.sendRawTransaction(tx)).rejects.toThrow(
      /insufficient funds for gas \* price \+ value \+ l1 fee/,
    )
  })
})
