import { Common, Mainnet } from '@ethereumjs/common'
import { createFeeMarket1559Tx } from '@ethereumjs/tx'
import { afterAll, describe, expect, it } from 'vitest'
import { TxPool } from '../../../node/txpool/txPool.ts'
import { DEV_ADDRS, DEV_KEYS, openEngineWithPool, signTransfer } from '../../helpers/engineFixture.ts'

// Each tx-pool rejection reaches eth_sendRawTransaction as geth's error: code -32000 and geth's message
// (go-ethereum core/txpool/errors.go, core/error.go; signer failures wrapped in ErrInvalidSender).

const closers: (() => Promise<unknown>)[] = []
afterAll(async () => {
  for (const c of closers.reverse()) await c()
})

const TO = DEV_ADDRS[1] as Uint8Array

async function rejection(send: Promise<unknown>): Promise<{ code: number; message: string }> {
  const err = (await send.then(
    () => undefined,
    (e: unknown) => e,
  )) as { code: number; message: string } | undefined
  if (!err) throw new Error('expected a rejection')
  return { code: err.code, message: err.message }
}

describe('tx pool rejections map to geth JSON-RPC errors', () => {
  it('invalid sender, chain id, intrinsic gas, block gas limit, underpriced replacement, already known', async () => {
    const e = await openEngineWithPool()
    closers.push(() => e.close())
    const send = (raw: Uint8Array) => rejection(e.backend.sendRawTransaction(raw))

    // Wrong chain: geth's txpool wraps types.ErrInvalidChainId in ErrInvalidSender.
    const mainnet = new Common({ chain: Mainnet, hardfork: 'cancun' })
    const wrongChain = createFeeMarket1559Tx(
      { chainId: 1n, nonce: 0n, to: TO, gasLimit: 21000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n },
      { common: mainnet },
    )
      .sign(DEV_KEYS[0]!)
      .serialize()
    expect(await send(wrongChain)).toEqual({ code: -32000, message: 'invalid sender: invalid chain id for signer' })

    // A signature whose r is not an x coordinate on the curve (x = 5: 5^3 + 7 = 132 is a non-residue): no sender.
    const good = signTransfer(DEV_KEYS[0]!, 0n, TO, 1n)
    const tx = createFeeMarket1559Tx(
      {
        chainId: 901n,
        nonce: 0n,
        to: TO,
        value: 1n,
        gasLimit: 21000n,
        maxFeePerGas: 10n ** 10n,
        maxPriorityFeePerGas: 10n ** 6n,
        v: 0n,
        r: 5n,
        s: 1n,
      },
      { common: new Common({ chain: { ...Mainnet, chainId: 901 } as never, hardfork: 'cancun' }) },
    ).serialize()
    expect(await send(tx)).toEqual({ code: -32000, message: 'invalid sender' })

    expect(await send(signTransfer(DEV_KEYS[0]!, 0n, TO, 1n, { gas: 20_999n }))).toEqual({
      code: -32000,
      message: 'intrinsic gas too low',
    })
    expect(await send(signTransfer(DEV_KEYS[0]!, 0n, TO, 1n, { gas: 30_000_001n }))).toEqual({
      code: -32000,
      message: 'exceeds block gas limit',
    })
    await e.backend.sendRawTransaction(good)
    expect(await send(good)).toEqual({ code: -32000, message: 'already known' })
    expect(await send(signTransfer(DEV_KEYS[0]!, 0n, TO, 2n))).toEqual({
      code: -32000,
      message: 'replacement transaction underpriced',
    })
  })

  it('reports the per-account limit as geth does', async () => {
    const e = await openEngineWithPool()
    closers.push(() => e.close())
    const pool = new TxPool(
      {
        account: async (a) => (await e.engine.stateAt(e.engine.head.unsafe.header)).readAccount(a),
        nextBaseFee: () => 1n,
      },
      { accountSlots: 1 },
    )
    const [a, b] = await e.engine.admit([
      signTransfer(DEV_KEYS[0]!, 0n, TO, 1n),
      signTransfer(DEV_KEYS[0]!, 1n, TO, 1n),
    ])
    await pool.add(a as never)
    await expect(pool.add(b as never)).rejects.toThrow('account limit exceeded')
  })
})
