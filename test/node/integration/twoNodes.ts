import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import type { Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { defaultDeployConfig } from '../../../config/deployConfig.ts'
import { createLogger, type Logger, type LogLevel } from '../../../config/logger.ts'
import { DEVNET_KEYS } from '../../../node/dev/devnetTopology.ts'
import { type Anvil, startAnvil } from '../../../node/l1/anvil.ts'
import { type DevChainFiles, deployDevChain } from '../../../node/l1/deploy/deployDevChain.ts'
import { type RunningNode, startNode } from '../../../node/nodeMain.ts'
import type { AltDAOptions, BatcherOptions, NodeOptions } from '../../../node/nodeOptions.ts'

// Shared setup of the in-process two-node integration tests: an anvil L1 with the dev chain deployed (OPEN gas
// token, automine during the deployment, then 1 s interval mining, as `oln devnet` does), a sequencer node
// (sequencer + batcher) and a verifier node that derives from L1 alone, both started with startNode.

/** anvil's default-mnemonic account #3: funded on L2 by the dev genesis, used by no node role. */
export const USER_KEY: Hex = '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6'

export interface L1Chain {
  anvil: Anvil
  files: DevChainFiles
  dir: string
}

export async function startL1Chain(prefix: string): Promise<L1Chain> {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const cfg = defaultDeployConfig()
  const anvil = await startAnvil(['--chain-id', String(cfg.l1ChainID), '--slots-in-an-epoch', '1'])
  try {
    const files = await deployDevChain({
      l1Rpc: anvil.url,
      deployerKey: DEVNET_KEYS.deployer,
      deployConfig: cfg,
      outDir: dir,
      gasToken: 'open',
    })
    await anvil.rpc('evm_setIntervalMining', [1])
    return { anvil, files, dir }
  } catch (err) {
    await anvil.stop()
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
}

export interface CapturedLog {
  log: Logger
  /** warn and above (or OLN_TEST_LOG's level), as JSON lines */
  lines: string[]
}

/** The nodes' logger: kept in memory and printed only when a test fails (see `reportOnFailure`). */
export function testLogger(): CapturedLog {
  const lines: string[] = []
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(l)
      cb()
    },
  })
  const level = (process.env.OLN_TEST_LOG as LogLevel | undefined) ?? 'warn'
  return { log: createLogger({ level, name: 'integ', destination }), lines }
}

/** Runs the test body; on failure prints the last log lines (each cut to 400 characters) before rethrowing. */
export async function reportOnFailure(captured: CapturedLog, body: () => Promise<void>): Promise<void> {
  try {
    await body()
  } catch (err) {
    const tail = captured.lines.slice(-40).map((l) => (l.length > 400 ? `${l.slice(0, 400)}…` : l))
    console.error(`last node log lines:\n${tail.join('\n')}`)
    throw err
  }
}

function baseOptions(chain: L1Chain, name: string, log: Logger): NodeOptions {
  return {
    datadir: join(chain.dir, name),
    genesisPath: chain.files.paths.genesis,
    rollupPath: chain.files.paths.rollup,
    rpcHost: '127.0.0.1',
    rpcPort: 0,
    corsOrigins: [],
    l1: {
      rpc: chain.anvil.url,
      beacon: chain.anvil.url,
      beaconBlockId: 'blockNumber',
      pollIntervalMs: 500,
      rps: 1000,
      maxConcurrency: 16,
      addressesPath: chain.files.paths.addresses,
    },
    log: log.child({ node: name }),
  }
}

export function startSequencer(
  chain: L1Chain,
  log: Logger,
  batcher: Pick<BatcherOptions, 'da'> & Partial<BatcherOptions>,
  extra: Partial<NodeOptions> = {},
): Promise<RunningNode> {
  return startNode({
    ...baseOptions(chain, 'sequencer', log),
    sequencer: { stopped: false, l1Confs: 0 },
    batcher: { key: DEVNET_KEYS.batcher, maxChannelDuration: 1, pollIntervalMs: 500, ...batcher },
    ...extra,
  })
}

export function startVerifier(chain: L1Chain, log: Logger, extra: Partial<NodeOptions> = {}): Promise<RunningNode> {
  return startNode({ ...baseOptions(chain, 'verifier', log), ...extra })
}

export function altDAOptions(url: string): AltDAOptions {
  return { url, putTimeoutMs: 10_000, getTimeoutMs: 10_000, maxConcurrent: 4, verifyOnRead: true, failover: 'calldata' }
}

let rpcId = 1
export async function rpc<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: rpcId++, method, params }),
  })
  const j = (await res.json()) as { result?: T; error?: { message: string } }
  if (j.error) throw new Error(`${method}: ${j.error.message}`)
  return j.result as T
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await probe()
      if (v !== undefined && v !== false) return v
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`)
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}

export interface BlockHead {
  number: number
  hash: Hex
}

export async function head(url: string, tag: 'latest' | 'safe' | 'finalized'): Promise<BlockHead> {
  const b = await rpc<{ number: Hex; hash: Hex }>(url, 'eth_getBlockByNumber', [tag, false])
  return { number: Number(b.number), hash: b.hash }
}

export async function blockHash(url: string, n: number): Promise<Hex | undefined> {
  const b = await rpc<{ hash: Hex } | null>(url, 'eth_getBlockByNumber', [`0x${n.toString(16)}`, false])
  return b?.hash
}

/** Sends `count` plain transfers from USER_KEY to the sequencer and waits until they are in blocks. */
export async function sendTransfers(url: string, count: number): Promise<Hex[]> {
  const account = privateKeyToAccount(USER_KEY)
  const chainId = Number(await rpc<Hex>(url, 'eth_chainId'))
  const nonce = Number(await rpc<Hex>(url, 'eth_getTransactionCount', [account.address, 'pending']))
  const gasPrice = BigInt(await rpc<Hex>(url, 'eth_gasPrice'))
  const hashes: Hex[] = []
  for (let i = 0; i < count; i++) {
    const raw = await account.signTransaction({
      type: 'eip1559',
      chainId,
      nonce: nonce + i,
      to: '0x0000000000000000000000000000000000c0ffee',
      value: 1000n + BigInt(i),
      gas: 21_000n,
      maxFeePerGas: gasPrice * 2n + 1_000_000_000n,
      maxPriorityFeePerGas: 1_000_000n,
    })
    hashes.push(await rpc<Hex>(url, 'eth_sendRawTransaction', [raw]))
  }
  for (const h of hashes) {
    await waitFor(`receipt of ${h}`, async () => {
      const r = await rpc<{ status: Hex } | null>(url, 'eth_getTransactionReceipt', [h])
      return r ?? undefined
    })
  }
  return hashes
}

/** Waits until the verifier's safe head reaches `n`, then checks blocks 1..n match the sequencer's. */
export async function expectSameChain(seq: string, ver: string, n: number, timeoutMs = 60_000): Promise<BlockHead> {
  const safe = await waitFor(
    `verifier safe head >= ${n}`,
    async () => {
      const s = await head(ver, 'safe')
      return s.number >= n ? s : undefined
    },
    timeoutMs,
  )
  for (let i = 1; i <= safe.number; i++) {
    const [a, b] = await Promise.all([blockHash(seq, i), blockHash(ver, i)])
    if (a !== b) throw new Error(`block ${i} differs: sequencer ${a}, verifier ${b}`)
  }
  return safe
}

/** Stops whatever was started, in order, ignoring failures (for afterAll). */
export async function stopAll(...steps: (() => Promise<unknown> | undefined)[]): Promise<void> {
  for (const s of steps) await Promise.resolve(s()).catch(() => {})
}

/** The batcher's transactions to the batch inbox in L1 blocks `from`..latest. */
export async function inboxTxs(
  chain: L1Chain,
  from = chain.files.startBlock.number,
): Promise<{ type: Hex; input: Hex; blobs: number }[]> {
  const inbox = chain.files.rollup.batch_inbox_address.toLowerCase()
  const latest = Number(await chain.anvil.rpc<Hex>('eth_blockNumber'))
  const out: { type: Hex; input: Hex; blobs: number }[] = []
  for (let n = from; n <= latest; n++) {
    const b = await chain.anvil.rpc<{
      transactions: { to: string | null; type: Hex; input: Hex; blobVersionedHashes?: Hex[] }[]
    }>('eth_getBlockByNumber', [`0x${n.toString(16)}`, true])
    for (const tx of b.transactions) {
      if (tx.to?.toLowerCase() === inbox)
        out.push({ type: tx.type, input: tx.input, blobs: tx.blobVersionedHashes?.length ?? 0 })
    }
  }
  return out
}
