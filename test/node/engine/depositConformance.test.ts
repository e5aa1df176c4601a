import { readFileSync } from 'node:fs'
import { DepositTx } from '@eth-optimism/core-utils'
import { decodeEventLog, parseAbi } from 'viem'
import { getL2TransactionHash, getSourceHash, opaqueDataToDepositData } from 'viem/op-stack'
import { afterEach, describe, expect, it } from 'vitest'
import { keccak256 } from '../../../config/keccak.ts'
import { decodeDepositTx } from '../../../derivation/protocol/depositTx.ts'
import { attributes, genesisState, l1InfoDeposit, openEngine } from '../../helpers/engineFixture.ts'

// The engine's deposit handling against two independent references: viem's op-stack helpers and
// @eth-optimism/core-utils, on real TransactionDeposited logs (shared/vectors/opstack/deposits).

const vectors = JSON.parse(
  readFileSync(new URL('../../fixtures/opstack/deposits/deposit_log_vectors.json', import.meta.url), 'utf8'),
).vectors as {
  name: string
  l1_block_hash: `0x${string}`
  log_index: number
  topics: `0x${string}`[]
  data: `0x${string}`
  expected_tx_eip2718: string
  expected_tx_hash: string
  expected_decoded: { from_: string; to: string | null; mint: number; value: number; gas: number; data: string }
}[]
const depositedAbi = parseAbi([
  'event TransactionDeposited(address indexed from, address indexed to, uint256 indexed version, bytes opaqueData)',
])
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`
const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  while (closers.length) await (closers.pop() as () => Promise<void>)()
})

describe('deposit transactions: engine vs viem and core-utils', () => {
  for (const v of vectors) {
    it(`${v.name}: same tx hash and fields`, () => {
      const ev = decodeEventLog({ abi: depositedAbi, data: v.data, topics: v.topics as never })
      const viemHash = getL2TransactionHash({
        log: { ...ev, data: v.data, topics: v.topics, blockHash: v.l1_block_hash, logIndex: v.log_index } as never,
      })
      expect(viemHash).toBe(v.expected_tx_hash)
      const raw = Buffer.from(v.expected_tx_eip2718.slice(2), 'hex')
      expect(hex(keccak256(raw))).toBe(v.expected_tx_hash)
      expect(DepositTx.decode(v.expected_tx_eip2718).hash()).toBe(v.expected_tx_hash)
      const d = decodeDepositTx(raw)
      const o = opaqueDataToDepositData((ev.args as { opaqueData: `0x${string}` }).opaqueData)
      expect(hex(d.from)).toBe(v.expected_decoded.from_)
      expect(d.to ? hex(d.to) : null).toBe(v.expected_decoded.to)
      expect(d.mint).toBe(o.mint)
      expect(d.value).toBe(o.value)
      expect(d.gas).toBe(o.gas)
      expect(hex(d.data)).toBe(o.data)
      expect(hex(d.sourceHash)).toBe(
        getSourceHash({ domain: 'userDeposit', l1BlockHash: v.l1_block_hash, l1LogIndex: v.log_index }),
      )
    })
  }

  it('executes the real Sepolia deposit under the hash viem computes; unfunded it fails as op-geth does, funded it succeeds', async () => {
    const v = vectors[2] as (typeof vectors)[number]
    const raw = Buffer.from(v.expected_tx_eip2718.slice(2), 'hex')
    const from = Buffer.from(v.expected_decoded.from_.slice(2), 'hex')
    const to = Buffer.from((v.expected_decoded.to as string).slice(2), 'hex')
    // unfunded: value > balance -> failed deposit: included, status 0, nonce bumped, full gas used
    const a = await openEngine()
    closers.push(() => a.close())
    const b1 = await a.engine.buildBlock(attributes(a.engine.head.unsafe.header.timestamp, [l1InfoDeposit(), raw]))
    expect(hex(b1.transactions[1]?.hash as Uint8Array)).toBe(v.expected_tx_hash)
    const r1 = (await a.store.getReceipts(b1.hash))?.[1]
    expect(r1?.status).toBe(0)
    expect(r1?.gasUsed).toBe(50_000n)
    expect(r1?.depositNonce).toBe(0n)
    expect((await (await a.engine.stateAt(b1.header)).readAccount(from))?.nonce).toBe(1n)
    // funded: the value moves and the call data reaches an EOA
    const b = await openEngine(undefined, genesisState([{ address: from, balance: 10n ** 18n }]))
    closers.push(() => b.close())
    const b2 = await b.engine.buildBlock(attributes(b.engine.head.unsafe.header.timestamp, [l1InfoDeposit(), raw]))
    const r2 = (await b.store.getReceipts(b2.hash))?.[1]
    expect(r2?.status).toBe(1)
    expect(r2?.gasUsed).toBe(21_000n + 3n * 16n)
    const st = await b.engine.stateAt(b2.header)
    expect((await st.readAccount(to))?.balance).toBe(BigInt(v.expected_decoded.value))
    expect((await st.readAccount(from))?.balance).toBe(10n ** 18n - BigInt(v.expected_decoded.value))
  })
})
