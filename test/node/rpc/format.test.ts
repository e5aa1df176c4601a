import { RLP } from '@ethereumjs/rlp'
import { encodeErrorResult, parseAbi } from 'viem'
import { describe, expect, it } from 'vitest'
import { headerFields } from '../../../node/engine/header.ts'
import type { Block } from '../../../node/engine/types.ts'
import type { RpcTransaction } from '../../../node/rpc/backend.ts'
import {
  blockSize,
  decodeRevertReason,
  formatBlock,
  formatTransaction,
  revertError,
  toQuantity,
} from '../../../node/rpc/format.ts'
import { bytes, createFakeChain, hex } from '../../fakes/fakeChainBackend.ts'

/** The block's RLP encoding built independently: legacy txs as lists, typed txs as byte strings. */
function encodeBlock(block: Block): Uint8Array {
  const txs = block.transactions.map((t) => ((t.raw[0] as number) >= 0xc0 ? RLP.decode(t.raw) : t.raw))
  const body: unknown[] = [headerFields(block.header), txs, []]
  if (block.header.withdrawalsRoot) body.push([])
  return RLP.encode(body as Parameters<typeof RLP.encode>[0])
}

describe('block formatting', () => {
  it('computes size as the RLP length of the whole block (geth block.Size)', async () => {
    const { backend, block1, block2 } = await createFakeChain()
    for (const b of [backend.chain[0]!.block, block1, block2]) {
      expect(blockSize(b)).toBe(encodeBlock(b).length)
    }
    // A big legacy-looking payload crosses the long-length RLP prefixes too.
    const big: Block = {
      ...block1,
      transactions: [...block1.transactions, { ...block1.transactions[2]!, raw: new Uint8Array(70_000).fill(2) }],
    }
    expect(blockSize(big)).toBe(encodeBlock(big).length)
  })

  it('leaves out post-Canyon fields for older headers', async () => {
    const { block1 } = await createFakeChain()
    const { withdrawalsRoot, blobGasUsed, excessBlobGas, parentBeaconBlockRoot, ...bedrock } = block1.header
    const old: Block = { ...block1, header: bedrock }
    const json = formatBlock(old)
    for (const k of ['withdrawals', 'withdrawalsRoot', 'blobGasUsed', 'excessBlobGas', 'parentBeaconBlockRoot']) {
      expect(json).not.toHaveProperty(k)
    }
    expect(json.size).toBe(toQuantity(encodeBlock(old).length))
    expect(formatBlock({ ...block1, header: { ...block1.header, requestsHash: new Uint8Array(32) } })).toHaveProperty(
      'requestsHash',
      `0x${'00'.repeat(32)}`,
    )
  })
})

describe('transaction formatting', () => {
  const base: RpcTransaction = {
    type: 2,
    hash: new Uint8Array(32).fill(1),
    from: new Uint8Array(20).fill(2),
    nonce: 1n,
    gas: 21000n,
    value: 0n,
    input: new Uint8Array(0),
    chainId: 901n,
    maxFeePerGas: 100n,
    maxPriorityFeePerGas: 10n,
    v: 1n,
    r: 5n,
    s: 6n,
  }

  it('shows pending transactions with null block fields and the fee cap as gasPrice', () => {
    const json = formatTransaction(base, { blockHash: new Uint8Array(0), blockNumber: -1n, index: -1 })
    expect(json).toMatchObject({
      blockHash: null,
      blockNumber: null,
      transactionIndex: null,
      to: null,
      gasPrice: '0x64',
      yParity: '0x1',
      accessList: [],
      chainId: '0x385',
    })
  })

  it('computes the effective gas price of a mined 1559 tx when the backend gives none', () => {
    const loc = { blockHash: new Uint8Array(32), blockNumber: 5n, index: 0 }
    expect(formatTransaction(base, loc, 50n).gasPrice).toBe('0x3c') // 50 + 10
    expect(formatTransaction(base, loc, 95n).gasPrice).toBe('0x64') // capped at 100
  })

  it('includes isSystemTx only when true and omits chainId for pre-EIP-155 legacy txs', () => {
    const dep: RpcTransaction = { ...base, type: 0x7e, isSystemTx: true, mint: 0n, sourceHash: new Uint8Array(32) }
    expect(formatTransaction(dep)).toMatchObject({ isSystemTx: true, mint: '0x0', v: '0x1' })
    expect(formatTransaction({ ...dep, isSystemTx: false })).not.toHaveProperty('isSystemTx')
    const legacy = formatTransaction({ ...base, type: 0, chainId: undefined, gasPrice: 7n, v: 27n })
    expect(legacy).not.toHaveProperty('chainId')
    expect(legacy).not.toHaveProperty('yParity')
    expect(legacy).not.toHaveProperty('accessList')
    expect(legacy).toMatchObject({ v: '0x1b', gasPrice: '0x7' })
  })
})

describe('revert decoding', () => {
  const abi = parseAbi(['error Error(string)', 'error Panic(uint256)'])

  it('decodes Error(string) and Panic(uint256) like geth abi.UnpackRevert', () => {
    const err = encodeErrorResult({ abi, errorName: 'Error', args: ['not enough balance'] })
    expect(decodeRevertReason(bytes(err))).toBe('not enough balance')
    const panic = encodeErrorResult({ abi, errorName: 'Panic', args: [0x11n] })
    expect(decodeRevertReason(bytes(panic))).toBe('arithmetic underflow or overflow')
    const unknownPanic = encodeErrorResult({ abi, errorName: 'Panic', args: [0x99n] })
    expect(decodeRevertReason(bytes(unknownPanic))).toBe('unknown panic code: 0x99')
  })

  it('leaves custom errors, empty and truncated data undecoded', () => {
    expect(decodeRevertReason(bytes('0xdeadbeef'))).toBeUndefined()
    expect(decodeRevertReason(new Uint8Array(0))).toBeUndefined()
    const err = bytes(encodeErrorResult({ abi, errorName: 'Error', args: ['xyz'] }))
    expect(decodeRevertReason(err.subarray(0, err.length - 40))).toBeUndefined()
    const e = revertError(bytes('0xdeadbeef'))
    expect(e.toJSON()).toEqual({ code: 3, message: 'execution reverted', data: '0xdeadbeef' })
    expect(revertError(err).toJSON()).toEqual({ code: 3, message: 'execution reverted: xyz', data: hex(err) })
  })
})
