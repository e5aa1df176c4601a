import {
  type Address,
  BaseError,
  type Chain,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  type PublicClient,
  type WalletClient,
} from 'viem'
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import { NodeError } from '../config/errors.ts'
import type { Logger } from '../config/logger.ts'
import { l2OutputOracleAbi } from './l2OutputOracleAbi.ts'

// The output proposer (op-proposer, L2OutputOracle mode): every poll it reads the oracle's nextBlockNumber and,
// once the L2 safe head has reached it, proposes that block's output root anchored to the L1 block the node
// had derived up to (its "current L1", as op-proposer does), so a reorg of that L1 block voids the proposal.
// A proposal that would revert is logged and retried on the next poll; stop() waits for the poll in flight.

export interface L2BlockRef {
  number: bigint
  hash: Hex
  timestamp: bigint
}

export interface L1BlockAnchor {
  number: bigint
  hash: Hex
}

export interface ProposerOutput {
  outputRoot: Hex
  blockRef: L2BlockRef
  /** The L1 block derivation had reached (op-node SyncStatus.current_l1); default: the L1 head. */
  currentL1?: L1BlockAnchor
}

/** What the proposer needs from the L2 node. */
export interface ProposerOutputSource {
  safeHead(): Promise<bigint>
  outputAtBlock(n: bigint): Promise<ProposerOutput>
}

export class ProposerError extends NodeError<'PROPOSER_TX_REVERTED' | 'PROPOSER_NOT_AUTHORIZED'> {}

export interface ProposerOptions {
  l1Rpc: string
  /** Key of the oracle's proposer address. */
  proposerKey: Hex
  l2OutputOracle: Address
  source: ProposerOutputSource
  logger: Logger
  /** Default 1000 ms. */
  pollIntervalMs?: number
  /** Called after each mined proposal. */
  onProposed?: (p: { l2BlockNumber: bigint; outputRoot: Hex; txHash: Hex; l1: L1BlockAnchor }) => void
}

/** blockhash() only sees the last 256 blocks; older anchors would make the proposal revert. */
const BLOCKHASH_WINDOW = 256n

export class Proposer {
  private readonly account: PrivateKeyAccount
  private readonly pub: PublicClient
  private readonly wallet: WalletClient
  private readonly log: Logger
  private readonly pollMs: number
  private chain: Chain | undefined
  private timer: NodeJS.Timeout | undefined
  private inFlight: Promise<void> | undefined
  private running = false
  private stopped = false

  constructor(private readonly opts: ProposerOptions) {
    this.account = privateKeyToAccount(opts.proposerKey)
    this.pub = createPublicClient({ transport: http(opts.l1Rpc) }) as PublicClient
    this.wallet = createWalletClient({ account: this.account, transport: http(opts.l1Rpc) })
    this.log = opts.logger.child({ module: 'proposer' })
    this.pollMs = opts.pollIntervalMs ?? 1000
  }

  get address(): Address {
    return this.account.address
  }

  /** Checks the key is the oracle's proposer, then polls until stop(). */
  async start(): Promise<void> {
    const proposer = await this.pub.readContract({
      address: this.opts.l2OutputOracle,
      abi: l2OutputOracleAbi,
      functionName: 'proposer',
    })
    if (proposer.toLowerCase() !== this.account.address.toLowerCase())
      throw new ProposerError(
        'PROPOSER_NOT_AUTHORIZED',
        `the proposer key's address ${this.account.address} is not the L2OutputOracle's proposer ${proposer}; use that key`,
        { proposer, address: this.account.address },
      )
    this.running = true
    this.schedule(0)
  }

  async stop(): Promise<void> {
    this.running = false
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    await this.inFlight
  }

  private schedule(ms: number): void {
    if (!this.running) return
    this.timer = setTimeout(() => {
      this.inFlight = this.tick()
        .then(() => undefined)
        .catch((err) => this.log.warn({ err }, 'proposal failed; retrying next poll'))
        .finally(() => this.schedule(this.pollMs))
    }, ms)
  }

  /** One poll: proposes every due output the safe head covers. Returns how many were proposed. */
  async tick(): Promise<number> {
    let proposed = 0
    while (!this.stopped) {
      const next = await this.pub.readContract({
        address: this.opts.l2OutputOracle,
        abi: l2OutputOracleAbi,
        functionName: 'nextBlockNumber',
      })
      const safe = await this.opts.source.safeHead()
      if (safe < next) {
        this.log.debug({ safe: Number(safe), next: Number(next) }, 'waiting for the safe head')
        return proposed
      }
      const output = await this.opts.source.outputAtBlock(next)
      const head = await this.pub.getBlock({ blockTag: 'latest' })
      // The oracle rejects outputs whose L2 time is not before the mining block's time.
      if (output.blockRef.timestamp >= head.timestamp) return proposed
      // The head's parent: blockhash() of the block being executed is 0 (eth_call runs in the head's context).
      const l1 = this.anchor(output.currentL1, head.number, { number: head.number - 1n, hash: head.parentHash })
      await this.propose(next, output, l1)
      proposed++
    }
    return proposed
  }

  private anchor(current: L1BlockAnchor | undefined, headNumber: bigint, parent: L1BlockAnchor): L1BlockAnchor {
    if (current && current.number < headNumber && headNumber - current.number < BLOCKHASH_WINDOW) return current
    return parent
  }

  private async propose(n: bigint, output: ProposerOutput, l1: L1BlockAnchor): Promise<void> {
    const args = [output.outputRoot, n, l1.hash, l1.number] as const
    try {
      // Simulate first: a revert costs nothing and carries the oracle's reason.
      await this.pub.simulateContract({
        account: this.account,
        address: this.opts.l2OutputOracle,
        abi: l2OutputOracleAbi,
        functionName: 'proposeL2Output',
        args,
      })
    } catch (err) {
      throw new ProposerError(
        'PROPOSER_TX_REVERTED',
        `proposeL2Output for L2 block ${n} would revert: ${reason(err)}`,
        {
          l2: Number(n),
        },
      )
    }
    this.chain ??= await this.l1Chain()
    const txHash = await this.wallet.writeContract({
      chain: this.chain,
      account: this.account,
      address: this.opts.l2OutputOracle,
      abi: l2OutputOracleAbi,
      functionName: 'proposeL2Output',
      args,
    })
    const receipt = await this.pub.waitForTransactionReceipt({ hash: txHash, pollingInterval: 200 })
    if (receipt.status !== 'success')
      throw new ProposerError('PROPOSER_TX_REVERTED', `proposeL2Output for L2 block ${n} reverted in tx ${txHash}`, {
        l2: Number(n),
        txHash,
      })
    this.log.info(
      {
        l2: { number: Number(n), hash: output.blockRef.hash },
        l1: { number: Number(l1.number), hash: l1.hash },
        txHash,
      },
      'proposed output',
    )
    this.opts.onProposed?.({ l2BlockNumber: n, outputRoot: output.outputRoot, txHash, l1 })
  }

  private async l1Chain(): Promise<Chain> {
    const id = await this.pub.getChainId()
    return defineChain({
      id,
      name: `l1-${id}`,
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [this.opts.l1Rpc] } },
    })
  }
}

function reason(err: unknown): string {
  if (err instanceof BaseError) {
    const revert = err.walk((e) => e instanceof ContractFunctionRevertedError)
    if (revert instanceof ContractFunctionRevertedError) return revert.reason ?? revert.shortMessage
    return err.shortMessage
  }
  return String(err)
}
