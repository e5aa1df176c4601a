import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Common, Mainnet } from '@ethereumjs/common'
import { RLP } from '@ethereumjs/rlp'
import { createFeeMarket1559Tx } from '@ethereumjs/tx'
import { privateToAddress } from '@ethereumjs/util'
import { keccak256 as keccak_256 } from '../../config/keccak.ts'
import { encodeDepositTx } from '../../derivation/protocol/depositTx.ts'
import { type EcotoneL1BlockInfo, encodeL1InfoEcotone, l1InfoDepositTx } from '../../derivation/protocol/l1Info.ts'
import { ChainStore } from '../../node/db/chainStore.ts'
import type { PayloadAttributes } from '../../node/engine/blockBuilder.ts'
import type { ChainSpec } from '../../node/engine/chainSpec.ts'
import { ExecutionEngine } from '../../node/engine/engine.ts'
import { type GenesisState, initGenesis } from '../../node/engine/genesis.ts'
import type { DepositInput } from '../../node/engine/opTxProcessor.ts'
import { bigintToBytes } from '../../node/engine/state/account.ts'

// Test fixture: a Fjord/Granite chain whose genesis holds the real L1Block implementation (contracts-bedrock
// 0.17.3 forge artifact) at 0x4200…0015 and funded dev accounts.

export const DEV_KEYS = [
  'ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
].map((h) => Buffer.from(h, 'hex'))
export const DEV_ADDRS = DEV_KEYS.map((k) => privateToAddress(k))
export const L1_BLOCK = Buffer.from('4200000000000000000000000000000000000015', 'hex')
export const DEPOSITOR = Buffer.from('deaddeaddeaddeaddeaddeaddeaddeaddead0001', 'hex')
export const SEQUENCER_FEE_VAULT = Buffer.from('4200000000000000000000000000000000000011', 'hex')

export const SPEC: ChainSpec = {
  chainId: 901n,
  regolithTime: 0n,
  canyonTime: 0n,
  deltaTime: 0n,
  ecotoneTime: 0n,
  fjordTime: 0n,
  graniteTime: 0n,
  eip1559Elasticity: 6n,
  eip1559Denominator: 50n,
  eip1559DenominatorCanyon: 250n,
}

export function artifact(name: string, file = name): { deployed: Uint8Array; creation: Uint8Array } {
  const a = JSON.parse(
    readFileSync(
      new URL(
        `../../node_modules/@eth-optimism/contracts-bedrock/forge-artifacts/${file}.sol/${name}.json`,
        import.meta.url,
      ),
      'utf8',
    ),
  )
  return {
    deployed: Buffer.from(a.deployedBytecode.object.slice(2), 'hex'),
    creation: Buffer.from(a.bytecode.object.slice(2), 'hex'),
  }
}

export function genesisState(extraAccounts: GenesisState['alloc'] = []): GenesisState {
  return {
    timestamp: 1_700_000_000n,
    gasLimit: 30_000_000n,
    baseFeePerGas: 1_000_000_000n,
    extraData: new Uint8Array(0),
    coinbase: SEQUENCER_FEE_VAULT,
    mixHash: new Uint8Array(32),
    nonce: new Uint8Array(8),
    difficulty: 0n,
    alloc: [
      { address: L1_BLOCK, balance: 0n, code: artifact('L1Block').deployed },
      ...DEV_ADDRS.map((address) => ({ address, balance: 10n ** 24n })),
      ...extraAccounts,
    ],
  }
}

export interface L1Info {
  number: bigint
  timestamp: bigint
  baseFee: bigint
  blobBaseFee: bigint
  hash: Uint8Array
  sequenceNumber: bigint
  batcher: Uint8Array
  baseFeeScalar: number
  blobBaseFeeScalar: number
}

export const DEFAULT_L1_INFO: L1Info = {
  number: 100n,
  timestamp: 1_699_999_990n,
  baseFee: 7_000_000_000n,
  blobBaseFee: 3n,
  hash: keccak_256(Uint8Array.of(1)),
  sequenceNumber: 0n,
  batcher: Buffer.alloc(20, 0xbb),
  baseFeeScalar: 1368,
  blobBaseFeeScalar: 810949,
}

/** The L1-info deposit for a test block (the node's encoder, itself checked against the kona vectors). */
export function l1InfoCalldata(i: L1Info): Uint8Array {
  return encodeL1InfoEcotone(ecotoneInfo(i))
}

function ecotoneInfo(i: L1Info): EcotoneL1BlockInfo {
  return {
    kind: 'ecotone',
    number: i.number,
    time: i.timestamp,
    baseFee: i.baseFee,
    blockHash: i.hash,
    sequenceNumber: i.sequenceNumber,
    batcherAddr: i.batcher,
    blobBaseFee: i.blobBaseFee,
    baseFeeScalar: BigInt(i.baseFeeScalar),
    blobBaseFeeScalar: BigInt(i.blobBaseFeeScalar),
  }
}

export type DepositFields = Omit<DepositInput, 'isSystemTx'> & { isSystemTx?: boolean }

export function encodeDeposit(d: DepositFields): Uint8Array {
  const body = RLP.encode([
    d.sourceHash,
    d.from,
    d.to ?? new Uint8Array(0),
    bigintToBytes(d.mint),
    bigintToBytes(d.value),
    bigintToBytes(d.gas),
    d.isSystemTx ? Uint8Array.of(1) : new Uint8Array(0),
    d.data,
  ])
  return Buffer.concat([Uint8Array.of(0x7e), body])
}

export function l1InfoDeposit(i: L1Info = DEFAULT_L1_INFO): Uint8Array {
  return encodeDepositTx(l1InfoDepositTx(ecotoneInfo(i), true))
}

const common = new Common({ chain: { ...Mainnet, chainId: 901 } as never, hardfork: 'cancun' })

export function signTransfer(
  key: Uint8Array,
  nonce: bigint,
  to: Uint8Array,
  value: bigint,
  opts: { data?: Uint8Array; gas?: bigint; tip?: bigint; feeCap?: bigint } = {},
): Uint8Array {
  return createFeeMarket1559Tx(
    {
      chainId: 901n,
      nonce,
      to,
      value,
      data: opts.data ?? new Uint8Array(0),
      gasLimit: opts.gas ?? 21000n,
      maxPriorityFeePerGas: opts.tip ?? 1_000_000n,
      maxFeePerGas: opts.feeCap ?? 10_000_000_000n,
    },
    { common },
  )
    .sign(key)
    .serialize()
}

export function signCreate(key: Uint8Array, nonce: bigint, data: Uint8Array, gas = 3_000_000n): Uint8Array {
  return createFeeMarket1559Tx(
    { chainId: 901n, nonce, data, gasLimit: gas, maxPriorityFeePerGas: 1_000_000n, maxFeePerGas: 10_000_000_000n },
    { common },
  )
    .sign(key)
    .serialize()
}

export function attributes(parentTimestamp: bigint, txs: Uint8Array[], noTxPool = true): PayloadAttributes {
  return {
    timestamp: parentTimestamp + 2n,
    prevRandao: keccak_256(bigintToBytes(parentTimestamp)),
    suggestedFeeRecipient: SEQUENCER_FEE_VAULT,
    parentBeaconBlockRoot: keccak_256(Uint8Array.of(9)),
    transactions: txs,
    noTxPool,
    gasLimit: 30_000_000n,
  }
}

export async function openEngine(dir?: string, genesis = genesisState()) {
  const path = dir ?? mkdtempSync(join(tmpdir(), 'oln-engine-'))
  const store = await ChainStore.open(path)
  await initGenesis(store, SPEC, genesis)
  const engine = await ExecutionEngine.open({ store, spec: SPEC })
  return {
    engine,
    store,
    path,
    async close(remove = true) {
      await engine.close()
      await store.close()
      if (remove) rmSync(path, { recursive: true, force: true })
    },
  }
}

/** An engine with a tx pool and the RPC backend over it; `build()` sequences one block from the pool. */
export async function openEngineWithPool(genesis = genesisState()) {
  const { EngineBackend } = await import('../../node/rpc/engineBackend.ts')
  const { TxPool } = await import('../../node/txpool/txPool.ts')
  const e = await openEngine(undefined, genesis)
  const pool: InstanceType<typeof TxPool> = new TxPool({
    account: async (a) => (await e.engine.stateAt(e.engine.head.unsafe.header)).readAccount(a),
    nextBaseFee: (): bigint => backend.nextBaseFee(),
    l1Fee: (raw) => e.engine.estimateL1Fee(raw),
    blockGasLimit: () => e.engine.head.unsafe.header.gasLimit,
  })
  const backend: InstanceType<typeof EngineBackend> = new EngineBackend(e.engine, pool)
  e.engine.txSource = pool
  const build = async () => {
    const parent = e.engine.head.unsafe
    const seq = { ...DEFAULT_L1_INFO, sequenceNumber: parent.header.number }
    const b = await e.engine.buildBlock(attributes(parent.header.timestamp, [l1InfoDeposit(seq)], false))
    await pool.onNewHead()
    return b
  }
  return { ...e, pool, backend, build }
}
