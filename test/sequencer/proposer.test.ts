import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPublicClient, type Hex, http, keccak256, type PublicClient, toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultDeployConfig } from '../../config/deployConfig.ts'
import { type Anvil, startAnvil } from '../../node/l1/anvil.ts'
import { type DevChainFiles, deployDevChain } from '../../node/l1/deploy/deployDevChain.ts'
import { l2OutputOracleAbi } from '../../sequencer/l2OutputOracleAbi.ts'
import { Proposer, ProposerError, type ProposerOutputSource } from '../../sequencer/proposer.ts'
import { captureLogger } from '../fakes/captureLogger.ts'

// The proposer against a real L2OutputOracle (contracts-bedrock 0.17.3, deployed on anvil by deployDevChain)
// with an output source standing in for the L2 node: it proposes exactly the blocks at the submission
// interval that the safe head covers, and the oracle stores them.

const DEPLOYER_KEY: Hex = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
/** anvil account 1 = the default config's l2OutputOracleProposer. */
const PROPOSER_KEY: Hex = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'

let anvil: Anvil
let client: PublicClient
let chain: DevChainFiles
let dir: string

/** A fake L2 node: output roots derived from the block number, safe head set by the test. */
function outputSource(startTimestamp: bigint, blockTime: bigint) {
  const src = {
    safe: 0n,
    async safeHead() {
      return src.safe
    },
    async outputAtBlock(n: bigint) {
      return {
        outputRoot: keccak256(toHex(n, { size: 32 })),
        blockRef: {
          number: n,
          hash: keccak256(toHex(n + 1n, { size: 32 })),
          timestamp: startTimestamp + n * blockTime,
        },
      }
    },
  }
  return src satisfies ProposerOutputSource
}

beforeAll(async () => {
  anvil = await startAnvil(['--chain-id', '900'])
  client = createPublicClient({ transport: http(anvil.url) }) as PublicClient
  dir = mkdtempSync(join(tmpdir(), 'oln-proposer-'))
  chain = await deployDevChain({
    l1Rpc: anvil.url,
    deployerKey: DEPLOYER_KEY,
    deployConfig: defaultDeployConfig(),
    outDir: dir,
    gasToken: 'eth',
  })
  // L2 blocks up to 60 s past genesis are "in the past" for the oracle.
  await anvil.rpc('evm_increaseTime', [120])
  await anvil.rpc('evm_mine')
}, 60_000)

afterAll(async () => {
  await anvil?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const oracle = () => chain.addresses.L2OutputOracleProxy

describe('Proposer', () => {
  it('proposes each submission-interval block the safe head reached, anchored to an L1 block', async () => {
    const cfg = chain.deployConfig
    const src = outputSource(BigInt(chain.startBlock.timestamp), BigInt(cfg.l2BlockTime))
    src.safe = 25n
    const { logger, lines } = captureLogger()
    const proposed: bigint[] = []
    const anchors: { number: bigint; hash: Hex }[] = []
    let done: () => void = () => {}
    const twoProposed = new Promise<void>((r) => {
      done = r
    })
    const p = new Proposer({
      l1Rpc: anvil.url,
      proposerKey: PROPOSER_KEY,
      l2OutputOracle: oracle(),
      source: src,
      logger,
      pollIntervalMs: 20,
      onProposed: (e) => {
        proposed.push(e.l2BlockNumber)
        anchors.push(e.l1)
        if (proposed.length === 2) done()
      },
    })
    await p.start()
    await twoProposed
    await p.stop()
    expect(proposed).toEqual([10n, 20n])
    // Without the node's current L1, the anchor is a real, already-mined L1 block.
    for (const a of anchors) expect((await client.getBlock({ blockNumber: a.number })).hash).toBe(a.hash)
    expect(lines.filter((l) => l.msg === 'proposed output').map((l) => (l.l2 as { number: number }).number)).toEqual([
      10, 20,
    ])
    for (const [i, n] of [10n, 20n].entries()) {
      const out = await client.readContract({
        address: oracle(),
        abi: l2OutputOracleAbi,
        functionName: 'getL2Output',
        args: [BigInt(i)],
      })
      expect(out.l2BlockNumber).toBe(n)
      expect(out.outputRoot).toBe((await src.outputAtBlock(n)).outputRoot)
    }
    // 30 is due next but beyond the safe head (25): nothing more was proposed.
    const next = await client.readContract({
      address: oracle(),
      abi: l2OutputOracleAbi,
      functionName: 'nextBlockNumber',
    })
    expect(next).toBe(30n)
    expect(
      await client.readContract({ address: oracle(), abi: l2OutputOracleAbi, functionName: 'latestBlockNumber' }),
    ).toBe(20n)
  })

  it('does not propose an L2 block whose time is not yet past on L1', async () => {
    const cfg = chain.deployConfig
    const src = outputSource(BigInt(chain.startBlock.timestamp), BigInt(cfg.l2BlockTime))
    src.safe = 10_000n
    // Block 30 + far-future timestamps: shift the fake's clock so block 30 lies an hour ahead.
    const future = {
      ...src,
      outputAtBlock: async (n: bigint) => {
        const o = await src.outputAtBlock(n)
        return { ...o, blockRef: { ...o.blockRef, timestamp: o.blockRef.timestamp + 3600n } }
      },
    }
    const p = new Proposer({
      l1Rpc: anvil.url,
      proposerKey: PROPOSER_KEY,
      l2OutputOracle: oracle(),
      source: future,
      logger: captureLogger().logger,
    })
    expect(await p.tick()).toBe(0)
  })

  it('refuses to start with a key that is not the oracle proposer, and a revert is a typed error', async () => {
    const src = outputSource(0n, 2n)
    src.safe = 10_000n
    const p = new Proposer({
      l1Rpc: anvil.url,
      proposerKey: DEPLOYER_KEY,
      l2OutputOracle: oracle(),
      source: src,
      logger: captureLogger().logger,
    })
    await expect(p.start()).rejects.toMatchObject({ code: 'PROPOSER_NOT_AUTHORIZED' })
    const err = await p.tick().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ProposerError)
    expect((err as ProposerError).code).toBe('PROPOSER_TX_REVERTED')
    expect((err as ProposerError).message).toContain('only the proposer address can propose')
  })

  it("anchors to the node's current L1 block when it is within blockhash() reach", async () => {
    const cfg = chain.deployConfig
    const src = outputSource(BigInt(chain.startBlock.timestamp), BigInt(cfg.l2BlockTime))
    src.safe = 30n
    const currentL1 = { number: BigInt(chain.startBlock.number), hash: chain.startBlock.hash as Hex }
    const anchors: { number: bigint; hash: Hex }[] = []
    const p = new Proposer({
      l1Rpc: anvil.url,
      proposerKey: PROPOSER_KEY,
      l2OutputOracle: oracle(),
      source: { ...src, outputAtBlock: async (n) => ({ ...(await src.outputAtBlock(n)), currentL1 }) },
      logger: captureLogger().logger,
      onProposed: (e) => anchors.push(e.l1),
    })
    expect(await p.tick()).toBe(1)
    expect(anchors).toEqual([currentL1])
    const out = await client.readContract({
      address: oracle(),
      abi: l2OutputOracleAbi,
      functionName: 'getL2Output',
      args: [2n],
    })
    expect(out.l2BlockNumber).toBe(30n)
  })
})
