import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type Address,
  concat,
  createPublicClient,
  createWalletClient,
  defineChain,
  erc20Abi,
  type Hex,
  http,
  keccak256,
  parseAbi,
  parseEther,
} from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import {
  buildProveWithdrawal,
  chainConfig,
  getL2TransactionHashes,
  getWithdrawals,
  publicActionsL1,
  publicActionsL2,
  walletActionsL1,
  walletActionsL2,
} from 'viem/op-stack'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// Issue 4's end-to-end devnet, driven as a user would with viem and viem/op-stack: `oln devnet` (anvil L1 with the
// OP Stack contracts and OPEN as the custom gas token, DA server, sequencer+batcher(Alt-DA)+proposer, verifier) in
// its own process; an OPEN deposit from L1, L2 transfers with exact fee accounting, a withdrawal proven and
// finalized on L1 against the proposer's outputs, and the verifier deriving the same chain from L1 + DA.

const bin = new URL('../../bin/oln.js', import.meta.url).pathname
const MNEMONIC = 'test test test test test test test test test test test junk'
/** accounts 0 and 1 are the batcher/deployer and the proposer; users are 2..9 */
const user = (i: number) => mnemonicToAccount(MNEMONIC, { addressIndex: i })
const VAULTS = {
  base: '0x4200000000000000000000000000000000000019',
  seq: '0x4200000000000000000000000000000000000011',
  l1: '0x420000000000000000000000000000000000001a',
} as const
const OPEN = 10n ** 18n
/**
 * The devnet's default, 2 s. Below the L2 block time the sequencer's L1 origin (at most one step per L2 block)
 * falls behind L1 by one block per L2 block, so a deposit's latency grows with the devnet's age.
 */
const L1_BLOCK_TIME = process.env.OLN_E2E_L1_BLOCK_TIME ?? '2'
const portalAbi = parseAbi([
  'function depositERC20Transaction(address _to, uint256 _mint, uint256 _value, uint64 _gasLimit, bool _isCreation, bytes _data)',
])

interface Endpoints {
  l1: string
  l1Beacon: string
  da: string
  sequencer: { l2: string; rollup: string; ws: string; metrics?: string }
  verifier: { l2: string; rollup: string; ws: string }
}

let proc: ChildProcess | undefined
let dir: string
let ep: Endpoints
let addresses: Record<string, Address>
const phases: [string, number][] = []
const t0 = Date.now()
let tPhase = t0
function phase(name: string) {
  const now = Date.now()
  phases.push([name, now - tPhase])
  console.log(`[e2e] ${name}: ${((now - tPhase) / 1000).toFixed(1)} s (total ${((now - t0) / 1000).toFixed(1)} s)`)
  tPhase = now
}

async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const r = (await (
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    })
  ).json()) as { result: T; error?: { message: string } }
  if (r.error) throw new Error(`${method}: ${r.error.message}`)
  return r.result
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'oln-e2e-'))
  // its own process group, so the SIGKILL fallback also reaches anvil and the node processes
  proc = spawn(
    process.execPath,
    [
      bin,
      'devnet',
      '--fresh',
      '--dir',
      dir,
      '--rpc.port',
      '0',
      '--l1.block-time',
      L1_BLOCK_TIME,
      '--log.level',
      'warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  )
  let out = ''
  proc.stdout?.on('data', (d) => {
    out += String(d)
  })
  proc.stderr?.on('data', (d) => {
    out += String(d)
  })
  const deadline = Date.now() + 150_000
  while (!existsSync(join(dir, 'endpoints.json'))) {
    if (proc.exitCode !== null) throw new Error(`devnet exited (${proc.exitCode}): ${out}`)
    if (Date.now() > deadline) throw new Error(`devnet did not start: ${out}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  ep = JSON.parse(readFileSync(join(dir, 'endpoints.json'), 'utf8')) as Endpoints
  addresses = JSON.parse(readFileSync(join(dir, 'addresses.json'), 'utf8')) as Record<string, Address>
  phase('devnet start (deploy + DA + sequencer + verifier)')
}, 180_000)

afterAll(async () => {
  const p = proc
  if (p?.pid !== undefined && p.exitCode === null && p.signalCode === null) {
    const exited = new Promise((r) => p.once('exit', r))
    p.kill('SIGINT')
    const killed = await Promise.race([exited.then(() => false), new Promise((r) => setTimeout(() => r(true), 30_000))])
    if (killed) {
      try {
        process.kill(-p.pid, 'SIGKILL')
      } catch {}
      await exited
    }
  }
  if (phases.length)
    console.log(`[e2e] phases: ${phases.map(([n, ms]) => `${n} ${(ms / 1000).toFixed(1)}s`).join('; ')}`)
  if (dir) rmSync(dir, { recursive: true, force: true })
}, 60_000)

function clients() {
  const l1Chain = defineChain({
    id: 900,
    name: 'oln-devnet-l1',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [ep.l1] } },
    // the devnet installs Multicall3 on L1 (viem's OP Stack L1 actions multicall through it)
    contracts: { multicall3: { address: '0xcA11bde05977b3631167028862bE2a173976CA11' } },
  })
  const l2Chain = defineChain({
    ...chainConfig,
    id: 901,
    sourceId: 900,
    name: 'oln-devnet',
    nativeCurrency: { name: 'OPEN', symbol: 'OPEN', decimals: 18 },
    rpcUrls: { default: { http: [ep.sequencer.l2] } },
    contracts: {
      ...chainConfig.contracts,
      portal: { 900: { address: addresses.OptimismPortalProxy as Address } },
      l2OutputOracle: { 900: { address: addresses.L2OutputOracleProxy as Address } },
    },
  })
  const l1 = createPublicClient({ chain: l1Chain, transport: http(ep.l1), pollingInterval: 250 }).extend(
    publicActionsL1(),
  )
  const l2 = createPublicClient({ chain: l2Chain, transport: http(ep.sequencer.l2), pollingInterval: 250 }).extend(
    publicActionsL2(),
  )
  const verifier = createPublicClient({ chain: l2Chain, transport: http(ep.verifier.l2), pollingInterval: 250 })
  const l1Wallet = (i: number) =>
    createWalletClient({ account: user(i), chain: l1Chain, transport: http(ep.l1) }).extend(walletActionsL1())
  const l2Wallet = (i: number) =>
    createWalletClient({ account: user(i), chain: l2Chain, transport: http(ep.sequencer.l2) }).extend(walletActionsL2())
  return { l1Chain, l2Chain, l1, l2, verifier, l1Wallet, l2Wallet }
}

describe('oln devnet end to end (viem as a user: deposit, transfers, withdrawal, verifier)', () => {
  let c: ReturnType<typeof clients>
  let transferBlock = 0n

  it('starts with the deployed contracts, OPEN on L1 for the users and the dev funds on L2 genesis', async () => {
    c = clients()
    const token = addresses.GasPayingToken as Address
    expect(token).toMatch(/^0x[0-9a-fA-F]{40}$/)
    expect(await c.l1.getChainId()).toBe(900)
    expect(await c.l2.getChainId()).toBe(901)
    for (let i = 2; i <= 9; i++) {
      const a = user(i).address
      expect(await c.l1.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [a] })).toBe(
        1_000_000n * OPEN,
      )
      expect(await c.l2.getBalance({ address: a, blockNumber: 0n })).toBe(10_000n * OPEN)
    }
    expect(await c.l1.readContract({ address: token, abi: erc20Abi, functionName: 'symbol' })).toBe('OPEN')
  })

  it('1. deposits OPEN from L1 (approve + depositERC20Transaction) and mints it on L2 under the hash viem computes', async () => {
    const i = 2
    const me = user(i).address
    const token = addresses.GasPayingToken as Address
    const portal = addresses.OptimismPortalProxy as Address
    const w = c.l1Wallet(i)
    const mint = 123n * OPEN + 456n
    const l1Before = await c.l1.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [me] })
    const portalBefore = await c.l1.readContract({
      address: token,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [portal],
    })
    const approve = await w.writeContract({
      address: token,
      abi: erc20Abi,
      functionName: 'approve',
      args: [portal, mint],
    })
    expect((await c.l1.waitForTransactionReceipt({ hash: approve })).status).toBe('success')
    const hash = await w.writeContract({
      address: portal,
      abi: portalAbi,
      functionName: 'depositERC20Transaction',
      args: [me, mint, mint, 100_000n, false, '0x'],
    })
    const l1Receipt = await c.l1.waitForTransactionReceipt({ hash })
    expect(l1Receipt.status).toBe('success')
    expect(await c.l1.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [me] })).toBe(
      l1Before - mint,
    )
    expect(await c.l1.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [portal] })).toBe(
      portalBefore + mint,
    )
    const l2Hashes = getL2TransactionHashes(l1Receipt)
    expect(l2Hashes).toHaveLength(1)
    const l2Hash = l2Hashes[0] as Hex
    const r = await c.l2.waitForTransactionReceipt({ hash: l2Hash, timeout: 60_000 })
    expect(r.status).toBe('success')
    const tx = await c.l2.getTransaction({ hash: l2Hash })
    expect(tx.type).toBe('deposit')
    expect(tx.from.toLowerCase()).toBe(me.toLowerCase())
    expect((tx as unknown as { mint: bigint }).mint).toBe(mint)
    const n = r.blockNumber
    const delta =
      (await c.l2.getBalance({ address: me, blockNumber: n })) -
      (await c.l2.getBalance({ address: me, blockNumber: n - 1n }))
    expect(delta).toBe(mint)
    phase('1. deposit L1 -> L2')
  }, 120_000)

  it('2. sends L2 transfers; sender, receiver and the three fee vaults move by exactly value and fees', async () => {
    const from = 3
    const to = user(4).address
    const w = c.l2Wallet(from)
    for (const value of [parseEther('1.5'), 7n]) {
      const hash = await w.sendTransaction({ to, value })
      const r = await c.l2.waitForTransactionReceipt({ hash, timeout: 60_000 })
      expect(r.status).toBe('success')
      const n = r.blockNumber
      const block = await c.l2.getBlock({ blockNumber: n })
      // only the L1-attributes deposit and this transfer: the vault deltas are exactly its fees
      expect(block.transactions).toHaveLength(2)
      const at = async (a: Address, bn: bigint) => c.l2.getBalance({ address: a, blockNumber: bn })
      const delta = async (a: Address) => (await at(a, n)) - (await at(a, n - 1n))
      const l1Fee = r.l1Fee as bigint
      expect(l1Fee).toBeGreaterThan(0n)
      const baseFee = block.baseFeePerGas as bigint
      const tip = r.effectiveGasPrice - baseFee
      expect(-(await delta(user(from).address))).toBe(value + r.gasUsed * r.effectiveGasPrice + l1Fee)
      expect(await delta(to)).toBe(value)
      expect(await delta(VAULTS.base)).toBe(baseFee * r.gasUsed)
      expect(await delta(VAULTS.seq)).toBe(tip * r.gasUsed)
      expect(await delta(VAULTS.l1)).toBe(l1Fee)
      transferBlock = n
    }
    phase('2. L2 transfers')
  }, 120_000)

  it('3. withdraws OPEN: initiate on L2, wait for the output, prove, wait the finalization period, finalize', async () => {
    const i = 5
    const me = user(i).address
    const token = addresses.GasPayingToken as Address
    const portal = addresses.OptimismPortalProxy as Address
    const value = 42n * OPEN + 17n
    const l2w = c.l2Wallet(i)
    const l1w = c.l1Wallet(i)
    const hash = await l2w.initiateWithdrawal({ request: { gas: 100_000n, to: me, value } })
    const receipt = await c.l2.waitForTransactionReceipt({ hash, timeout: 60_000 })
    expect(receipt.status).toBe('success')
    const [withdrawal] = getWithdrawals(receipt)
    expect(withdrawal?.value).toBe(value)
    expect(withdrawal?.target).toBe(me)
    phase('3a. withdrawal initiated on L2')

    const { output, withdrawal: w } = await c.l1.waitToProve({ receipt, targetChain: c.l2Chain, pollingInterval: 500 })
    expect(output.l2BlockNumber).toBeGreaterThanOrEqual(receipt.blockNumber)
    expect(output.l2BlockNumber % 10n).toBe(0n)
    // the proposed root is the output root of that L2 block (version 0)
    const b = await c.l2.getBlock({ blockNumber: output.l2BlockNumber })
    const proof = await c.l2.getProof({
      address: '0x4200000000000000000000000000000000000016',
      storageKeys: [],
      blockNumber: output.l2BlockNumber,
    })
    expect(output.outputRoot).toBe(
      keccak256(concat([`0x${'00'.repeat(32)}`, b.stateRoot, proof.storageHash, b.hash as Hex])),
    )
    phase('3b. output proposed on L1')

    expect(await c.l1.getWithdrawalStatus({ receipt, targetChain: c.l2Chain })).toBe('ready-to-prove')
    const args = await buildProveWithdrawal(c.l2, { account: user(i), output, withdrawal: w })
    const proveHash = await l1w.proveWithdrawal(args)
    expect((await c.l1.waitForTransactionReceipt({ hash: proveHash })).status).toBe('success')
    expect(await c.l1.getWithdrawalStatus({ receipt, targetChain: c.l2Chain })).toBe('waiting-to-finalize')
    phase('3c. withdrawal proven on L1')

    // viem's getTimeToFinalize reads the period right; its waitToFinalize adds a 10 s wall-clock buffer, so wait
    // instead until the L1 head is past proof time + FINALIZATION_PERIOD_SECONDS (what the portal checks)
    const { period, seconds } = await c.l1.getTimeToFinalize({
      withdrawalHash: w.withdrawalHash,
      targetChain: c.l2Chain,
    })
    expect(period).toBe(12)
    expect(seconds).toBeGreaterThan(0)
    const [, provenAt] = await c.l1.readContract({
      address: portal,
      abi: parseAbi([
        'function provenWithdrawals(bytes32) view returns (bytes32 outputRoot, uint128 timestamp, uint128 l2OutputIndex)',
      ]),
      functionName: 'provenWithdrawals',
      args: [w.withdrawalHash],
    })
    expect(provenAt).toBeGreaterThan(0n)
    while ((await c.l1.getBlock()).timestamp <= provenAt + BigInt(period)) await new Promise((r) => setTimeout(r, 250))
    phase('3d. finalization period')
    const before = await c.l1.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [me] })
    const portalBefore = await c.l1.readContract({
      address: token,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [portal],
    })
    const finHash = await l1w.finalizeWithdrawal({ targetChain: c.l2Chain, withdrawal: w })
    const fin = await c.l1.waitForTransactionReceipt({ hash: finHash })
    expect(fin.status).toBe('success')
    expect(await c.l1.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [me] })).toBe(
      before + value,
    )
    expect(await c.l1.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [portal] })).toBe(
      portalBefore - value,
    )
    expect(await c.l1.getWithdrawalStatus({ receipt, targetChain: c.l2Chain })).toBe('finalized')
    phase('3e. withdrawal finalized on L1')
  }, 180_000)

  it('4. the verifier derives the same chain from L1 + DA: its safe head passes the transfers, hashes match', async () => {
    expect(transferBlock).toBeGreaterThan(0n)
    let safe = 0n
    const deadline = Date.now() + 90_000
    while (safe < transferBlock) {
      if (Date.now() > deadline) throw new Error(`verifier safe head ${safe} < ${transferBlock}`)
      safe = (await c.verifier.getBlock({ blockTag: 'safe' })).number
      if (safe < transferBlock) await new Promise((r) => setTimeout(r, 500))
    }
    const nums = Array.from({ length: Number(safe) + 1 }, (_, k) => BigInt(k))
    const seq = await Promise.all(nums.map((n) => c.l2.getBlock({ blockNumber: n })))
    const ver = await Promise.all(nums.map((n) => c.verifier.getBlock({ blockNumber: n })))
    expect(ver.map((b) => b.hash)).toEqual(seq.map((b) => b.hash))
    const status = await rpc<{ safe_l2: { number: number; hash: string } }>(ep.verifier.rollup, 'optimism_syncStatus')
    expect(status.safe_l2.number).toBeGreaterThanOrEqual(Number(safe))
    // the sequencer's own derivation keeps up too (its proposer depends on it); its safe/finalized never regressed
    expect((await c.l2.getBlock({ blockTag: 'safe' })).number).toBeGreaterThanOrEqual(transferBlock)
    expect(readFileSync(join(dir, 'logs', 'sequencer.log'), 'utf8')).not.toMatch(/inconsistent heads/)
    phase(`4. verifier safe head ${safe} matches the sequencer`)
  }, 120_000)

  it('serves the optimism_ rollup RPC and Prometheus metrics on the sequencer', async () => {
    const l2 = ep.sequencer.l2
    const status = await rpc<{ unsafe_l2: { number: number; l1origin: { number: number } } }>(l2, 'optimism_syncStatus')
    expect(status.unsafe_l2.number).toBeGreaterThan(0)
    expect(status.unsafe_l2.l1origin.number).toBeGreaterThan(0)
    const n = status.unsafe_l2.number
    const out = await rpc<{ outputRoot: Hex; stateRoot: Hex; withdrawalStorageRoot: Hex; blockRef: { hash: Hex } }>(
      l2,
      'optimism_outputAtBlock',
      [`0x${n.toString(16)}`],
    )
    const block = await c.l2.getBlock({ blockNumber: BigInt(n) })
    const proof = await c.l2.getProof({
      address: '0x4200000000000000000000000000000000000016',
      storageKeys: [],
      blockNumber: BigInt(n),
    })
    expect(out.stateRoot).toBe(block.stateRoot)
    expect(out.blockRef.hash).toBe(block.hash)
    expect(out.withdrawalStorageRoot).toBe(proof.storageHash)
    expect(out.outputRoot).toBe(
      keccak256(concat([`0x${'00'.repeat(32)}`, block.stateRoot, proof.storageHash, block.hash as Hex])),
    )
    expect(await rpc(l2, 'optimism_rollupConfig')).toEqual(JSON.parse(readFileSync(join(dir, 'rollup.json'), 'utf8')))
    expect(await rpc(l2, 'optimism_version')).toMatch(/^v\d/)
    const text = await (await fetch(ep.sequencer.metrics as string)).text()
    const unsafe = /oln_refs_number\{layer="l2",type="l2_unsafe"\} (\d+)/.exec(text)
    expect(Number(unsafe?.[1])).toBeGreaterThan(0)
    expect(text).toMatch(/oln_engine_block_build_seconds_count \d+/)
    expect(text).toMatch(/oln_rpc_requests_total\{method="eth_sendRawTransaction",outcome="ok"\} \d+/)
    expect(text).toMatch(/oln_nodejs_eventloop_lag_seconds/)
  })
})
