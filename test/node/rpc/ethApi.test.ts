import { keccak_256 } from '@noble/hashes/sha3.js'
import { encodeErrorResult, parseAbi } from 'viem'
import { beforeEach, describe, expect, it } from 'vitest'
import { RpcError } from '../../../node/rpc/jsonrpc.ts'
import {
  APPROVAL_TOPIC,
  alice,
  bob,
  bytes,
  hex,
  l1InfoDeposit,
  OTHER,
  signedTx,
  TOKEN,
  TRANSFER_TOPIC,
} from '../../fakes/fakeChainBackend.ts'
import { type Harness, harness } from './harness.ts'

const EMPTY_BLOOM = `0x${'00'.repeat(256)}`
const BLOCK1_HASH = '0xf6ff6b9f7b7e9b7dfb91b9816f92bc344f6bb8332a664f60b5c3f0847a47f09c'
const BLOCK1_BLOOM =
  '0x04000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000200000000000000000000000000000240000000000000000000000000008000000000000000000040000000000000000000000000000000000001000000000000000000000000000000000000010000000000000000000000000000000000000000000000000000000000000000000000000020000000000000000000100000000000000000000000000000001000000000000000002000000000000000000000000000000000000000000000000000040000010000000000000000000000000000000000000008000000000000000000000'
const L1INFO1_HASH = '0xf7a47ed10edf766d019f1883051c176a3f4faf0b78283a11ae111b47c2078ef2'
const LEGACY_HASH = '0xefad58bdce41876283a888e7e6c35d16afbb8abd3be1b6e631476852c6c5bed1'
const DYNAMIC_HASH = '0x9c5177056f26aedc455f523ead8fc6153af86503cab97dd1a675dda027c13792'
const ALICE = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266'
const TOKEN_HEX = '0x00000000000000000000000000000000000c0de1'

/** Block 1 exactly as op-geth serves it (hand-written). */
const BLOCK1_JSON = {
  number: '0x1',
  hash: BLOCK1_HASH,
  parentHash: '0x28468eb36e9ce37f523e6fd01809c568df32ec201eea791b42019fd5a5ae4b15',
  nonce: '0x0000000000000000',
  mixHash: '0x70350700c7ed15dc466e1adb391a74d752f94536f43ddd1c902d091274ccae37',
  sha3Uncles: '0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347',
  logsBloom: BLOCK1_BLOOM,
  stateRoot: '0x2c8df0b8eef45284cf7010f13b5f778abe8286496997cee9aa8e8133a9136e1d',
  miner: '0x4200000000000000000000000000000000000011',
  difficulty: '0x0',
  extraData: '0x',
  gasLimit: '0x1c9c380',
  gasUsed: '0x1c908',
  timestamp: '0x6553f102',
  transactionsRoot: '0xbf36a7752240c7ae90e83446806ae271e2d74c29b7d0486e732ee57dd5f3eb93',
  receiptsRoot: '0xdf4fc3816a3c73bd6100a84f1486e45d8819ccc747f0b10a11a536ec6accdf88',
  baseFeePerGas: '0xf4240',
  withdrawalsRoot: '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421',
  blobGasUsed: '0x0',
  excessBlobGas: '0x0',
  parentBeaconBlockRoot: '0x8b77db9efae94b49bd6cdb05f6f1aaea63f97a0bab5d82c89995b69d69a0fd0b',
  size: '0x3a1',
  totalDifficulty: '0x0',
  uncles: [],
  transactions: [L1INFO1_HASH, LEGACY_HASH, DYNAMIC_HASH],
  withdrawals: [],
}

/** The L1-info deposit of block 1 (hand-written): nonce from the receipt, v/r/s 0, no isSystemTx. */
const L1INFO1_JSON = {
  blockHash: BLOCK1_HASH,
  blockNumber: '0x1',
  from: '0xdeaddeaddeaddeaddeaddeaddeaddeaddead0001',
  gas: '0xf4240',
  gasPrice: '0x0',
  hash: L1INFO1_HASH,
  input: '0x440a5e20000f424000000000000000000000000300000000665a3e0f',
  nonce: '0x1',
  to: '0x4200000000000000000000000000000000000015',
  transactionIndex: '0x0',
  value: '0x0',
  type: '0x7e',
  v: '0x0',
  r: '0x0',
  s: '0x0',
  sourceHash: '0x30b1d91bb75373acca909647b04b813bca0b640e8c568003dcd84fe74e99d2e7',
  mint: '0x0',
  depositReceiptVersion: '0x1',
}

const logJson = (topics: string[], data: string, logIndex: string) => ({
  address: TOKEN_HEX,
  topics,
  data,
  blockNumber: '0x1',
  transactionHash: DYNAMIC_HASH,
  transactionIndex: '0x2',
  blockHash: BLOCK1_HASH,
  logIndex,
  removed: false,
})

/** Receipt of the EIP-1559 token call in block 1 (hand-written), with the Ecotone L1 fee fields. */
const DYNAMIC_RECEIPT_JSON = {
  blockHash: BLOCK1_HASH,
  blockNumber: '0x1',
  transactionHash: DYNAMIC_HASH,
  transactionIndex: '0x2',
  from: ALICE,
  to: TOKEN_HEX,
  gasUsed: '0xc738',
  cumulativeGasUsed: '0x1c908',
  contractAddress: null,
  logs: [
    logJson(
      [
        '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef',
        '0x0000000000000000000000000000000000000000000000000000000000000001',
        '0x0000000000000000000000000000000000000000000000000000000000000002',
      ],
      '0x0000000000000000000000000000000000000000000000000000000000000005',
      '0x0',
    ),
    logJson(
      [
        '0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925',
        '0x0000000000000000000000000000000000000000000000000000000000000001',
      ],
      '0x',
      '0x1',
    ),
  ],
  logsBloom: BLOCK1_BLOOM,
  type: '0x2',
  effectiveGasPrice: '0x16e360',
  status: '0x1',
  l1GasPrice: '0x7',
  l1GasUsed: '0x640',
  l1Fee: '0x3b9aca00',
  l1BlobBaseFee: '0x1',
  l1BaseFeeScalar: '0x558',
  l1BlobBaseFeeScalar: '0xc5fc5',
}

let h: Harness
beforeEach(async () => {
  h = await harness()
})

describe('chain info and simple namespaces', () => {
  it('serves eth/net/web3 basics', async () => {
    expect(await h.result('eth_chainId')).toBe('0x385')
    expect(await h.result('eth_blockNumber')).toBe('0x2')
    expect(await h.result('net_version')).toBe('901')
    expect(await h.result('net_listening')).toBe(true)
    expect(await h.result('web3_clientVersion')).toBe('oln/v0.1.0')
    expect(await h.result('eth_syncing')).toBe(false)
    expect(await h.result('eth_accounts')).toEqual([])
    expect(await h.result('web3_sha3', ['0x68656c6c6f20776f726c64'])).toBe(
      '0x47173285a8d7341e5e972fc677286384f802f8ef42a5ec5f03bbfa254cb01fad',
    )
    expect(await h.result('eth_gasPrice')).toBe('0xf42a4') // 1,000,100
    expect(await h.result('eth_maxPriorityFeePerGas')).toBe('0x64')
  })

  it('takes client version and network id from options', async () => {
    const h2 = await harness({ eth: { clientVersion: 'oln/v9', networkId: 7n } })
    expect(await h2.result('web3_clientVersion')).toBe('oln/v9')
    expect(await h2.result('net_version')).toBe('7')
  })
})

describe('blocks', () => {
  it('formats a block like op-geth (hashes)', async () => {
    expect(await h.result('eth_getBlockByNumber', ['0x1', false])).toEqual(BLOCK1_JSON)
    expect(await h.result('eth_getBlockByHash', [BLOCK1_HASH, false])).toEqual(BLOCK1_JSON)
  })

  it('formats a block with full transactions, identical to the single-tx methods', async () => {
    const b = await h.result<{ transactions: unknown[] }>('eth_getBlockByNumber', ['0x1', true])
    expect(b.transactions).toHaveLength(3)
    expect(b.transactions[0]).toEqual(L1INFO1_JSON)
    for (const [i, hash] of [L1INFO1_HASH, LEGACY_HASH, DYNAMIC_HASH].entries()) {
      expect(b.transactions[i]).toEqual(await h.result('eth_getTransactionByHash', [hash]))
    }
  })

  it('resolves tags and returns null for unknown blocks', async () => {
    const num = async (tag: string) => (await h.result<{ number: string }>('eth_getBlockByNumber', [tag, false])).number
    expect(await num('latest')).toBe('0x2')
    expect(await num('pending')).toBe('0x2')
    expect(await num('safe')).toBe('0x1')
    expect(await num('finalized')).toBe('0x0')
    expect(await num('earliest')).toBe('0x0')
    expect(await h.result('eth_getBlockByNumber', ['0x9', false])).toBeNull()
    expect(await h.result('eth_getBlockByHash', [`0x${'11'.repeat(32)}`, true])).toBeNull()
  })

  it('counts transactions', async () => {
    expect(await h.result('eth_getBlockTransactionCountByNumber', ['0x1'])).toBe('0x3')
    expect(await h.result('eth_getBlockTransactionCountByNumber', ['earliest'])).toBe('0x0')
    expect(await h.result('eth_getBlockTransactionCountByHash', [BLOCK1_HASH])).toBe('0x3')
    expect(await h.result('eth_getBlockTransactionCountByNumber', ['0x9'])).toBeNull()
    expect(await h.result('eth_getBlockTransactionCountByHash', [`0x${'11'.repeat(32)}`])).toBeNull()
  })
})

describe('transactions', () => {
  it('formats a deposit like op-geth', async () => {
    expect(await h.result('eth_getTransactionByHash', [L1INFO1_HASH])).toEqual(L1INFO1_JSON)
    const user = await h.result('eth_getTransactionByHash', [hex(h.txs.userDeposit.envelope.hash)])
    expect(user).toMatchObject({
      type: '0x7e',
      mint: '0x4563918244f40000',
      value: '0xde0b6b3a7640000',
      nonce: '0x0',
      from: bob.address.toLowerCase(),
      transactionIndex: '0x1',
      blockNumber: '0x2',
    })
    expect(user).not.toHaveProperty('isSystemTx')
    expect(user).not.toHaveProperty('chainId')
  })

  it('formats legacy and EIP-1559 transactions', async () => {
    expect(await h.result('eth_getTransactionByHash', [LEGACY_HASH])).toEqual({
      blockHash: BLOCK1_HASH,
      blockNumber: '0x1',
      from: ALICE,
      gas: '0x5208',
      gasPrice: '0x1e8480',
      hash: LEGACY_HASH,
      input: '0x',
      nonce: '0x0',
      to: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
      transactionIndex: '0x1',
      value: '0xde0b6b3a7640000',
      type: '0x0',
      v: '0x72d',
      r: '0x17856e77223b81c7583188b961c86e8c2c94f856f111a02e66feed5dfe5363c7',
      s: '0x5f3ef72fb6cf60e22b28825a4cd8ba16fe993adae3808e2c537e01eab6fef681',
      chainId: '0x385',
    })
    const dyn = await h.result<Record<string, unknown>>('eth_getTransactionByHash', [DYNAMIC_HASH])
    expect(dyn).toMatchObject({
      type: '0x2',
      maxFeePerGas: '0x2dc6c0',
      maxPriorityFeePerGas: '0x7a120',
      gasPrice: '0x16e360', // base fee 1,000,000 + tip 500,000
      accessList: [],
      chainId: '0x385',
      input: '0xa9059cbb',
      nonce: '0x1',
    })
    expect(dyn.yParity).toBe(dyn.v)
    expect(['0x0', '0x1']).toContain(dyn.yParity)
  })

  it('finds transactions by block and index', async () => {
    const byHash = await h.result('eth_getTransactionByHash', [DYNAMIC_HASH])
    expect(await h.result('eth_getTransactionByBlockNumberAndIndex', ['0x1', '0x2'])).toEqual(byHash)
    expect(await h.result('eth_getTransactionByBlockHashAndIndex', [BLOCK1_HASH, '0x2'])).toEqual(byHash)
    expect(await h.result('eth_getTransactionByBlockNumberAndIndex', ['0x1', '0x3'])).toBeNull()
    expect(await h.result('eth_getTransactionByBlockNumberAndIndex', ['0x9', '0x0'])).toBeNull()
    expect(await h.result('eth_getTransactionByBlockHashAndIndex', [`0x${'11'.repeat(32)}`, '0x0'])).toBeNull()
  })

  it('returns null for unknown hashes and null block fields for pool transactions', async () => {
    expect(await h.result('eth_getTransactionByHash', [`0x${'11'.repeat(32)}`])).toBeNull()
    const pooled = { ...h.txs.dynamic.tx, hash: new Uint8Array(32).fill(9), gasPrice: undefined }
    h.backend.pool.set(Buffer.from(pooled.hash).toString('hex'), pooled)
    expect(await h.result('eth_getTransactionByHash', [hex(pooled.hash)])).toMatchObject({
      blockHash: null,
      blockNumber: null,
      transactionIndex: null,
      gasPrice: '0x2dc6c0', // fee cap while pending
    })
  })
})

describe('receipts', () => {
  it('formats a receipt like op-geth', async () => {
    expect(await h.result('eth_getTransactionReceipt', [DYNAMIC_HASH])).toEqual(DYNAMIC_RECEIPT_JSON)
  })

  it('formats deposit receipts with depositNonce and no L1 fee fields', async () => {
    const r = await h.result<Record<string, unknown>>('eth_getTransactionReceipt', [L1INFO1_HASH])
    expect(r).toEqual({
      blockHash: BLOCK1_HASH,
      blockNumber: '0x1',
      transactionHash: L1INFO1_HASH,
      transactionIndex: '0x0',
      from: '0xdeaddeaddeaddeaddeaddeaddeaddeaddead0001',
      to: '0x4200000000000000000000000000000000000015',
      gasUsed: '0xafc8',
      cumulativeGasUsed: '0xafc8',
      contractAddress: null,
      logs: [],
      logsBloom: EMPTY_BLOOM,
      type: '0x7e',
      effectiveGasPrice: '0x0',
      status: '0x1',
      depositNonce: '0x1',
      depositReceiptVersion: '0x1',
    })
  })

  it('numbers logs block-wide and returns whole-block receipts', async () => {
    // Block 3: two txs with logs; the second one's log indexes continue from the first.
    const a = await signedTx({
      account: alice,
      tx: { type: 'eip1559', chainId: 901, nonce: 2, to: hex(TOKEN), gas: 60_000n, maxFeePerGas: 2_000_000n },
      gasUsed: 40_000n,
      baseFee: 1_000_000n,
      logs: [
        { address: TOKEN, topics: [TRANSFER_TOPIC], data: new Uint8Array(0) },
        { address: TOKEN, topics: [APPROVAL_TOPIC], data: new Uint8Array(0) },
      ],
    })
    const b = await signedTx({
      account: bob,
      tx: { type: 'eip1559', chainId: 901, nonce: 1, to: hex(OTHER), gas: 60_000n, maxFeePerGas: 2_000_000n },
      gasUsed: 30_000n,
      baseFee: 1_000_000n,
      logs: [{ address: OTHER, topics: [TRANSFER_TOPIC], data: new Uint8Array(0) }],
      status: 0,
      contractAddress: bytes('0x00000000000000000000000000000000000000aa'),
    })
    h.backend.addBlock([l1InfoDeposit(3n), a, b])
    const rb = await h.result<Record<string, unknown> & { logs: { logIndex: string }[] }>('eth_getTransactionReceipt', [
      hex(b.envelope.hash),
    ])
    expect(rb.logs.map((l) => l.logIndex)).toEqual(['0x2'])
    expect(rb).toMatchObject({ status: '0x0', contractAddress: '0x00000000000000000000000000000000000000aa' })
    const all = await h.result<{ logs: { logIndex: string }[] }[]>('eth_getBlockReceipts', ['latest'])
    expect(all.map((r) => r.logs.map((l) => l.logIndex))).toEqual([[], ['0x0', '0x1'], ['0x2']])
    expect(all[2]).toEqual(rb)
  })

  it('serves eth_getBlockReceipts by number, tag and hash', async () => {
    const byNumber = await h.result<unknown[]>('eth_getBlockReceipts', ['0x1'])
    expect(byNumber).toHaveLength(3)
    expect(byNumber[2]).toEqual(DYNAMIC_RECEIPT_JSON)
    expect(await h.result('eth_getBlockReceipts', [{ blockHash: BLOCK1_HASH }])).toEqual(byNumber)
    expect(await h.result('eth_getBlockReceipts', [BLOCK1_HASH])).toEqual(byNumber)
    expect(await h.result('eth_getBlockReceipts', ['earliest'])).toEqual([])
    expect(await h.result('eth_getBlockReceipts', ['0x9'])).toBeNull()
    expect(await h.result('eth_getTransactionReceipt', [`0x${'11'.repeat(32)}`])).toBeNull()
  })
})

describe('state', () => {
  it('reads balance, nonce, code and storage at a block', async () => {
    expect(await h.result('eth_getBalance', [alice.address, 'latest'])).toBe('0xde0b6b3a7640000')
    expect(await h.result('eth_getBalance', [alice.address])).toBe('0xde0b6b3a7640000')
    expect(await h.result('eth_getBalance', [bob.address, { blockHash: BLOCK1_HASH }])).toBe('0x0')
    expect(await h.result('eth_getBalance', [alice.address, { blockNumber: '0x1' }])).toBe('0xde0b6b3a7640000')
    expect(await h.result('eth_getTransactionCount', [alice.address, 'pending'])).toBe('0x2')
    expect(await h.result('eth_getCode', [TOKEN_HEX, 'latest'])).toBe('0x6080604052')
    expect(await h.result('eth_getCode', [alice.address, 'latest'])).toBe('0x')
    expect(await h.result('eth_getStorageAt', [TOKEN_HEX, '0x0', 'latest'])).toBe(`0x${'00'.repeat(30)}1234`)
    expect(await h.result('eth_getStorageAt', [TOKEN_HEX, `0x${'00'.repeat(32)}`, 'latest'])).toBe(
      `0x${'00'.repeat(30)}1234`,
    )
    expect(await h.result('eth_getStorageAt', [TOKEN_HEX, '0x1', 'latest'])).toBe(`0x${'00'.repeat(32)}`)
  })

  it('answers header not found for unknown blocks', async () => {
    expect(await h.error('eth_getBalance', [alice.address, '0x9'])).toEqual({
      code: -32000,
      message: 'header not found',
    })
    expect(await h.error('eth_getCode', [alice.address, { blockHash: `0x${'11'.repeat(32)}` }])).toMatchObject({
      code: -32000,
    })
  })

  it('serves eth_getProof, echoing the keys as given', async () => {
    const p = await h.result('eth_getProof', [TOKEN_HEX, ['0x0', `0x${'00'.repeat(31)}01`], 'latest'])
    expect(p).toEqual({
      address: TOKEN_HEX,
      accountProof: ['0xf8518080', '0xe210a0'],
      balance: '0x0',
      codeHash: hex(keccak_256(bytes('0x6080604052'))),
      nonce: '0x0',
      storageHash: '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421',
      storageProof: [
        { key: '0x0', value: '0x1234', proof: ['0xc0'] },
        { key: `0x${'00'.repeat(31)}01`, value: '0x0', proof: ['0xc0'] },
      ],
    })
    const h2 = await harness({ eth: { getProofMaxKeys: 1 } })
    expect((await h2.error('eth_getProof', [TOKEN_HEX, ['0x0', '0x1'], 'latest'])).message).toMatch(
      /^invalid argument 1 \(storageKeys\): too many storage keys .*getProofMaxKeys/,
    )
  })
})

describe('execution', () => {
  const abi = parseAbi(['error Error(string)', 'error Panic(uint256)'])

  it('eth_call returns data and passes the parsed request and block', async () => {
    expect(
      await h.result('eth_call', [{ from: alice.address, to: TOKEN_HEX, input: '0x70a08231', gas: '0x7a120' }, '0x1']),
    ).toBe(`0x${'00'.repeat(31)}2a`)
    expect(h.backend.calls[0]).toEqual({
      req: { from: bytes(alice.address), to: TOKEN, data: bytes('0x70a08231'), gas: 500_000n },
      sel: { number: 1n },
    })
    await h.result('eth_call', [{ to: TOKEN_HEX }])
    expect(h.backend.calls[1]?.sel).toEqual({ tag: 'latest' })
  })

  it('eth_call reverts with code 3, the revert data, and the decoded reason', async () => {
    const data = encodeErrorResult({ abi, errorName: 'Error', args: ['insufficient allowance'] })
    h.backend.callResult = { returnData: bytes(data), gasUsed: 100n, reverted: true }
    expect(await h.error('eth_call', [{ to: TOKEN_HEX }])).toEqual({
      code: 3,
      message: 'execution reverted: insufficient allowance',
      data,
    })
    h.backend.callResult = { returnData: new Uint8Array(0), gasUsed: 100n, reverted: true }
    expect(await h.error('eth_call', [{ to: TOKEN_HEX }])).toEqual({
      code: 3,
      message: 'execution reverted',
      data: '0x',
    })
    const panic = encodeErrorResult({ abi, errorName: 'Panic', args: [1n] })
    h.backend.callResult = { returnData: bytes(panic), gasUsed: 100n, reverted: true }
    expect(await h.error('eth_call', [{ to: TOKEN_HEX }])).toEqual({
      code: 3,
      message: 'execution reverted: assert(false)',
      data: panic,
    })
  })

  it('eth_call reports non-revert failures as -32000 and refuses state overrides', async () => {
    h.backend.callResult = { returnData: new Uint8Array(0), gasUsed: 100n, reverted: false, error: 'out of gas' }
    expect(await h.error('eth_call', [{ to: TOKEN_HEX }])).toEqual({ code: -32000, message: 'out of gas' })
    expect(await h.error('eth_call', [{ to: TOKEN_HEX }, 'latest', { [TOKEN_HEX]: { balance: '0x1' } }])).toEqual({
      code: -32602,
      message: 'invalid argument 2 (stateOverrides): state overrides are not supported',
    })
  })

  it('eth_estimateGas returns the estimate and decodes backend reverts', async () => {
    expect(await h.result('eth_estimateGas', [{ from: alice.address, to: bob.address, value: '0x1' }])).toBe('0x5208')
    const data = encodeErrorResult({ abi, errorName: 'Error', args: ['nope'] })
    h.backend.estimateResult = Object.assign(new Error('execution reverted'), { code: 3, data })
    expect(await h.error('eth_estimateGas', [{ to: TOKEN_HEX }])).toEqual({
      code: 3,
      message: 'execution reverted: nope',
      data,
    })
    h.backend.estimateResult = new RpcError(-32000, 'gas required exceeds allowance (50000000)')
    expect(await h.error('eth_estimateGas', [{ to: TOKEN_HEX }])).toEqual({
      code: -32000,
      message: 'gas required exceeds allowance (50000000)',
    })
  })

  it('eth_sendRawTransaction returns the hash and passes pool rejections through', async () => {
    const raw = hex(h.txs.legacy.envelope.raw)
    expect(await h.result('eth_sendRawTransaction', [raw])).toBe(LEGACY_HASH)
    expect(h.backend.sentRaw).toHaveLength(1)
    h.backend.sendResult = Object.assign(new Error('nonce too low'), { code: -32000 })
    expect(await h.error('eth_sendRawTransaction', [raw])).toEqual({ code: -32000, message: 'nonce too low' })
    expect(await h.error('eth_sendRawTransaction', ['0x'])).toMatchObject({
      code: -32602,
      message: 'invalid argument 0 (transaction): empty transaction',
    })
  })
})

describe('eth_feeHistory', () => {
  it('returns base fees (plus next), gas used ratios and gas-weighted reward percentiles', async () => {
    expect(await h.result('eth_feeHistory', ['0x2', 'latest', [25, 75]])).toEqual({
      oldestBlock: '0x1',
      baseFeePerGas: ['0xf4240', '0xdbba0', '0xf4240'],
      gasUsedRatio: [117_000 / 30_000_000, 96_000 / 30_000_000],
      // Block 1: tips 500k (51k gas) and 1M (21k gas): p25 falls in the first, p75 in the second.
      // Block 2: one tx, tip 200k.
      reward: [
        ['0x7a120', '0xf4240'],
        ['0x30d40', '0x30d40'],
      ],
    })
  })

  it('accepts decimal counts, omits rewards without percentiles, clamps at genesis and the limit', async () => {
    const r = await h.result<Record<string, unknown>>('eth_feeHistory', ['10', '0x1'])
    expect(r).toEqual({
      oldestBlock: '0x0',
      baseFeePerGas: ['0xf4240', '0xf4240', '0xdbba0'],
      gasUsedRatio: [0, 117_000 / 30_000_000],
    })
    const h2 = await harness({ eth: { feeHistoryMaxBlocks: 1 } })
    expect(await h2.result('eth_feeHistory', [5, 'latest', []])).toMatchObject({
      oldestBlock: '0x2',
      gasUsedRatio: [96_000 / 30_000_000],
    })
    expect(await h.result('eth_feeHistory', ['0x0', 'latest'])).toEqual({
      oldestBlock: '0x0',
      baseFeePerGas: [],
      gasUsedRatio: [],
    })
  })

  it('rejects bad percentiles and blocks beyond the head', async () => {
    expect((await h.error('eth_feeHistory', ['0x1', 'latest', [50, 10]])).message).toMatch(
      /^invalid argument 2 \(rewardPercentiles\): invalid reward percentile/,
    )
    expect((await h.error('eth_feeHistory', ['0x1', 'latest', [101]])).code).toBe(-32602)
    expect(await h.error('eth_feeHistory', ['0x1', '0x5'])).toEqual({
      code: -32000,
      message: 'request beyond head block: requested 5, head 2',
    })
    expect((await h.error('eth_feeHistory', ['-1', 'latest'])).message).toMatch(/^invalid argument 0 \(blockCount\)/)
  })
})

describe('eth_getLogs', () => {
  const topics = (logs: { topics: string[] }[]) => logs.map((l) => l.topics[0])

  it('filters by range, address and topics', async () => {
    const all = await h.result<{ blockNumber: string; logIndex: string }[]>('eth_getLogs', [
      { fromBlock: 'earliest', toBlock: 'latest' },
    ])
    expect(all.map((l) => [l.blockNumber, l.logIndex])).toEqual([
      ['0x1', '0x0'],
      ['0x1', '0x1'],
      ['0x2', '0x0'],
    ])
    expect(all[0]).toEqual(DYNAMIC_RECEIPT_JSON.logs[0])
    const token = await h.result<{ address: string }[]>('eth_getLogs', [{ fromBlock: '0x0', address: TOKEN_HEX }])
    expect(token).toHaveLength(2)
    const transfers = await h.result<{ topics: string[] }[]>('eth_getLogs', [
      { fromBlock: '0x0', topics: [hex(TRANSFER_TOPIC)] },
    ])
    expect(transfers).toHaveLength(2)
    const either = await h.result<{ topics: string[] }[]>('eth_getLogs', [
      { fromBlock: '0x1', toBlock: '0x1', topics: [[hex(TRANSFER_TOPIC), hex(APPROVAL_TOPIC)]] },
    ])
    expect(topics(either)).toEqual([hex(TRANSFER_TOPIC), hex(APPROVAL_TOPIC)])
    const second = await h.result('eth_getLogs', [{ fromBlock: '0x0', topics: [null, `0x${'00'.repeat(31)}03`] }])
    expect(second).toHaveLength(1)
    // Default range is latest..latest.
    expect(await h.result('eth_getLogs', [{}])).toHaveLength(1)
    expect(h.backend.logQueries.at(-1)).toMatchObject({ fromBlock: 2n, toBlock: 2n })
  })

  it('serves blockHash queries from the block receipts', async () => {
    const logs = await h.result<unknown[]>('eth_getLogs', [{ blockHash: BLOCK1_HASH, topics: [hex(APPROVAL_TOPIC)] }])
    expect(logs).toEqual([DYNAMIC_RECEIPT_JSON.logs[1]])
    expect(await h.error('eth_getLogs', [{ blockHash: `0x${'11'.repeat(32)}` }])).toEqual({
      code: -32000,
      message: 'unknown block',
    })
  })

  it('enforces the block range and result limits, naming them', async () => {
    const h2 = await harness({ eth: { getLogsMaxBlockRange: 2, getLogsMaxResults: 2 } })
    expect(await h2.error('eth_getLogs', [{ fromBlock: '0x0', toBlock: '0x2' }])).toEqual({
      code: -32005,
      message: 'block range too large: 3 blocks, limit is 2 (getLogsMaxBlockRange)',
    })
    expect(await h2.result('eth_getLogs', [{ fromBlock: '0x1', toBlock: '0x2', address: TOKEN_HEX }])).toHaveLength(2)
    const tooMany = await h2.error('eth_getLogs', [{ fromBlock: '0x1', toBlock: '0x2' }])
    expect(tooMany.code).toBe(-32005)
    expect(tooMany.message).toMatch(/more than 2 results \(getLogsMaxResults\)/)
    // A range past the head is clamped to it before the limit applies.
    expect(await h2.result('eth_getLogs', [{ fromBlock: '0x2', toBlock: '0xffffff' }])).toHaveLength(1)
    expect(await h2.result('eth_getLogs', [{ fromBlock: '0x5', toBlock: '0x6' }])).toEqual([])
  })

  it('rejects inverted ranges and mixed blockHash/range filters', async () => {
    expect(await h.error('eth_getLogs', [{ fromBlock: '0x2', toBlock: '0x1' }])).toEqual({
      code: -32000,
      message: 'invalid block range params',
    })
    expect((await h.error('eth_getLogs', [{ blockHash: BLOCK1_HASH, fromBlock: '0x1' }])).message).toMatch(
      /^invalid argument 0 \(filter\): cannot specify both BlockHash/,
    )
  })
})

describe('parameter errors name the parameter (-32602)', () => {
  const cases: [string, unknown[], RegExp][] = [
    ['eth_getBlockByNumber', ['0x01', false], /^invalid argument 0 \(block\): hex number with leading zero digits$/],
    ['eth_getBlockByNumber', ['1', false], /^invalid argument 0 \(block\): expected a hex block number/],
    ['eth_getBlockByNumber', ['0x', false], /^invalid argument 0 \(block\): hex string "0x" has no digits$/],
    ['eth_getBlockByNumber', ['newest', false], /^invalid argument 0 \(block\)/],
    ['eth_getBlockByNumber', ['0x1', 'yes'], /^invalid argument 1 \(fullTransactions\): expected a boolean/],
    ['eth_getBlockByNumber', ['0x1'], /^missing value for required argument 1 \(fullTransactions\)$/],
    ['eth_getBlockByHash', ['0x1234', false], /^invalid argument 0 \(blockHash\): hex string has length 4, want 64/],
    ['eth_getBalance', ['0x1234', 'latest'], /^invalid argument 0 \(address\): hex string has length 4, want 40/],
    ['eth_getBalance', [ALICE, 'newest'], /^invalid argument 1 \(block\)/],
    ['eth_getBalance', [ALICE, { blockHash: '0x12' }], /^invalid argument 1 \(block\): field 'blockHash'/],
    ['eth_getBalance', [ALICE, { blockHash: BLOCK1_HASH, blockNumber: '0x1' }], /^invalid argument 1 \(block\)/],
    ['eth_getStorageAt', [ALICE, `0x${'00'.repeat(33)}`, 'latest'], /^invalid argument 1 \(slot\)/],
    ['eth_sendRawTransaction', ['0xabc'], /^invalid argument 0 \(transaction\): hex string of odd length$/],
    ['eth_call', [{ to: '0x12' }], /^invalid argument 0 \(transaction\): field 'to': hex string has length 2/],
    ['eth_call', [{ value: '0x01' }], /^invalid argument 0 \(transaction\): field 'value': hex number with leading/],
    ['eth_getTransactionByBlockNumberAndIndex', ['0x1', '2'], /^invalid argument 1 \(index\)/],
    ['eth_getLogs', [{ address: '0x12' }], /^invalid argument 0 \(filter\): field 'address'/],
    ['eth_getLogs', [{ topics: ['0x12'] }], /^invalid argument 0 \(filter\): field 'topics': topic 0/],
    ['eth_chainId', [1], /^too many arguments, want at most 0$/],
    ['web3_sha3', ['abc'], /^invalid argument 0 \(data\): hex string without 0x prefix$/],
  ]
  for (const [method, params, message] of cases) {
    it(`${method} ${JSON.stringify(params)}`, async () => {
      const err = await h.error(method, params)
      expect(err.code).toBe(-32602)
      expect(err.message).toMatch(message)
    })
  }
})

describe('backend failures', () => {
  it('turns unexpected backend exceptions into -32603 and keeps serving', async () => {
    h.backend.faults.set('getBlock', new Error('disk on fire'))
    expect(await h.error('eth_getBlockByNumber', ['0x1', false])).toEqual({ code: -32603, message: 'internal error' })
    h.backend.faults.clear()
    expect(await h.result('eth_getBlockByNumber', ['0x1', false])).toEqual(BLOCK1_JSON)
  })
})
