import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Abi, type Address, createPublicClient, type Hex, http, type PublicClient } from 'viem'
import { extractTransactionDepositedLogs, getL2TransactionHash } from 'viem/op-stack'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hexToBytes } from '../../../config/bytes.ts'
import { defaultDeployConfig } from '../../../config/deployConfig.ts'
import { decodeDepositLog } from '../../../derivation/protocol/depositLog.ts'
import { depositTxHash } from '../../../derivation/protocol/depositTx.ts'
import { loadArtifact } from '../../../node/genesis/artifacts.ts'
import { type Anvil, startAnvil } from '../../../node/l1/anvil.ts'
import { type DevChainFiles, deployDevChain } from '../../../node/l1/deploy/deployDevChain.ts'
import { depositEth } from '../../../node/l1/deposits.ts'

// The standard (ETH) variant of the L1 deployment on a real anvil mining every 2 s (as the devnet's):
// no gas paying token, and the ETH deposit
// path (depositTransaction with value) decodes, through derivation's depositLog, to viem/op-stack's L2 hash.

const DEPLOYER_KEY: Hex = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
const USER_KEY: Hex = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a'
const USER: Address = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'
/** Constants.ETHER of contracts-bedrock: the gas paying token of a standard chain. */
const ETHER: Address = '0xEeeeeEeeeEeEeeEeEeEeeEEEeeeeEeeeeeeeEEeE'

let anvil: Anvil
let client: PublicClient
let out: DevChainFiles
let dir: string

beforeAll(async () => {
  // Interval mining, as the devnet runs anvil: the deployment mines its own blocks instead of waiting.
  anvil = await startAnvil(['--chain-id', '900', '--block-time', '2'])
  client = createPublicClient({ transport: http(anvil.url) }) as PublicClient
  dir = mkdtempSync(join(tmpdir(), 'oln-deploy-eth-'))
  out = await deployDevChain({
    l1Rpc: anvil.url,
    deployerKey: DEPLOYER_KEY,
    deployConfig: defaultDeployConfig(),
    outDir: dir,
  })
}, 60_000)

afterAll(async () => {
  await anvil?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('deployDevChain (standard ETH chain)', () => {
  it('leaves the gas paying token at ETHER', async () => {
    expect(out.addresses.GasPayingToken).toBeUndefined()
    expect(out.deployConfig.useCustomGasToken).toBe(false)
    const [token, decimals] = (await client.readContract({
      address: out.addresses.SystemConfigProxy,
      abi: loadArtifact('SystemConfig').abi as Abi,
      functionName: 'gasPayingToken',
    })) as [Address, number]
    expect(token).toBe(ETHER)
    expect(decimals).toBe(18)
  })

  it('an ETH deposit decodes to a deposit tx minting msg.value, with viem/op-stack hash', async () => {
    const mint = 3n * 10n ** 18n
    const receipt = await depositEth({
      l1Rpc: anvil.url,
      key: USER_KEY,
      portal: out.addresses.OptimismPortalProxy,
      to: USER,
      mint,
      value: mint,
    })
    const [viemLog] = extractTransactionDepositedLogs(receipt)
    if (!viemLog) throw new Error('no TransactionDeposited log')
    const tx = decodeDepositLog(
      { topics: viemLog.topics.map((t) => hexToBytes(t)), data: hexToBytes(viemLog.data) },
      hexToBytes(receipt.blockHash),
      viemLog.logIndex,
    )
    expect(tx.mint).toBe(mint)
    expect(tx.value).toBe(mint)
    expect(`0x${Buffer.from(depositTxHash(tx)).toString('hex')}`).toBe(getL2TransactionHash({ log: viemLog }))
    expect(await client.getBalance({ address: out.addresses.OptimismPortalProxy })).toBe(mint)
  })
})
