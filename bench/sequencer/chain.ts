import { join } from 'node:path'
import { defaultDeployConfig } from '../../config/deployConfig.ts'
import type { RollupConfig } from '../../config/rollupConfig.ts'
import { SINGULAR_BATCH_TYPE } from '../../derivation/protocol/batch.ts'
import { decodeChannel } from '../../derivation/protocol/channelReader.ts'
import { channelIdHex, type Frame, parseFrames } from '../../derivation/protocol/frame.ts'
import { type RunningChild, startChild } from '../../node/dev/childProcess.ts'
import { DEVNET_KEYS, NODE_READY_LINE, type NodeEndpoints } from '../../node/dev/devnetTopology.ts'
import { type Anvil, startAnvil } from '../../node/l1/anvil.ts'
import { deployDevChain } from '../../node/l1/deploy/deployDevChain.ts'
import type { Sender } from './load.ts'

// The chains bench:sequencer drives: (a) an oln sequencer node (sequencer + calldata batcher roles) as its own
// process via bin/oln.js, on an anvil L1 with the OP Stack contracts deployed by deployDevChain and the
// senders funded in the L2 genesis; (b) a second anvil standing in for an L2 with the same senders funded via
// anvil_setBalance. Plus the batch-data accounting: the batcher's calldata to the batch inbox, decoded back
// into channels to count the L2 txs each carries.

const OLN_BIN = join(import.meta.dirname, '../../bin/oln.js')
export const SENDER_BALANCE = 10n ** 21n

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`

async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  const j = (await res.json()) as { result?: T; error?: { message: string } }
  if (j.error) throw new Error(`${method}: ${j.error.message}`)
  return j.result as T
}

export async function blockNumber(url: string, tag = 'latest'): Promise<number> {
  const b = await rpc<{ number: string } | null>(url, 'eth_getBlockByNumber', [tag, false])
  return b ? Number(b.number) : 0
}

export interface OlnChain {
  l1: Anvil
  node: RunningChild
  l2Url: string
  rollup: RollupConfig
  /** The batcher's L1 address (anvil's first dev account). */
  batcher: string
  stop(): Promise<void>
}

export interface OlnChainOptions {
  dir: string
  senders: readonly Sender[]
  /** anvil L1 block time in seconds (the devnet's is 2). */
  l1BlockTime?: number
  /** Batcher channel duration in L1 blocks: a channel closes when full (one 120 kB calldata frame) or this old. */
  channelDuration?: number
  logLevel?: string
  /** L2 block gas limit (default: the deploy config's 30M). */
  gasLimit?: number
}

export async function startOlnChain(o: OlnChainOptions): Promise<OlnChain> {
  const cfg = defaultDeployConfig()
  if (o.gasLimit) cfg.l2GenesisBlockGasLimit = o.gasLimit
  const l1 = await startAnvil(['--chain-id', String(cfg.l1ChainID), '--slots-in-an-epoch', '1'])
  try {
    // deployment on automine (as the devnet), then L1 gets its block time
    const files = await deployDevChain({
      l1Rpc: l1.url,
      deployerKey: DEVNET_KEYS.deployer,
      deployConfig: cfg,
      outDir: o.dir,
      gasToken: 'open',
      fund: o.senders.map((s) => ({ address: s.address, balance: SENDER_BALANCE })),
    })
    await l1.rpc('evm_setIntervalMining', [o.l1BlockTime ?? 2])
    const node = await startChild({
      name: 'sequencer',
      command: process.execPath,
      args: [
        OLN_BIN,
        'node',
        `--datadir=${join(o.dir, 'sequencer')}`,
        `--genesis=${files.paths.genesis}`,
        `--rollup=${files.paths.rollup}`,
        `--l1.addresses=${files.paths.addresses}`,
        '--rpc.port=0',
        '--rollup-rpc.port=0',
        `--l1.rpc=${l1.url}`,
        '--l1.poll-interval=500ms',
        '--sequencer',
        '--sequencer.l1-confs=0',
        '--batcher.da=calldata',
        `--batcher.max-channel-duration=${o.channelDuration ?? 30}`,
        '--batcher.poll-interval=500ms',
        `--log.level=${o.logLevel ?? 'warn'}`,
      ],
      env: { OLN_BATCHER_KEY: DEVNET_KEYS.batcher },
      ready: NODE_READY_LINE,
      logFile: join(o.dir, 'sequencer.log'),
      readyTimeoutMs: 120_000,
    })
    const ep = JSON.parse(node.match[1] as string) as NodeEndpoints
    return {
      l1,
      node,
      l2Url: ep.l2,
      rollup: files.rollup,
      batcher: cfg.batchSenderAddress.toLowerCase(),
      stop: async () => {
        await node.stop().catch(() => {})
        await l1.stop()
      },
    }
  } catch (err) {
    await l1.stop()
    throw err
  }
}

/** Waits until `url`'s block `tag` reaches `n` (or throws after `timeoutMs`). */
export async function waitForBlock(url: string, n: number, tag = 'latest', timeoutMs = 300_000): Promise<number> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const h = await blockNumber(url, tag)
    if (h >= n) return h
    if (Date.now() > deadline) throw new Error(`${tag} head stuck at ${h}, waiting for ${n}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

export interface AnvilL2 {
  anvil: Anvil
  url: string
  stop(): Promise<void>
}

/**
 * anvil as an L2-like chain (chain id 901, 30M gas, 1 gwei base fee as oln's genesis) with the senders funded.
 * blockTime > 0: interval mining every blockTime s (like the sequencer); 0: automine (one block per tx).
 */
export async function startAnvilL2(senders: readonly Sender[], blockTime: number, gasLimit?: number): Promise<AnvilL2> {
  const cfg = defaultDeployConfig()
  if (gasLimit) cfg.l2GenesisBlockGasLimit = gasLimit
  const anvil = await startAnvil([
    '--chain-id',
    String(cfg.l2ChainID),
    '--gas-limit',
    String(cfg.l2GenesisBlockGasLimit),
    '--base-fee',
    cfg.l2GenesisBlockBaseFeePerGas,
    ...(blockTime > 0 ? ['--block-time', String(blockTime)] : []),
  ])
  for (let i = 0; i < senders.length; i += 200) {
    await anvil.rpcBatch(
      senders.slice(i, i + 200).map((s) => ({
        method: 'anvil_setBalance',
        params: [hex(s.address), `0x${SENDER_BALANCE.toString(16)}`],
      })),
    )
  }
  return { anvil, url: anvil.url, stop: () => anvil.stop() }
}

export interface ChannelStat {
  bytes: number
  txs: number
  blocks: number
}

export interface BatchDataStats {
  batcherTxs: number
  /** Calldata bytes of the batcher's txs to the inbox (version byte + frames). */
  bytes: number
  /** L2 user txs carried by the complete channels among them. */
  l2Txs: number
  l2Blocks: number
  channels: ChannelStat[]
  incompleteChannels: number
}

interface L1Tx {
  from: string
  to: string | null
  input: string
}

/**
 * Sums the calldata of `batcher`'s txs to the batch inbox in L1 blocks (fromL1, toL1], and decodes their frames
 * into channels to count the L2 blocks and txs they carry (non-deposit txs: batches hold no deposits).
 */
export async function batchDataStats(
  l1Url: string,
  rollup: RollupConfig,
  batcher: string,
  fromL1: number,
  toL1: number,
): Promise<BatchDataStats> {
  const inbox = rollup.batch_inbox_address.toLowerCase()
  const fjord = rollup.fjord_time !== undefined
  const frames = new Map<string, { frames: Frame[]; bytes: number }>()
  let batcherTxs = 0
  let bytes = 0
  for (let n = fromL1 + 1; n <= toL1; n++) {
    const b = await rpc<{ transactions: L1Tx[] }>(l1Url, 'eth_getBlockByNumber', [`0x${n.toString(16)}`, true])
    for (const tx of b.transactions) {
      if (tx.to?.toLowerCase() !== inbox || tx.from.toLowerCase() !== batcher) continue
      const data = Buffer.from(tx.input.slice(2), 'hex')
      batcherTxs++
      bytes += data.length
      const fs = parseFrames(data)
      for (const f of fs) {
        const id = channelIdHex(f.channelId)
        const c = frames.get(id) ?? { frames: [], bytes: 0 }
        c.frames.push(f)
        // a tx's bytes split over its frames by frame size
        c.bytes += (data.length * f.data.length) / fs.reduce((a, x) => a + x.data.length, 0)
        frames.set(id, c)
      }
    }
  }
  const channels: ChannelStat[] = []
  let incompleteChannels = 0
  for (const c of frames.values()) {
    const sorted = [...c.frames].sort((a, b) => a.frameNumber - b.frameNumber)
    const last = sorted.find((f) => f.isLast)
    if (!last || sorted.length !== last.frameNumber + 1) {
      incompleteChannels++
      continue
    }
    const d = decodeChannel(Buffer.concat(sorted.map((f) => f.data)), { isFjord: fjord })
    let txs = 0
    let blocks = 0
    for (const batch of d.batches) {
      if (batch.type === SINGULAR_BATCH_TYPE) {
        blocks++
        txs += batch.batch.transactions.length
      } else {
        blocks += batch.batch.blockCount
        txs += batch.batch.blockTxCounts.reduce((a, n) => a + n, 0)
      }
    }
    channels.push({ bytes: Math.round(c.bytes), txs, blocks })
  }
  return {
    batcherTxs,
    bytes,
    l2Txs: channels.reduce((a, c) => a + c.txs, 0),
    l2Blocks: channels.reduce((a, c) => a + c.blocks, 0),
    channels,
    incompleteChannels,
  }
}
