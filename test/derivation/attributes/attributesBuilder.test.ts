import { describe, expect, it } from 'vitest'
import { hexToBytes } from '../../../config/bytes.ts'
import type { Hash, L2BlockRef } from '../../../config/types.ts'
import {
  type AttributesConfig,
  isActivationBlock,
  preparePayloadAttributes,
} from '../../../derivation/attributes/attributesBuilder.ts'
import { isCritical, isReset, type PipelineError } from '../../../derivation/pipelineErrors.ts'
import { userDepositsFromReceipts } from '../../../derivation/protocol/depositLog.ts'
import { decodeDepositTx, encodeDepositTx } from '../../../derivation/protocol/depositTx.ts'
import { blobBaseFee, type L1BlockInfo, l1InfoDepositTx } from '../../../derivation/protocol/l1Info.ts'
import { upgradeTxs } from '../../../derivation/protocol/upgradeTxs.ts'
import { InMemoryL1InfoSource } from '../../fakes/inMemoryL1InfoSource.ts'
import { InMemoryL1Source } from '../../fakes/inMemoryL1Source.ts'
import {
  abiBytes,
  baseSysCfg,
  configUpdateLog,
  DEPOSIT_CONTRACT,
  depositLog,
  gasLimitLog,
  SYS_CFG_ADDR,
  word,
} from '../sysCfgHelpers.ts'

const CFG: AttributesConfig = {
  blockTime: 2,
  depositContractAddress: DEPOSIT_CONTRACT,
  l1SystemConfigAddress: SYS_CFG_ADDR,
  regolithTime: 0,
  canyonTime: 0,
  ecotoneTime: 0,
  fjordTime: 0,
}

const A = '0x000000000000000000000000000000000000000a'
const B = '0x000000000000000000000000000000000000000b'
const ROOT = `0x${'be'.repeat(32)}` as Hash

function setup() {
  const l1 = new InMemoryL1Source(100, 1000, 12)
  l1.addBlock() // 100 @ 1000
  const b101 = l1.addBlock([], {
    receipts: [
      { status: 1, logs: [depositLog({ from: A, to: B, value: 1n, data: new Uint8Array([1, 2, 3]) })] },
      { status: 0, logs: [depositLog({ from: B, to: A, value: 99n })] },
      { status: 1, logs: [gasLimitLog(45_000_000n), depositLog({ from: B, to: A, mint: 5n, gas: 21_000n })] },
    ],
  }) // 101 @ 1012
  l1.addBlock() // 102 @ 1024
  const src = new InMemoryL1InfoSource(l1)
  src.setExtras(b101.hash, { baseFeePerGas: 1_000_000_000n, excessBlobGas: 4_000_000n, parentBeaconBlockRoot: ROOT })
  const b100 = l1.blocks[0]!.ref
  const parent: L2BlockRef = {
    number: 6,
    hash: `0x${'22'.repeat(32)}`,
    parentHash: `0x${'21'.repeat(32)}`,
    timestamp: 1010,
    l1origin: { number: b100.number, hash: b100.hash },
    sequenceNumber: 5,
  }
  return { l1, src, parent, b100, b101 }
}

async function caught(p: Promise<unknown>): Promise<PipelineError> {
  try {
    await p
  } catch (e) {
    return e as PipelineError
  }
  throw new Error('did not throw')
}

describe('preparePayloadAttributes', () => {
  it('first block of an epoch: L1-info deposit, user deposits in log order, gas-limit update, seq 0', async () => {
    const { l1, src, parent, b101 } = setup()
    const sys = baseSysCfg()
    const attrs = await preparePayloadAttributes(CFG, src, parent, sys, { number: 101, hash: b101.hash })

    expect(attrs.timestamp).toBe(1012n)
    expect(attrs.gasLimit).toBe(45_000_000n)
    expect(attrs.noTxPool).toBe(true)
    expect(attrs.withdrawals).toEqual([])
    expect(attrs.suggestedFeeRecipient).toEqual(hexToBytes('0x4200000000000000000000000000000000000011'))
    expect(attrs.prevRandao).toEqual(hexToBytes(`0x${(101).toString(16).padStart(64, 'a')}`))
    expect(attrs.parentBeaconBlockRoot).toEqual(hexToBytes(ROOT))
    expect(attrs.eip1559Params).toBeUndefined()

    const expectedInfo: L1BlockInfo = {
      kind: 'ecotone',
      number: 101n,
      time: 1012n,
      baseFee: 1_000_000_000n,
      blockHash: hexToBytes(b101.hash),
      sequenceNumber: 0n,
      batcherAddr: hexToBytes(sys.batcherAddr),
      blobBaseFee: blobBaseFee(4_000_000n),
      baseFeeScalar: 684_000n,
      blobBaseFeeScalar: 0n,
    }
    expect(attrs.transactions[0]).toEqual(encodeDepositTx(l1InfoDepositTx(expectedInfo, true)))

    const receipts = l1.blocks[1]!.receipts
    const deposits = userDepositsFromReceipts(receipts, hexToBytes(DEPOSIT_CONTRACT), hexToBytes(b101.hash))
    expect(deposits).toHaveLength(2)
    expect(attrs.transactions).toHaveLength(3)
    expect(attrs.transactions.slice(1)).toEqual(deposits.map(encodeDepositTx))
    const d1 = decodeDepositTx(attrs.transactions[1]!)
    const d2 = decodeDepositTx(attrs.transactions[2]!)
    expect(d1.value).toBe(1n)
    expect(d2.mint).toBe(5n)
  })

  it('same epoch: seq + 1, no deposits, parent gas limit', async () => {
    const { src, parent, b101 } = setup()
    const p: L2BlockRef = { ...parent, timestamp: 1012, l1origin: { number: 101, hash: b101.hash }, sequenceNumber: 0 }
    const attrs = await preparePayloadAttributes(CFG, src, p, baseSysCfg(), { number: 101, hash: b101.hash })
    expect(attrs.timestamp).toBe(1014n)
    expect(attrs.transactions).toHaveLength(1)
    expect(attrs.gasLimit).toBe(30_000_000n)
    const info = decodeDepositTx(attrs.transactions[0]!)
    // Ecotone calldata: sequence number at bytes 12..20
    expect(info.data[19]).toBe(1)
  })

  it('origin mismatch → reset (new epoch and same epoch)', async () => {
    const { src, parent, b101 } = setup()
    const wrong = { ...parent, l1origin: { number: 100, hash: `0x${'ff'.repeat(32)}` as Hash } }
    const e1 = await caught(preparePayloadAttributes(CFG, src, wrong, baseSysCfg(), { number: 101, hash: b101.hash }))
    expect(isReset(e1)).toBe(true)
    expect(e1.code).toBe('ATTRIBUTES_L1_ORIGIN_MISMATCH')
    const same = { ...parent, l1origin: { number: 101, hash: `0x${'ff'.repeat(32)}` as Hash } }
    const e2 = await caught(preparePayloadAttributes(CFG, src, same, baseSysCfg(), { number: 101, hash: b101.hash }))
    expect(isReset(e2)).toBe(true)
    expect(e2.code).toBe('ATTRIBUTES_L1_ORIGIN_MISMATCH')
  })

  it('block time before the epoch time → reset', async () => {
    const { src, parent, b101 } = setup()
    const early = { ...parent, timestamp: 1008 }
    const e = await caught(preparePayloadAttributes(CFG, src, early, baseSysCfg(), { number: 101, hash: b101.hash }))
    expect(isReset(e)).toBe(true)
    expect(e.code).toBe('ATTRIBUTES_TIME_BEFORE_ORIGIN')
  })

  it('unknown epoch block → reset from the source', async () => {
    const { src, parent } = setup()
    const e = await caught(
      preparePayloadAttributes(CFG, src, parent, baseSysCfg(), { number: 101, hash: `0x${'99'.repeat(32)}` }),
    )
    expect(isReset(e)).toBe(true)
  })

  it('a timestamp other than parent + block time is critical', async () => {
    const { src, parent, b101 } = setup()
    const e = await caught(
      preparePayloadAttributes(CFG, src, parent, baseSysCfg(), { number: 101, hash: b101.hash }, 1013),
    )
    expect(isCritical(e)).toBe(true)
  })

  it('parentBeaconBlockRoot: zero hash when the L1 block has none; absent before Ecotone', async () => {
    const { src, parent, b100 } = setup()
    const p = { ...parent, timestamp: 1000 }
    const e100 = { number: 100, hash: b100.hash }
    const sameEpoch = { ...p, l1origin: e100 }
    const a1 = await preparePayloadAttributes(CFG, src, sameEpoch, baseSysCfg(), e100)
    expect(a1.parentBeaconBlockRoot).toEqual(new Uint8Array(32))
    const pre = { ...CFG, ecotoneTime: undefined, fjordTime: undefined }
    const a2 = await preparePayloadAttributes(pre, src, sameEpoch, baseSysCfg(), e100)
    expect(a2.parentBeaconBlockRoot).toBeUndefined()
    // Bedrock-format L1 info before Ecotone
    expect(decodeDepositTx(a2.transactions[0]!).data.length).toBe(260)
    const preCanyon = { ...pre, canyonTime: undefined }
    const a3 = await preparePayloadAttributes(preCanyon, src, sameEpoch, baseSysCfg(), e100)
    expect(a3.withdrawals).toBeUndefined()
  })

  it('Holocene: eip1559Params from SystemConfig, zero in the activation block', async () => {
    const { src, parent, b101 } = setup()
    const p = { ...parent, timestamp: 1012, l1origin: { number: 101, hash: b101.hash }, sequenceNumber: 0 }
    const e = { number: 101, hash: b101.hash }
    const sys = { ...baseSysCfg(), eip1559Params: '0x000000fa00000006' as const }
    const a1 = await preparePayloadAttributes({ ...CFG, holoceneTime: 0 }, src, p, sys, e)
    expect(a1.eip1559Params).toEqual(hexToBytes('0x000000fa00000006'))
    const a2 = await preparePayloadAttributes({ ...CFG, holoceneTime: 1014 }, src, p, sys, e)
    expect(a2.eip1559Params).toEqual(new Uint8Array(8))
  })

  it('Ecotone activation block: Bedrock-format L1 info, deposits, then the six Ecotone upgrade txs', async () => {
    const { src, parent, b101 } = setup()
    const attrs = await preparePayloadAttributes(
      { ...CFG, ecotoneTime: 1012, fjordTime: undefined },
      src,
      parent,
      baseSysCfg(),
      { number: 101, hash: b101.hash },
    )
    expect(attrs.transactions).toHaveLength(1 + 2 + 6)
    expect(decodeDepositTx(attrs.transactions[0]!).data.length).toBe(260)
    expect(attrs.transactions.slice(3)).toEqual(upgradeTxs('ecotone'))
    expect(attrs.parentBeaconBlockRoot).toEqual(hexToBytes(ROOT))
  })

  it('Ecotone and Fjord activating in the same block: Ecotone txs then Fjord txs', async () => {
    const { src, parent, b101 } = setup()
    const p = { ...parent, l1origin: { number: 101, hash: b101.hash }, timestamp: 1012, sequenceNumber: 0 }
    const attrs = await preparePayloadAttributes({ ...CFG, ecotoneTime: 1014, fjordTime: 1014 }, src, p, baseSysCfg(), {
      number: 101,
      hash: b101.hash,
    })
    expect(attrs.transactions.slice(1)).toEqual([...upgradeTxs('ecotone'), ...upgradeTxs('fjord')])
    // the block after the activation block uses the Ecotone format and has no upgrade txs
    const p2 = { ...p, timestamp: 1014, sequenceNumber: 1 }
    const next = await preparePayloadAttributes({ ...CFG, ecotoneTime: 1014, fjordTime: 1014 }, src, p2, baseSysCfg(), {
      number: 101,
      hash: b101.hash,
    })
    expect(next.transactions).toHaveLength(1)
    expect(decodeDepositTx(next.transactions[0]!).data.length).toBe(164)
  })

  it('malformed ConfigUpdate or deposit log in the epoch block is critical', async () => {
    const l1 = new InMemoryL1Source(100, 1000, 12)
    const b100 = l1.addBlock()
    const b101 = l1.addBlock([], { receipts: [{ status: 1, logs: [configUpdateLog(2, abiBytes(word(1n << 64n)))] }] })
    const bad = depositLog({ from: A, to: B })
    const b102 = l1.addBlock([], { receipts: [{ status: 1, logs: [{ ...bad, topics: bad.topics.slice(0, 3) }] }] })
    const src = new InMemoryL1InfoSource(l1)
    const parent: L2BlockRef = {
      number: 1,
      hash: `0x${'22'.repeat(32)}`,
      parentHash: `0x${'21'.repeat(32)}`,
      timestamp: 1030,
      l1origin: { number: 100, hash: b100.hash },
      sequenceNumber: 0,
    }
    const e1 = await caught(preparePayloadAttributes(CFG, src, parent, baseSysCfg(), { number: 101, hash: b101.hash }))
    expect(isCritical(e1)).toBe(true)
    expect(e1.code).toBe('ATTRIBUTES_SYSCFG_UPDATE_INVALID')
    const p2 = { ...parent, l1origin: { number: 101, hash: b101.hash } }
    const e2 = await caught(preparePayloadAttributes(CFG, src, p2, baseSysCfg(), { number: 102, hash: b102.hash }))
    expect(isCritical(e2)).toBe(true)
    expect(e2.code).toBe('ATTRIBUTES_BAD_DEPOSITS')
  })
})

describe('isActivationBlock', () => {
  it('forks at genesis have no activation block', () => {
    expect(isActivationBlock(0, 0, 2)).toBe(false)
    expect(isActivationBlock(0, 2, 2)).toBe(false)
    expect(isActivationBlock(10, 10, 2)).toBe(true)
    expect(isActivationBlock(9, 10, 2)).toBe(true)
    expect(isActivationBlock(10, 12, 2)).toBe(false)
    expect(isActivationBlock(undefined, 12, 2)).toBe(false)
  })
})
