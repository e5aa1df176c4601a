// npm run bench:engine — builds blocks of simple transfers and of ERC-20 (WETH98) transfers on the embedded
// engine (parse + native sender recovery + execution + state root + LevelDB persistence), and measures anvil
// mining the same workload in the same run. Last line: {"bench":"engine",...}.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Common, Mainnet } from '@ethereumjs/common'
import { createFeeMarket1559Tx } from '@ethereumjs/tx'
import { privateToAddress } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'
import secp256k1 from 'secp256k1'
import '../../config/polyfills.ts'
import { ChainStore } from '../../node/db/chainStore.ts'
import { type AdmittedTx, ExecutionEngine } from '../../node/engine/engine.ts'
import { initGenesis } from '../../node/engine/genesis.ts'
import { startAnvil } from '../../node/l1/anvil.ts'
import {
  artifact,
  attributes,
  DEFAULT_L1_INFO,
  genesisState,
  l1InfoDeposit,
  SPEC,
} from '../../test/helpers/engineFixture.ts'

const SENDERS = Number(process.env.BENCH_SENDERS ?? 300)
const PER_SENDER = Number(process.env.BENCH_PER_SENDER ?? 10)
const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 5)
/** The first block of each run warms the JIT (and anvil's caches) and is not counted. */
const WARMUP = 1
const TXS = SENDERS * PER_SENDER
const GAS_LIMIT = 1_000_000_000n
const WETH = Buffer.alloc(20, 0xee)

const keys = Array.from({ length: SENDERS }, (_, i) => keccak_256(Buffer.from(`bench-sender-${i}`)))
const addrs = keys.map((k) => privateToAddress(k))

const commons = new Map<bigint, Common>()
function commonFor(chainId: bigint): Common {
  let c = commons.get(chainId)
  if (!c) {
    c = new Common({ chain: { ...Mainnet, chainId: Number(chainId) } as never, hardfork: 'cancun' })
    commons.set(chainId, c)
  }
  return c
}

function sign(
  chainId: bigint,
  key: Uint8Array,
  nonce: bigint,
  to: Uint8Array,
  value: bigint,
  data: Uint8Array,
  gas: bigint,
) {
  const common = commonFor(chainId)
  const tx = createFeeMarket1559Tx(
    { chainId, nonce, to, value, data, gasLimit: gas, maxPriorityFeePerGas: 1_000_000n, maxFeePerGas: 50_000_000_000n },
    { common },
  )
  const { signature, recid } = secp256k1.ecdsaSign(tx.getHashedMessageToSign(), key)
  const r = BigInt(`0x${Buffer.from(signature.subarray(0, 32)).toString('hex')}`)
  const s = BigInt(`0x${Buffer.from(signature.subarray(32)).toString('hex')}`)
  return tx.addSignature(BigInt(recid), r, s).serialize()
}

function recipient(block: number, i: number): Uint8Array {
  return keccak_256(Buffer.from(`recipient-${block}-${i}`)).subarray(0, 20)
}

function erc20Transfer(to: Uint8Array, amount: bigint): Uint8Array {
  return Buffer.concat([
    Buffer.from('a9059cbb', 'hex'),
    Buffer.alloc(12),
    to,
    Buffer.from(amount.toString(16).padStart(64, '0'), 'hex'),
  ])
}

type Workload = 'transfer' | 'erc20'

function blockTxs(chainId: bigint, w: Workload, block: number, nonceBase: number, weth: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let n = 0; n < PER_SENDER; n++) {
    for (let s = 0; s < SENDERS; s++) {
      const to = recipient(block, s * PER_SENDER + n)
      const nonce = BigInt(nonceBase + n)
      out.push(
        w === 'transfer'
          ? sign(chainId, keys[s] as Uint8Array, nonce, to, 1n, new Uint8Array(0), 21000n)
          : sign(chainId, keys[s] as Uint8Array, nonce, weth, 0n, erc20Transfer(to, 1n), 60_000n),
      )
    }
  }
  return out
}

interface Figures {
  txPerS: number
  mgasPerS: number
  msPerBlock: number
}

/**
 * mode 'admitted': txs were decoded and sender-recovered at admission (the sequencer's pool path); the block
 * build is execution + state root + persistence. mode 'raw': the block is built from raw txs, including
 * decoding and parallel sender recovery (what re-executing a received payload costs).
 */
async function benchEngine(
  w: Workload,
  mode: 'admitted' | 'raw' = 'admitted',
): Promise<Figures & { admitPerS: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'oln-bench-'))
  // WETH98 deployed in genesis with every sender holding a balance (mapping balanceOf at slot 0).
  const wethCode = artifact('WETH98').deployed
  const storage: [Uint8Array, Uint8Array][] = addrs.map((a) => [
    keccak_256(Buffer.concat([Buffer.alloc(12), a, Buffer.alloc(32)])),
    Buffer.from((10n ** 24n).toString(16), 'hex'),
  ])
  const g = genesisState([
    ...addrs.map((address) => ({ address, balance: 10n ** 24n })),
    { address: WETH, balance: 10n ** 30n, code: wethCode, storage },
  ])
  g.gasLimit = GAS_LIMIT
  const store = await ChainStore.open(dir)
  await initGenesis(store, SPEC, g)
  const engine = await ExecutionEngine.open({ store, spec: SPEC })
  let totalMs = 0
  let totalTx = 0
  let totalGas = 0n
  let admitMs = 0
  try {
    for (let b = 0; b < BLOCKS + WARMUP; b++) {
      const raws = blockTxs(SPEC.chainId, w, b, b * PER_SENDER, WETH)
      let pending: Iterable<Uint8Array | AdmittedTx> = raws
      if (mode === 'admitted') {
        const ta = performance.now()
        const admitted = await engine.admit(raws)
        admitMs += performance.now() - ta
        pending = admitted.filter((a): a is AdmittedTx => !(a instanceof Error))
      }
      engine.txSource = { pending: () => pending, rejected: (_r, why) => console.error('rejected', why) }
      const parent = engine.head.unsafe
      const attrs = {
        ...attributes(
          parent.header.timestamp,
          [l1InfoDeposit({ ...DEFAULT_L1_INFO, sequenceNumber: BigInt(b) })],
          false,
        ),
        gasLimit: GAS_LIMIT,
      }
      const t0 = performance.now()
      const block = await engine.buildBlock(attrs)
      const ms = performance.now() - t0
      if (block.transactions.length !== TXS + 1)
        throw new Error(`block has ${block.transactions.length - 1} txs, expected ${TXS}`)
      console.log(
        `  oln ${w} (${mode}): block ${block.header.number} ${TXS} txs in ${ms.toFixed(0)} ms${b < WARMUP ? ' (warm-up)' : ''}`,
      )
      if (b < WARMUP) {
        admitMs = 0
        continue
      }
      totalMs += ms
      totalTx += TXS
      totalGas += block.header.gasUsed
    }
  } finally {
    await engine.close()
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  }
  return {
    txPerS: (totalTx / totalMs) * 1000,
    mgasPerS: Number(totalGas) / 1e6 / (totalMs / 1000),
    msPerBlock: totalMs / BLOCKS,
    admitPerS: admitMs > 0 ? (totalTx / admitMs) * 1000 : 0,
  }
}

async function benchAnvil(w: Workload): Promise<Figures> {
  const anvil = await startAnvil([
    '--no-mining',
    '--gas-limit',
    String(GAS_LIMIT),
    '--accounts',
    '1',
    '--order',
    'fifo',
  ])
  try {
    const chainId = BigInt(await anvil.rpc<string>('eth_chainId'))
    await anvil.rpcBatch(
      addrs.map((a) => ({
        method: 'anvil_setBalance',
        params: [`0x${Buffer.from(a).toString('hex')}`, '0xd3c21bcecceda1000000'],
      })),
    )
    let nonceBase = 0
    let weth: Uint8Array = WETH
    if (w === 'erc20') {
      // deploy WETH98 and give every sender a WETH balance, as in the engine's genesis
      const create = createFeeMarket1559Tx(
        {
          chainId,
          nonce: 0n,
          data: artifact('WETH98').creation,
          gasLimit: 3_000_000n,
          maxPriorityFeePerGas: 1_000_000n,
          maxFeePerGas: 50_000_000_000n,
        },
        { common: commonFor(chainId) },
      )
      const { signature, recid } = secp256k1.ecdsaSign(create.getHashedMessageToSign(), keys[0] as Uint8Array)
      const signed = create.addSignature(
        BigInt(recid),
        BigInt(`0x${Buffer.from(signature.subarray(0, 32)).toString('hex')}`),
        BigInt(`0x${Buffer.from(signature.subarray(32)).toString('hex')}`),
      )
      await anvil.rpc('eth_sendRawTransaction', [`0x${Buffer.from(signed.serialize()).toString('hex')}`])
      await anvil.rpc('evm_mine')
      const receipt = await anvil.rpc<{ contractAddress: string }>('eth_getTransactionReceipt', [
        `0x${Buffer.from(signed.hash()).toString('hex')}`,
      ])
      weth = Buffer.from(receipt.contractAddress.slice(2), 'hex')
      const deposits = addrs.map((_, s) =>
        sign(
          chainId,
          keys[s] as Uint8Array,
          s === 0 ? 1n : 0n,
          weth,
          10n ** 21n,
          Buffer.from('d0e30db0', 'hex'),
          100_000n,
        ),
      )
      await anvil.rpcBatch(
        deposits.map((d) => ({ method: 'eth_sendRawTransaction', params: [`0x${Buffer.from(d).toString('hex')}`] })),
      )
      await anvil.rpc('evm_mine')
    }
    let totalMs = 0
    let totalTx = 0
    let totalGas = 0
    for (let b = 0; b < BLOCKS + WARMUP; b++) {
      const base = w === 'erc20' ? nonceBase + 1 : nonceBase
      const raws = blockTxs(chainId, w, b, base, weth)
      if (w === 'erc20') {
        // sender 0 used nonces 0 (create) and 1 (deposit); others used 0 (deposit): shift all to base 1 and
        // re-sign sender 0 one higher
        for (let n = 0; n < PER_SENDER; n++) {
          raws[n * SENDERS] = sign(
            chainId,
            keys[0] as Uint8Array,
            BigInt(base + 1 + n),
            weth,
            0n,
            erc20Transfer(recipient(b, n), 1n),
            60_000n,
          )
        }
      }
      for (let i = 0; i < raws.length; i += 1000) {
        await anvil.rpcBatch(
          raws
            .slice(i, i + 1000)
            .map((r) => ({ method: 'eth_sendRawTransaction', params: [`0x${Buffer.from(r).toString('hex')}`] })),
        )
      }
      const t0 = performance.now()
      await anvil.rpc('evm_mine')
      const ms = performance.now() - t0
      const blk = await anvil.rpc<{ transactions: string[]; gasUsed: string; number: string }>('eth_getBlockByNumber', [
        'latest',
        false,
      ])
      if (blk.transactions.length !== TXS)
        throw new Error(`anvil block has ${blk.transactions.length} txs, expected ${TXS}`)
      nonceBase += PER_SENDER
      if (b < WARMUP) continue
      totalMs += ms
      totalTx += TXS
      totalGas += Number(BigInt(blk.gasUsed))
      console.log(`  anvil  ${w}: block ${BigInt(blk.number)} ${TXS} txs in ${ms.toFixed(0)} ms`)
    }
    return {
      txPerS: (totalTx / totalMs) * 1000,
      mgasPerS: totalGas / 1e6 / (totalMs / 1000),
      msPerBlock: totalMs / BLOCKS,
    }
  } finally {
    await anvil.stop()
  }
}

async function main() {
  console.log(
    `engine bench: ${BLOCKS} measured blocks (+${WARMUP} warm-up) x ${TXS} txs (${SENDERS} senders x ${PER_SENDER}), fresh recipients`,
  )
  if (process.env.BENCH_ONLY === 'engine-erc20') {
    await benchEngine('erc20')
    return
  }
  const et = await benchEngine('transfer')
  const er = await benchEngine('transfer', 'raw')
  if (process.env.BENCH_ONLY === 'engine-transfer') return
  const at = await benchAnvil('transfer')
  const ee = await benchEngine('erc20')
  const ae = await benchAnvil('erc20')
  const row = (n: string, f: Figures) =>
    `  ${n.padEnd(22)} ${f.txPerS.toFixed(0).padStart(8)} tx/s ${f.mgasPerS.toFixed(1).padStart(8)} Mgas/s ${f.msPerBlock.toFixed(0).padStart(6)} ms/block`
  console.log('\nresults (block build: execution, state root, receipts, LevelDB write; raw also decodes + recovers):')
  console.log(row('oln transfers', et))
  console.log(row('oln transfers (raw)', er))
  console.log(`  oln admission (decode + native sender recovery, ${'parallel'}): ${et.admitPerS.toFixed(0)} tx/s`)
  console.log(row('anvil transfers', at))
  console.log(row('oln erc20', ee))
  console.log(row('anvil erc20', ae))
  console.log(
    JSON.stringify({
      bench: 'engine',
      txs_per_block: TXS,
      transfers_per_s: Math.round(et.txPerS),
      transfers_raw_per_s: Math.round(er.txPerS),
      admission_per_s: Math.round(et.admitPerS),
      anvil_transfers_per_s: Math.round(at.txPerS),
      erc20_per_s: Math.round(ee.txPerS),
      anvil_erc20_per_s: Math.round(ae.txPerS),
      transfers_mgas_per_s: Number(et.mgasPerS.toFixed(1)),
      erc20_mgas_per_s: Number(ee.mgasPerS.toFixed(1)),
    }),
  )
}

await main()
