import { concatHex, keccak256, toRlp } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Anvil, startAnvil } from '../../../node/l1/anvil.ts'
import { TxManagerError } from '../../../sequencer/txmgr/errors.ts'
import { TxManager, txHashOfRaw } from '../../../sequencer/txmgr/txManager.ts'
import { type JsonRpcProxy, startJsonRpcProxy } from '../../helpers/jsonRpcProxy.ts'

// The tx manager against a real anvil (chain 31337). Anvil's first dev account is the batcher key.
const KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
const FROM = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
const INBOX = '0xff00000000000000000000000000000000000901'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface RpcTx {
  input: string
  nonce: string
  maxFeePerGas: string
}

describe('TxManager (anvil, automine)', () => {
  let anvil: Anvil
  beforeAll(async () => {
    anvil = await startAnvil()
  })
  afterAll(async () => {
    await anvil?.stop()
  })

  it('sends txs concurrently with consecutive nonces and returns their confirmed blocks', async () => {
    const tm = new TxManager({ l1RpcUrl: anvil.url, privateKey: KEY, l1ChainId: 31337, pollIntervalMs: 50 })
    const payloads = [1, 2, 3].map((i) => Uint8Array.of(0, i, i, i))
    const results = await Promise.all(payloads.map((data) => tm.send({ to: INBOX, data })))
    const txs = await Promise.all(results.map((r) => anvil.rpc<RpcTx>('eth_getTransactionByHash', [r.txHash])))
    expect(txs.map((t) => Number(t.nonce))).toEqual([0, 1, 2])
    expect(txs.map((t) => t.input)).toEqual(['0x00010101', '0x00020202', '0x00030303'])
    for (const r of results) {
      expect(r.attempts).toBe(1)
      expect(r.blockNumber).toBeGreaterThan(0)
    }
  })

  it('resyncs its nonce after another tx took it: that send fails with TXMGR_NONCE_CONSUMED, the next succeeds', async () => {
    const tm = new TxManager({ l1RpcUrl: anvil.url, privateKey: KEY, l1ChainId: 31337, pollIntervalMs: 50 })
    await tm.send({ to: INBOX, data: Uint8Array.of(0, 9) })
    // someone else (anvil's unlocked account) uses the next nonce behind the manager's back
    await anvil.rpc('eth_sendTransaction', [{ from: FROM, to: INBOX, data: '0x0042' }])
    const err = await tm.send({ to: INBOX, data: Uint8Array.of(0, 10) }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TxManagerError)
    expect((err as TxManagerError).code).toBe('TXMGR_NONCE_CONSUMED')
    const ok = await tm.send({ to: INBOX, data: Uint8Array.of(0, 11) })
    const tx = await anvil.rpc<RpcTx>('eth_getTransactionByHash', [ok.txHash])
    expect(tx.input).toBe('0x000b')
  })

  it('refuses blob txs without a KZG implementation', async () => {
    const tm = new TxManager({ l1RpcUrl: anvil.url, privateKey: KEY, l1ChainId: 31337 })
    const err = await tm.send({ to: INBOX, data: new Uint8Array(0), blobs: [new Uint8Array(131072)] }).catch((e) => e)
    expect((err as TxManagerError).code).toBe('TXMGR_NO_KZG')
  })
})

describe('TxManager (anvil, manual mining)', () => {
  let anvil: Anvil
  beforeAll(async () => {
    anvil = await startAnvil(['--no-mining'])
  })
  afterAll(async () => {
    await anvil?.stop()
  })

  it('replaces a tx stuck under a risen base fee with bumped fees, then waits for the confirmation depth', async () => {
    const tm = new TxManager({
      l1RpcUrl: anvil.url,
      privateKey: KEY,
      l1ChainId: 31337,
      pollIntervalMs: 25,
      resubmissionTimeoutMs: 300,
      confirmations: 2,
    })
    const sending = tm.send({ to: INBOX, data: Uint8Array.of(0, 1, 2, 3) })
    let settled = false
    void sending.finally(() => {
      settled = true
    })
    // wait for the first version to reach the pool
    while (Number(await anvil.rpc<string>('eth_getTransactionCount', [FROM, 'pending'])) === 0) await sleep(20)
    const first = await anvil.rpc<{ pending: Record<string, Record<string, RpcTx>> }>('txpool_content')
    const firstFeeCap = BigInt(Object.values(Object.values(first.pending)[0]!)[0]!.maxFeePerGas)
    // the base fee jumps far above the tx's fee cap: the next block leaves it out
    const high = firstFeeCap * 20n
    await anvil.rpc('anvil_setNextBlockBaseFeePerGas', [`0x${high.toString(16)}`])
    await anvil.rpc('evm_mine')
    const afterJump = await anvil.rpc<{ transactions: string[] }>('eth_getBlockByNumber', ['latest', false])
    expect(afterJump.transactions.length).toBe(0)
    while (!settled) {
      await sleep(100)
      await anvil.rpc('evm_mine')
    }
    const r = await sending
    expect(r.attempts).toBeGreaterThanOrEqual(2)
    expect(r.fees.feeCap).toBeGreaterThan(firstFeeCap)
    const tx = await anvil.rpc<RpcTx>('eth_getTransactionByHash', [r.txHash])
    expect(BigInt(tx.maxFeePerGas)).toBe(r.fees.feeCap)
    const head = Number(await anvil.rpc<string>('eth_blockNumber'))
    expect(head).toBeGreaterThanOrEqual(r.blockNumber + 1)
  })

  it('re-sends a tx whose block was reorged out before it reached the confirmation depth', async () => {
    const tm = new TxManager({
      l1RpcUrl: anvil.url,
      privateKey: KEY,
      l1ChainId: 31337,
      pollIntervalMs: 25,
      resubmissionTimeoutMs: 60_000,
      confirmations: 3,
    })
    const sending = tm.send({ to: INBOX, data: Uint8Array.of(0, 7, 7) })
    let settled = false
    void sending.finally(() => {
      settled = true
    })
    const nonce = Number(await anvil.rpc<string>('eth_getTransactionCount', [FROM, 'latest']))
    while (Number(await anvil.rpc<string>('eth_getTransactionCount', [FROM, 'pending'])) === nonce) await sleep(20)
    await anvil.rpc('evm_mine')
    const included = await anvil.rpc<{ transactions: string[]; number: string; hash: string }>('eth_getBlockByNumber', [
      'latest',
      false,
    ])
    expect(included.transactions.length).toBe(1)
    // let the manager see the receipt, then replace that block with an empty one
    await sleep(200)
    await anvil.rpc('anvil_reorg', [1, []])
    const replaced = await anvil.rpc<{ hash: string; transactions: string[] }>('eth_getBlockByNumber', [
      included.number,
      false,
    ])
    expect(replaced.hash).not.toBe(included.hash)
    expect(replaced.transactions.length).toBe(0)
    while (!settled) {
      await sleep(100)
      await anvil.rpc('evm_mine')
    }
    const r = await sending
    expect(r.blockNumber).toBeGreaterThan(Number(included.number))
    const tx = await anvil.rpc<RpcTx>('eth_getTransactionByHash', [r.txHash])
    expect(tx.input).toBe('0x000707')
    expect(Number(tx.nonce)).toBe(nonce)
  })
})

describe('TxManager when the send answer is lost', () => {
  let anvil: Anvil
  let proxy: JsonRpcProxy
  beforeAll(async () => {
    anvil = await startAnvil()
    proxy = await startJsonRpcProxy(anvil.url)
  })
  afterAll(async () => {
    await proxy?.close()
    await anvil?.stop()
  })

  it('watches the signed tx instead of posting the data again under a new nonce', async () => {
    // the proxy hands eth_sendRawTransaction to anvil but answers 502, as a gateway that timed out would
    proxy.intercept = (body) => {
      const call = body as { method?: string }
      if (call.method !== 'eth_sendRawTransaction') return undefined
      void fetch(anvil.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      return { status: 502, body: 'bad gateway' }
    }
    const tm = new TxManager({ l1RpcUrl: proxy.url, privateKey: KEY, l1ChainId: 31337, pollIntervalMs: 50 })
    const r = await tm.send({ to: INBOX, data: Uint8Array.of(0, 0x5a, 0x5a) })
    proxy.intercept = undefined
    const tx = await anvil.rpc<RpcTx & { hash: string }>('eth_getTransactionByHash', [r.txHash])
    expect(tx.input).toBe('0x005a5a')
    expect(r.attempts).toBe(1)
    // exactly one tx carried the data: the account's nonce moved by one
    expect(Number(await anvil.rpc<string>('eth_getTransactionCount', [FROM, 'latest']))).toBe(Number(tx.nonce) + 1)
  }, 30_000)

  it('txHashOfRaw: a blob tx in network form hashes without its sidecar', () => {
    const body = [
      '0x0385',
      '0x01',
      '0x3b9aca00',
      '0x77359400',
      '0x5208',
      INBOX,
      '0x',
      '0x',
      [],
      '0x01',
      [`0x01${'ab'.repeat(31)}`],
    ]
    const plain = concatHex(['0x03', toRlp(body as never)])
    const network = concatHex(['0x03', toRlp([body, ['0x1234'], ['0x5678'], ['0x9abc']] as never)])
    expect(txHashOfRaw(network)).toBe(keccak256(plain))
    expect(txHashOfRaw(plain)).toBe(keccak256(plain))
    const legacy = toRlp(['0x01', '0x02'])
    expect(txHashOfRaw(legacy)).toBe(keccak256(legacy))
  })
})
