// npm run bench:sequencer — end-to-end sequencer throughput over HTTP and batch data per transfer.
// (1) An oln sequencer node (own process, sequencer + calldata batcher) on an anvil L1 with the OP Stack
//     contracts deployed; pre-signed transfers from senders funded in the L2 genesis are sent as JSON-RPC batches
//     of eth_sendRawTransaction and polled until included: tx/s = included / (first send -> last inclusion seen).
//     The same load then runs on anvil as an L2-like chain (same chain id, gas limit, base fee; senders funded by
//     anvil_setBalance) with 2 s interval blocks like the sequencer (like for like), and on anvil automine.
// (2) Once the sequencer's safe head covers every block with the load's txs, the batcher's calldata to the batch
//     inbox is summed and decoded back into channels: bytes per L2 tx.
// Env: BENCH_SENDERS (200), BENCH_PER_SENDER (15), BENCH_L1_BLOCK_TIME (2 s), BENCH_CHANNEL_DURATION (30 L1
// blocks), BENCH_ANVIL_BLOCK_TIME (2 s), BENCH_GAS_LIMIT (L2 block gas limit of both chains, 30,000,000 as the
// devnet: 1,428 transfers per 2 s block caps both at ~714 tx/s), BENCH_ANVIL_AUTOMINE (1 = also anvil automine,
// one block per tx; off by default: anvil 1.7.1 stalls on thousands of queued txs in that mode).
// Last line: {"bench":"sequencer",...}.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import '../../config/polyfills.ts'
import { defaultDeployConfig } from '../../config/deployConfig.ts'
import { batchDataStats, blockNumber, startAnvilL2, startOlnChain, waitForBlock } from './chain.ts'
import { benchSenders, type LoadResult, runLoad, type Sender, signTransfers } from './load.ts'

const SENDERS = Number(process.env.BENCH_SENDERS ?? 200)
const PER_SENDER = Number(process.env.BENCH_PER_SENDER ?? 15)
const L1_BLOCK_TIME = Number(process.env.BENCH_L1_BLOCK_TIME ?? 2)
const CHANNEL_DURATION = Number(process.env.BENCH_CHANNEL_DURATION ?? 30)
const ANVIL_BLOCK_TIME = Number(process.env.BENCH_ANVIL_BLOCK_TIME ?? 2)
const GAS_LIMIT = Number(process.env.BENCH_GAS_LIMIT ?? defaultDeployConfig().l2GenesisBlockGasLimit)
const ANVIL_AUTOMINE = process.env.BENCH_ANVIL_AUTOMINE === '1'
const FEE_CAP = 50_000_000_000n

function loadLine(name: string, r: LoadResult): string {
  return `  ${name.padEnd(28)} ${r.txPerS.toFixed(0).padStart(6)} tx/s included   ${r.included}/${r.sent} in ${r.seconds.toFixed(1)} s, ${r.rejected} rejected; sends answered at ${r.acceptPerS.toFixed(0)} tx/s${r.firstError ? `  (first error: ${r.firstError})` : ''}`
}

async function benchOln(senders: Sender[], raws: Uint8Array[]) {
  const dir = mkdtempSync(join(tmpdir(), 'oln-bench-seq-'))
  const chain = await startOlnChain({
    dir,
    senders,
    l1BlockTime: L1_BLOCK_TIME,
    channelDuration: CHANNEL_DURATION,
    gasLimit: GAS_LIMIT,
  })
  try {
    await waitForBlock(chain.l2Url, 1)
    const l1Start = await blockNumber(chain.l1.url)
    const l2Start = await blockNumber(chain.l2Url)
    console.log(`  oln sequencer ${chain.l2Url} up (L2 #${l2Start}, L1 #${l1Start}); sending ${raws.length} txs`)
    const load = await runLoad(chain.l2Url, raws, senders, PER_SENDER)
    const l2End = await blockNumber(chain.l2Url)
    console.log(loadLine('oln sequencer', load))
    const t0 = performance.now()
    const wait = (CHANNEL_DURATION + 20) * L1_BLOCK_TIME * 1000 + 60_000
    await waitForBlock(chain.l2Url, l2End, 'safe', wait)
    const l1End = await blockNumber(chain.l1.url)
    console.log(
      `  safe head covers L2 #${l2End} after ${((performance.now() - t0) / 1000).toFixed(1)} s (L1 #${l1Start + 1}..#${l1End})`,
    )
    const data = await batchDataStats(chain.l1.url, chain.rollup, chain.batcher, l1Start, l1End)
    return { load, data, l2Blocks: l2End - l2Start }
  } finally {
    await chain.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function benchAnvil(senders: Sender[], raws: Uint8Array[], blockTime: number): Promise<LoadResult> {
  const a = await startAnvilL2(senders, blockTime, GAS_LIMIT)
  try {
    return await runLoad(a.url, raws, senders, PER_SENDER)
  } finally {
    await a.stop()
  }
}

async function main() {
  const total = SENDERS * PER_SENDER
  console.log(
    `sequencer bench: ${total} transfers (${SENDERS} senders x ${PER_SENDER}), JSON-RPC batches of 100 eth_sendRawTransaction, 4 in flight; L2 gas limit ${GAS_LIMIT}, 2 s blocks`,
  )
  const senders = benchSenders(SENDERS)
  const t0 = performance.now()
  const raws = signTransfers(BigInt(defaultDeployConfig().l2ChainID), senders, PER_SENDER, FEE_CAP)
  console.log(`  signed ${raws.length} txs in ${((performance.now() - t0) / 1000).toFixed(1)} s (not timed)`)

  const oln = await benchOln(senders, raws)
  const anvil = await benchAnvil(senders, raws, ANVIL_BLOCK_TIME)
  console.log(loadLine(`anvil (${ANVIL_BLOCK_TIME} s blocks)`, anvil))
  const auto = ANVIL_AUTOMINE ? await benchAnvil(senders, raws, 0) : undefined
  if (auto) console.log(loadLine('anvil (automine)', auto))

  const d = oln.data
  const fullChannels = d.channels.filter((c) => c.txs >= 1000)
  const bytesOfChannels = d.channels.reduce((a, c) => a + c.bytes, 0)
  const bytesPerTx = d.l2Txs > 0 ? bytesOfChannels / d.l2Txs : Number.NaN
  const fullBytesPerTx =
    fullChannels.length > 0
      ? fullChannels.reduce((a, c) => a + c.bytes, 0) / fullChannels.reduce((a, c) => a + c.txs, 0)
      : undefined
  console.log('\nbatch data (calldata to the batch inbox while the load ran and until it was all safe):')
  console.log(
    `  ${d.batcherTxs} batcher txs, ${d.bytes} bytes; ${d.channels.length} complete channels carrying ${d.l2Txs} L2 txs in ${d.l2Blocks} L2 blocks${d.incompleteChannels ? `, ${d.incompleteChannels} incomplete (not counted)` : ''}`,
  )
  for (const c of d.channels) {
    console.log(
      `    channel: ${c.bytes} bytes, ${c.txs} txs, ${c.blocks} blocks -> ${c.txs ? (c.bytes / c.txs).toFixed(1) : '-'} bytes/tx`,
    )
  }
  console.log(`  bytes per L2 tx: ${bytesPerTx.toFixed(1)} (all channels)`)
  if (fullBytesPerTx !== undefined)
    console.log(`  bytes per L2 tx: ${fullBytesPerTx.toFixed(1)} (channels of >= 1,000 txs)`)
  if (d.l2Txs !== oln.load.included)
    console.log(`  note: channels carry ${d.l2Txs} txs, the load included ${oln.load.included}`)

  console.log('\nresults (end to end over HTTP: send -> included in a block):')
  console.log(loadLine('oln sequencer (2 s blocks)', oln.load))
  console.log(loadLine(`anvil (${ANVIL_BLOCK_TIME} s blocks)`, anvil))
  if (auto) console.log(loadLine('anvil (automine)', auto))
  console.log(
    JSON.stringify({
      bench: 'sequencer',
      txs: total,
      txPerS: Math.round(oln.load.txPerS),
      anvilTxPerS: Math.round(anvil.txPerS),
      anvilBlockTime: ANVIL_BLOCK_TIME,
      acceptTxPerS: Math.round(oln.load.acceptPerS),
      anvilAcceptTxPerS: Math.round(anvil.acceptPerS),
      gasLimit: GAS_LIMIT,
      ...(auto ? { anvilAutomineTxPerS: Math.round(auto.txPerS) } : {}),
      included: oln.load.included,
      rejected: oln.load.rejected,
      l2Blocks: oln.l2Blocks,
      bytesPerTx: Number(bytesPerTx.toFixed(1)),
      ...(fullBytesPerTx !== undefined ? { bytesPerTxFullChannels: Number(fullBytesPerTx.toFixed(1)) } : {}),
      batchBytes: d.bytes,
      batcherTxs: d.batcherTxs,
      channels: d.channels.length,
      channelTxs: d.l2Txs,
    }),
  )
}

await main()
