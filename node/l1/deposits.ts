import {
  type Abi,
  type Address,
  createPublicClient,
  createWalletClient,
  type Hex,
  http,
  type TransactionReceipt,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { NodeError } from '../../config/errors.ts'
import { loadArtifact } from '../genesis/artifacts.ts'

// L1 → L2 deposits through OptimismPortal, for tests and the devnet: the OPEN (custom gas token) path
// approves the portal and calls depositERC20Transaction; the ETH path calls depositTransaction with value.

export class DepositError extends NodeError<'DEPOSIT_REVERTED'> {}

export interface DepositOptions {
  l1Rpc: string
  /** The L1 sender's key; on L2 the deposit comes from this address (aliased if it were a contract). */
  key: Hex
  portal: Address
  to: Address
  /** L2 value transferred to `to` (taken from the minted amount on a custom-gas-token chain). */
  value?: bigint
  gasLimit?: bigint
  data?: Hex
  isCreation?: boolean
}

const portalAbi = () => loadArtifact('OptimismPortal').abi as Abi
const erc20Abi = () => loadArtifact('OptimismMintableERC20').abi as Abi

function clients(l1Rpc: string, key: Hex) {
  const account = privateKeyToAccount(key)
  const pub = createPublicClient({ transport: http(l1Rpc) })
  const wallet = createWalletClient({ account, transport: http(l1Rpc) })
  return { account, pub, wallet }
}

async function mined(pub: ReturnType<typeof clients>['pub'], hash: Hex, step: string): Promise<TransactionReceipt> {
  const r = await pub.waitForTransactionReceipt({ hash, pollingInterval: 100 })
  if (r.status !== 'success')
    throw new DepositError('DEPOSIT_REVERTED', `${step} reverted on L1 (tx ${hash}); check allowance/balance`, {
      txHash: hash,
    })
  return r
}

/** OPEN path: approve `mint` of `token` to the portal, then depositERC20Transaction. Returns the deposit receipt. */
export async function depositErc20(
  opts: DepositOptions & { token: Address; mint: bigint },
): Promise<TransactionReceipt> {
  const { pub, wallet } = clients(opts.l1Rpc, opts.key)
  const chain = null
  const approve = await wallet.writeContract({
    chain,
    address: opts.token,
    abi: erc20Abi(),
    functionName: 'approve',
    args: [opts.portal, opts.mint],
  })
  await mined(pub, approve, 'approve')
  const hash = await wallet.writeContract({
    chain,
    address: opts.portal,
    abi: portalAbi(),
    functionName: 'depositERC20Transaction',
    args: [
      opts.to,
      opts.mint,
      opts.value ?? 0n,
      opts.gasLimit ?? 100_000n,
      opts.isCreation ?? false,
      opts.data ?? '0x',
    ],
  })
  return mined(pub, hash, 'depositERC20Transaction')
}

/** ETH path (standard chain): depositTransaction with msg.value = `mint`. */
export async function depositEth(opts: DepositOptions & { mint: bigint }): Promise<TransactionReceipt> {
  const { pub, wallet } = clients(opts.l1Rpc, opts.key)
  const hash = await wallet.writeContract({
    chain: null,
    address: opts.portal,
    abi: portalAbi(),
    functionName: 'depositTransaction',
    args: [opts.to, opts.value ?? 0n, opts.gasLimit ?? 100_000n, opts.isCreation ?? false, opts.data ?? '0x'],
    value: opts.mint,
  })
  return mined(pub, hash, 'depositTransaction')
}
