import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EVMError, type ExecResult, type PrecompileInput } from '@ethereumjs/evm'
import { Address } from '@ethereumjs/util'
import { afterEach, describe, expect, it } from 'vitest'
import { ChainStore } from '../../../node/db/chainStore.ts'
import { ExecutionEngine } from '../../../node/engine/engine.ts'
import { initGenesis } from '../../../node/engine/genesis.ts'
import type { TxHooks } from '../../../node/engine/opTxProcessor.ts'
import type { PrecompileExtension } from '../../../precompiles/registry.ts'
import {
  attributes,
  DEV_ADDRS,
  DEV_KEYS,
  genesisState,
  l1InfoDeposit,
  SPEC,
  signTransfer,
} from '../../helpers/engineFixture.ts'

// The native extension points the attribution precompiles build on: per-fork custom precompiles and
// pre/post-transaction hooks that change state inside the state transition.

const COUNTER = new Address(Buffer.from('0000000000000000000000000000000000000a77', 'hex'))
const ECHO = Buffer.from('0000000000000000000000000000000000000500', 'hex')
const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  while (closers.length) await (closers.pop() as () => Promise<void>)()
})

async function open(hooks?: TxHooks, extensions?: PrecompileExtension[]) {
  const path = mkdtempSync(join(tmpdir(), 'oln-ext-'))
  const store = await ChainStore.open(path)
  await initGenesis(store, SPEC, genesisState([{ address: COUNTER.bytes, balance: 1n }]))
  const engine = await ExecutionEngine.open({ store, spec: SPEC, hooks, extensions })
  closers.push(async () => {
    await engine.close()
    await store.close()
    rmSync(path, { recursive: true, force: true })
  })
  return engine
}

describe('engine extension points', () => {
  it('runs a custom precompile chosen per fork, with its own gas charge', async () => {
    const echo: PrecompileExtension = {
      precompiles: (forks) =>
        forks.granite
          ? [
              {
                address: new Address(ECHO),
                function: (input: PrecompileInput): ExecResult =>
                  input.gasLimit < 1000n
                    ? {
                        returnValue: new Uint8Array(0),
                        executionGasUsed: input.gasLimit,
                        exceptionError: new EVMError(EVMError.errorMessages.OUT_OF_GAS),
                      }
                    : { returnValue: Uint8Array.from(input.data).reverse(), executionGasUsed: 1000n },
              },
            ]
          : [],
    }
    const engine = await open(undefined, [echo])
    const call = await engine.simulate(engine.head.unsafe.header, {
      from: DEV_ADDRS[0] as Uint8Array,
      to: ECHO,
      value: 0n,
      data: Uint8Array.of(1, 2, 3),
      gas: 100_000n,
      gasPrice: 0n,
      accessList: [],
    })
    expect([...call.returnValue]).toEqual([3, 2, 1])
    expect(call.gasUsed).toBe(21000n + 3n * 16n + 1000n)
    // A transaction to the precompile is not treated as a plain transfer (it runs the precompile).
    const tx = signTransfer(DEV_KEYS[0] as Uint8Array, 0n, ECHO, 0n, { data: Uint8Array.of(9), gas: 50_000n })
    const b = await engine.buildBlock(attributes(engine.head.unsafe.header.timestamp, [l1InfoDeposit(), tx]))
    const r = (await engine.store.getReceipts(b.hash))![1]!
    expect(r.gasUsed).toBe(21000n + 16n + 1000n)
  })

  it('applies before/after-transaction hooks inside the state transition (state root reflects them)', async () => {
    const seen: string[] = []
    const hooks: TxHooks = {
      beforeTx: (ctx) => {
        seen.push(`before:${ctx.isDeposit ? 'deposit' : 'tx'}`)
      },
      afterTx: async (ctx, outcome) => {
        seen.push(`after:${outcome.status}`)
        // count successful user txs in the COUNTER account's balance
        if (!ctx.isDeposit && outcome.status === 1) await ctx.state.addBalance(COUNTER.bytes, 1n)
      },
    }
    const withHooks = await open(hooks)
    const plain = await open()
    const txs = [
      l1InfoDeposit(),
      signTransfer(DEV_KEYS[0] as Uint8Array, 0n, DEV_ADDRS[1] as Uint8Array, 5n),
      signTransfer(DEV_KEYS[0] as Uint8Array, 1n, DEV_ADDRS[1] as Uint8Array, 5n),
    ]
    const a = await withHooks.buildBlock(attributes(withHooks.head.unsafe.header.timestamp, txs))
    const b = await plain.buildBlock(attributes(plain.head.unsafe.header.timestamp, txs))
    expect(seen).toEqual(['before:deposit', 'after:1', 'before:tx', 'after:1', 'before:tx', 'after:1'])
    const st = await withHooks.stateAt(a.header)
    expect((await st.readAccount(COUNTER.bytes))?.balance).toBe(3n)
    expect(Buffer.from(a.header.stateRoot).toString('hex')).not.toBe(Buffer.from(b.header.stateRoot).toString('hex'))
    // A verifier with the same hooks re-executes to the same block.
    const verifier = await open(hooks)
    const { payloadFromBlock } = await import('../../../node/engine/engine.ts')
    expect((await verifier.newPayload(payloadFromBlock(a), a.header.parentBeaconBlockRoot)).status).toBe('VALID')
  })
})
