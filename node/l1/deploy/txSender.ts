import {
  type Abi,
  type Address,
  type Chain,
  createPublicClient,
  defineChain,
  encodeDeployData,
  encodeFunctionData,
  getContractAddress,
  type Hex,
  http,
  type PrivateKeyAccount,
  type PublicClient,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { NodeError } from '../../../config/errors.ts'
import type { Artifact } from '../../genesis/artifacts.ts'

// Sends a deployer's transactions back to back with locally managed nonces and fixed gas limits, so a
// deployment costs one RPC round trip per transaction (no estimateGas, no waiting per receipt); receipts are
// checked in bulk at `flush()`, and a revert names the step that caused it. On an anvil that mines on an
// interval (the devnet's --block-time) flush() mines blocks itself instead of waiting out the interval.

export class DeployTxError extends NodeError<'DEPLOY_TX_REVERTED' | 'DEPLOY_TX_MISSING'> {}

/** Gas for contract creations: above the largest contracts-bedrock L1 implementation, below a 30M block. */
const CREATE_GAS = 8_000_000n
const CALL_GAS = 1_500_000n

export class TxSender {
  readonly account: PrivateKeyAccount
  readonly client: PublicClient
  private readonly chain: Chain
  private nonce = 0
  private maxFeePerGas = 0n
  private pending: { hash: Hex; step: string }[] = []
  /** true: an anvil without automine, so flush() calls evm_mine. */
  private mineOnFlush = false

  private constructor(rpc: string, key: Hex, chainId: number) {
    this.account = privateKeyToAccount(key)
    this.chain = defineChain({
      id: chainId,
      name: `l1-${chainId}`,
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [rpc] } },
    })
    this.client = createPublicClient({ chain: this.chain, transport: http(rpc) }) as PublicClient
  }

  static async open(rpc: string, key: Hex): Promise<TxSender> {
    const probe = createPublicClient({ transport: http(rpc) })
    const chainId = await probe.getChainId()
    const s = new TxSender(rpc, key, chainId)
    const [nonce, block] = await Promise.all([
      s.client.getTransactionCount({ address: s.account.address, blockTag: 'pending' }),
      s.client.getBlock(),
    ])
    s.nonce = nonce
    s.mineOnFlush = await s.client
      .request({ method: 'anvil_getAutomine' as 'eth_chainId' })
      .then((auto) => auto === (false as unknown))
      .catch(() => false)
    // Twice the base fee plus the tip survives the base fee rising over the deployment's blocks.
    s.maxFeePerGas = (block.baseFeePerGas ?? 1_000_000_000n) * 2n + 1_000_000_000n
    return s
  }

  get address(): Address {
    return this.account.address
  }

  /** Sends a creation of `artifact` with constructor `args`; returns the address it will have. */
  async deploy(artifact: Artifact, args: readonly unknown[] = [], step = `deploy ${artifact.name}`): Promise<Address> {
    const address = getContractAddress({ from: this.account.address, nonce: BigInt(this.nonce) })
    const bytecode = `0x${Buffer.from(artifact.creation).toString('hex')}` as Hex
    const data = encodeDeployData({ abi: artifact.abi as Abi, bytecode, args: args as unknown[] })
    await this.send({ data, gas: CREATE_GAS }, step)
    return address
  }

  async call(
    to: Address,
    abi: Abi | readonly unknown[],
    functionName: string,
    args: readonly unknown[],
    step = functionName,
    value = 0n,
  ): Promise<Hex> {
    const data = encodeFunctionData({ abi: abi as Abi, functionName, args: args as unknown[] })
    return this.send({ to, data, gas: CALL_GAS, value }, step)
  }

  async send(tx: { to?: Address; data: Hex; gas: bigint; value?: bigint }, step: string): Promise<Hex> {
    const raw = await this.account.signTransaction({
      type: 'eip1559',
      chainId: this.chain.id,
      nonce: this.nonce,
      ...(tx.to ? { to: tx.to } : {}),
      data: tx.data,
      gas: tx.gas,
      value: tx.value ?? 0n,
      maxFeePerGas: this.maxFeePerGas,
      maxPriorityFeePerGas: 1_000_000_000n,
    })
    this.nonce++
    const hash = await this.client.request({ method: 'eth_sendRawTransaction', params: [raw] })
    this.pending.push({ hash, step })
    return hash
  }

  /** Waits for every sent transaction and throws DeployTxError naming the first failed step. */
  async flush(): Promise<{ blockNumber: bigint; blockHash: Hex }[]> {
    const batch = this.pending
    this.pending = []
    if (this.mineOnFlush) await this.mineUntilIncluded(batch.map((p) => p.hash))
    const receipts = await Promise.all(
      batch.map((p) => this.client.waitForTransactionReceipt({ hash: p.hash, pollingInterval: 100, timeout: 60_000 })),
    )
    receipts.forEach((r, i) => {
      const p = batch[i] as { hash: Hex; step: string }
      if (r.status !== 'success')
        throw new DeployTxError('DEPLOY_TX_REVERTED', `L1 deployment step '${p.step}' reverted (tx ${p.hash})`, {
          step: p.step,
          txHash: p.hash,
        })
    })
    return receipts.map((r) => ({ blockNumber: r.blockNumber, blockHash: r.blockHash }))
  }

  private async mineUntilIncluded(hashes: Hex[]): Promise<void> {
    const last = hashes[hashes.length - 1]
    // Same sender, consecutive nonces: once the last is mined, all are.
    for (let i = 0; last && i < hashes.length + 1; i++) {
      const r = await this.client.getTransactionReceipt({ hash: last }).catch(() => undefined)
      if (r) return
      await this.client.request({ method: 'evm_mine' as 'eth_chainId' })
    }
  }
}
