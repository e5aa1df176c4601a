import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPublicClient, createWalletClient, defineChain, http, parseEther } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { chainConfig } from 'viem/op-stack'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// The one-command chain as a user sees it: `oln devnet` in its own process, driven with viem.

const bin = new URL('../../bin/oln.js', import.meta.url).pathname
const KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
let proc: ChildProcess
let dir: string
let l2: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'oln-devnet-'))
  proc = spawn(
    process.execPath,
    [bin, 'devnet', '--fresh', '--dir', dir, '--rpc.port', '0', '--l1.block-time', '1', '--log.level', 'warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let stderr = ''
  proc.stderr?.on('data', (d) => {
    stderr += String(d)
  })
  const deadline = Date.now() + 60_000
  while (!existsSync(join(dir, 'endpoints.json'))) {
    if (proc.exitCode !== null) throw new Error(`devnet exited: ${stderr}`)
    if (Date.now() > deadline) throw new Error(`devnet did not start: ${stderr}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  l2 = JSON.parse(readFileSync(join(dir, 'endpoints.json'), 'utf8')).sequencer.l2
}, 90_000)

afterAll(async () => {
  if (proc && proc.exitCode === null) {
    const exited = new Promise((r) => proc.once('exit', r))
    proc.kill('SIGINT')
    await exited
  }
  rmSync(dir, { recursive: true, force: true })
})

describe('oln devnet (single-node chain on a real anvil L1)', () => {
  it('produces blocks and includes a user transfer with exact fee accounting', async () => {
    const chain = defineChain({
      ...chainConfig,
      id: 901,
      name: 'oln-devnet',
      nativeCurrency: { name: 'OPEN', symbol: 'OPEN', decimals: 18 },
      rpcUrls: { default: { http: [l2] } },
    })
    const client = createPublicClient({ chain, transport: http(l2) })
    const account = privateKeyToAccount(KEY)
    const wallet = createWalletClient({ account, chain, transport: http(l2) })
    const to = '0x0000000000000000000000000000000000c0ffee'
    const vaults = {
      base: '0x4200000000000000000000000000000000000019',
      l1: '0x420000000000000000000000000000000000001a',
      seq: '0x4200000000000000000000000000000000000011',
    } as const
    const hash = await wallet.sendTransaction({ to, value: parseEther('0.25') })
    const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 200, timeout: 30_000 })
    expect(receipt.status).toBe('success')
    expect(await client.getBalance({ address: to })).toBe(parseEther('0.25'))
    const n = receipt.blockNumber
    const block = await client.getBlock({ blockNumber: n, includeTransactions: true })
    expect((block.transactions[0] as unknown as { type: string }).type).toBe('deposit')
    const at = async (a: `0x${string}`, bn: bigint) => client.getBalance({ address: a, blockNumber: bn })
    const raw = (await (
      await fetch(l2, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getTransactionReceipt', params: [hash] }),
      })
    ).json()) as { result: { l1Fee: string } }
    const l1Fee = BigInt(raw.result.l1Fee)
    expect(l1Fee).toBeGreaterThan(0n)
    // the block holds only this user tx (plus the L1 info deposit), so the vault deltas are exactly its fees
    expect(block.transactions).toHaveLength(2)
    const baseFee = block.baseFeePerGas as bigint
    expect((await at(vaults.base, n)) - (await at(vaults.base, n - 1n))).toBe(receipt.gasUsed * baseFee)
    expect((await at(vaults.l1, n)) - (await at(vaults.l1, n - 1n))).toBe(l1Fee)
    expect((await at(vaults.seq, n)) - (await at(vaults.seq, n - 1n))).toBe(
      receipt.gasUsed * (receipt.effectiveGasPrice - baseFee),
    )
    const sender = (await at(account.address, n - 1n)) - (await at(account.address, n))
    expect(sender).toBe(parseEther('0.25') + receipt.gasUsed * receipt.effectiveGasPrice + l1Fee)
    expect(await client.getBlockNumber()).toBeGreaterThanOrEqual(n)
  }, 60_000)

  it('serves the optimism_ rollup RPC: output roots a proposer can use, sync status, rollup config', async () => {
    const rpc = async (method: string, params: unknown[] = []) => {
      const r = (await (
        await fetch(l2, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
        })
      ).json()) as { result: never }
      return r.result
    }
    const status = (await rpc('optimism_syncStatus')) as {
      unsafe_l2: { number: number; hash: string; l1origin: { number: number } }
    }
    expect(status.unsafe_l2.number).toBeGreaterThan(0)
    expect(status.unsafe_l2.l1origin.number).toBeGreaterThan(0)
    const n = status.unsafe_l2.number
    const out = (await rpc('optimism_outputAtBlock', [`0x${n.toString(16)}`])) as {
      outputRoot: `0x${string}`
      stateRoot: string
      withdrawalStorageRoot: string
      blockRef: { hash: string }
    }
    const client = createPublicClient({ transport: http(l2) })
    const block = await client.getBlock({ blockNumber: BigInt(n) })
    const proof = await client.getProof({
      address: '0x4200000000000000000000000000000000000016',
      storageKeys: [],
      blockNumber: BigInt(n),
    })
    expect(out.stateRoot).toBe(block.stateRoot)
    expect(out.blockRef.hash).toBe(block.hash)
    expect(out.withdrawalStorageRoot).toBe(proof.storageHash)
    const { keccak256, concat } = await import('viem')
    expect(out.outputRoot).toBe(
      keccak256(concat([`0x${'00'.repeat(32)}`, block.stateRoot, proof.storageHash, block.hash as `0x${string}`])),
    )
    const rollup = await rpc('optimism_rollupConfig')
    expect(rollup).toEqual(JSON.parse(readFileSync(join(dir, 'rollup.json'), 'utf8')))
    expect(await rpc('optimism_version')).toMatch(/^v\d/)
  })

  it('exposes Prometheus metrics: heads, block building, RPC', async () => {
    const url = JSON.parse(readFileSync(join(dir, 'endpoints.json'), 'utf8')).sequencer.metrics as string
    const text = await (await fetch(url)).text()
    const unsafe = /oln_refs_number\{layer="l2",type="l2_unsafe"\} (\d+)/.exec(text)
    expect(Number(unsafe?.[1])).toBeGreaterThan(0)
    expect(text).toMatch(/oln_engine_block_build_seconds_count \d+/)
    expect(text).toMatch(/oln_rpc_requests_total\{method="eth_sendRawTransaction",outcome="ok"\} 1/)
    expect(text).toMatch(/oln_nodejs_eventloop_lag_seconds/)
  })
})
