// npm run bench:derivation — derives a pre-built L1 range of full L2 blocks (30M gas of simple transfers, 2 s
// blocks, brotli span-batch channels in ~120 KB calldata frames) in two modes: (a) derivation only (pipeline to
// payload attributes, the safe head moved over an in-memory L2 chain) and (b) derivation + execution (the Driver
// on a real verifier ExecutionEngine). The pre-build is not measured; each mode runs in its own child process so
// its peak RSS is its own. Last line: {"bench":"derivation",...}.
//
// Env: BENCH_L2_BLOCKS (default 40), BENCH_TXS_PER_BLOCK (default 1420, full 30M-gas blocks), BENCH_BLOCKS_PER_CHANNEL
// (default 6), BENCH_FRAME_SIZE (default 120000).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deserialize, serialize } from 'node:v8'
import {
  type BenchChain,
  type BenchChainData,
  benchChainFromData,
  benchChainToData,
  buildBenchChain,
  DEFAULT_TXS_PER_BLOCK,
  type DeriveResult,
  deriveAndExecute,
  deriveOnly,
} from './builder.ts'

const L2_BLOCKS = Number(process.env.BENCH_L2_BLOCKS ?? 40)
const TXS_PER_BLOCK = Number(process.env.BENCH_TXS_PER_BLOCK ?? DEFAULT_TXS_PER_BLOCK)
const BLOCKS_PER_CHANNEL = Number(process.env.BENCH_BLOCKS_PER_CHANNEL ?? 6)
const FRAME_SIZE = Number(process.env.BENCH_FRAME_SIZE ?? 120_000)
const CHILD_MODE = process.env.OLN_BENCH_DERIVATION_MODE
const CHILD_FILE = process.env.OLN_BENCH_DERIVATION_FILE

type Mode = 'derive' | 'execute'

interface ModeResult extends DeriveResult {
  maxRssMb: number
}

const maxRssMb = () => process.resourceUsage().maxRSS / 1024

/** Child: load the chain, run one mode, print its result as the last line. */
async function child(mode: Mode, file: string): Promise<void> {
  const chain = benchChainFromData(deserialize(readFileSync(file)) as BenchChainData)
  const r = mode === 'derive' ? await deriveOnly(chain) : await deriveAndExecute(chain)
  const expected = chain.refs.slice(1).map((x) => x.hash)
  if (r.hashes.length !== expected.length || r.hashes.some((h, i) => h !== expected[i])) {
    throw new Error(`${mode}: derived block hashes differ from the sequencer's`)
  }
  const out: ModeResult = { ...r, hashes: [], maxRssMb: maxRssMb() }
  console.log(JSON.stringify(out))
}

function runChild(mode: Mode, file: string): ModeResult {
  const res = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
    env: { ...process.env, OLN_BENCH_DERIVATION_MODE: mode, OLN_BENCH_DERIVATION_FILE: file },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  if (res.status !== 0) {
    process.stderr.write(res.stderr)
    throw new Error(`mode ${mode} failed (exit ${res.status})`)
  }
  const last = res.stdout.trim().split('\n').at(-1) ?? ''
  return JSON.parse(last) as ModeResult
}

interface Figures {
  l2BlocksPerS: number
  l1BlocksPerS: number
  batchMbPerS: number
  rlpMbPerS: number
  realTimeFactor: number
  seconds: number
  maxRssMb: number
  engineSeconds: number | undefined
}

function figures(chain: BenchChain, r: ModeResult): Figures {
  const blockTime = chain.cfg.blockTime
  return {
    seconds: r.seconds,
    l2BlocksPerS: r.l2Blocks / r.seconds,
    // L1 blocks traversed from the L1 genesis to the origin the last L2 block was derived at.
    l1BlocksPerS: (r.l1Origin + 1) / r.seconds,
    batchMbPerS: chain.stats.calldataBytes / 1e6 / r.seconds,
    rlpMbPerS: chain.stats.channelRlpBytes / 1e6 / r.seconds,
    realTimeFactor: (r.l2Blocks * blockTime) / r.seconds,
    maxRssMb: r.maxRssMb,
    engineSeconds: r.engineSeconds,
  }
}

const round = (x: number, d = 2) => Number(x.toFixed(d))

async function main(): Promise<void> {
  console.log(
    `derivation bench: ${L2_BLOCKS} L2 blocks x ${TXS_PER_BLOCK} transfers (2 s blocks), brotli span batches of ${BLOCKS_PER_CHANNEL} blocks, frames <= ${FRAME_SIZE} B as calldata`,
  )
  const t0 = performance.now()
  const chain = await buildBenchChain({
    l2Blocks: L2_BLOCKS,
    txsPerBlock: TXS_PER_BLOCK,
    blocksPerChannel: BLOCKS_PER_CHANNEL,
    maxFrameSize: FRAME_SIZE,
    progress: (m) => console.log(m),
  })
  const s = chain.stats
  console.log(
    `  pre-built in ${((performance.now() - t0) / 1000).toFixed(1)} s (not measured): ${s.txs} txs, ${(Number(s.gasUsed) / 1e6).toFixed(0)} Mgas, ` +
      `${chain.l1.blocks.length} L1 blocks, ${s.channels} channels, ${s.frames} frames, ` +
      `${(s.calldataBytes / 1e6).toFixed(2)} MB calldata (${(s.channelRlpBytes / 1e6).toFixed(2)} MB RLP)`,
  )
  const dir = mkdtempSync(join(tmpdir(), 'oln-bench-deriv-chain-'))
  const file = join(dir, 'chain.bin')
  writeFileSync(file, serialize(benchChainToData(chain)))
  let a: Figures
  let b: Figures
  try {
    console.log('  (a) derivation only ...')
    a = figures(chain, runChild('derive', file))
    console.log('  (b) derivation + execution (Driver, verifier engine) ...')
    b = figures(chain, runChild('execute', file))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const row = (name: string, f: Figures) =>
    `  ${name.padEnd(24)} ${f.seconds.toFixed(2).padStart(7)} s ${f.l2BlocksPerS.toFixed(1).padStart(8)} L2 blk/s ` +
    `${f.l1BlocksPerS.toFixed(1).padStart(7)} L1 blk/s ${f.batchMbPerS.toFixed(2).padStart(7)} MB/s batch data ` +
    `(${f.rlpMbPerS.toFixed(2)} MB/s RLP) ${f.realTimeFactor.toFixed(1).padStart(7)}x real time ${f.maxRssMb.toFixed(0).padStart(5)} MB peak RSS`
  console.log('\nresults (real-time factor = L2 seconds derived per wall second; target >= 20x):')
  console.log(row('(a) derivation only', a))
  console.log(row('(b) derivation+execution', b))
  if (b.engineSeconds !== undefined) {
    console.log(
      `  (b) of which in the engine (insertSafe: build, execute, seal, persist): ${b.engineSeconds.toFixed(2)} s ` +
        `(${((b.engineSeconds / b.seconds) * 100).toFixed(0)}%, ${(b.engineSeconds / chain.stats.l2Blocks).toFixed(3)} s/block)`,
    )
  }
  const json = (f: Figures) => ({
    seconds: round(f.seconds, 3),
    l2_blocks_per_s: round(f.l2BlocksPerS),
    l1_blocks_per_s: round(f.l1BlocksPerS),
    batch_mb_per_s: round(f.batchMbPerS),
    rlp_mb_per_s: round(f.rlpMbPerS),
    real_time_factor: round(f.realTimeFactor),
    peak_rss_mb: Math.round(f.maxRssMb),
    ...(f.engineSeconds !== undefined ? { engine_seconds: round(f.engineSeconds, 3) } : {}),
  })
  console.log(
    JSON.stringify({
      bench: 'derivation',
      l2_blocks: s.l2Blocks,
      txs_per_block: TXS_PER_BLOCK,
      l1_blocks: chain.l1.blocks.length,
      channels: s.channels,
      frames: s.frames,
      calldata_mb: round(s.calldataBytes / 1e6, 3),
      derive: json(a),
      derive_execute: json(b),
    }),
  )
}

if (CHILD_MODE === 'derive' || CHILD_MODE === 'execute') await child(CHILD_MODE, CHILD_FILE as string)
else await main()
process.exit(0)
