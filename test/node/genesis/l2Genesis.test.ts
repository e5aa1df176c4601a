import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Abi, decodeFunctionResult, encodeFunctionData } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultDeployConfig } from '../../../config/deployConfig.ts'
import { EIP1967_ADMIN_SLOT, EIP1967_IMPLEMENTATION_SLOT, PREDEPLOYS } from '../../../config/protocol/addresses.ts'
import { flzCompressLen } from '../../../config/protocol/fastlz.ts'
import { ChainStore } from '../../../node/db/chainStore.ts'
import { ExecutionEngine } from '../../../node/engine/engine.ts'
import { buildGenesis, type GenesisState, initGenesis } from '../../../node/engine/genesis.ts'
import { MemoryStateStore } from '../../../node/engine/state/memoryStateStore.ts'
import { loadArtifact } from '../../../node/genesis/artifacts.ts'
import { checkGenesisMatchesRollup, genesisToJson, parseGenesisJson } from '../../../node/genesis/genesisJson.ts'
import {
  buildL2Genesis,
  chainSpecFromDeployConfig,
  DEV_ACCOUNT_FUND_AMOUNT,
  DEV_ACCOUNTS,
} from '../../../node/genesis/l2GenesisBuilder.ts'
import { buildRollupConfig } from '../../../node/genesis/rollupConfigBuilder.ts'
import { attributes, DEFAULT_L1_INFO, DEV_KEYS, l1InfoDeposit, signTransfer } from '../../helpers/engineFixture.ts'

const OPEN = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const L1_CDM = '0x1111111111111111111111111111111111111111'
const cfg = { ...defaultDeployConfig(), useCustomGasToken: true, customGasTokenAddress: OPEN as `0x${string}` }
const T = 1_700_000_000n
const b = (h: string) => Buffer.from(h.replace(/^0x/, ''), 'hex')
const hex = (x: Uint8Array) => `0x${Buffer.from(x).toString('hex')}`

let genesis: GenesisState
let engine: ExecutionEngine
let store: ChainStore
let dir: string

async function view(contract: string, name: string, fn: string, args: unknown[] = []) {
  const abi = loadArtifact(name).abi as Abi
  const r = await engine.simulate(engine.head.unsafe.header, {
    from: new Uint8Array(20),
    to: b(contract),
    value: 0n,
    data: b(encodeFunctionData({ abi, functionName: fn, args })),
    gas: 1_000_000n,
    gasPrice: 0n,
    accessList: [],
  })
  expect(r.reverted, `${name}.${fn} reverted`).toBe(false)
  return decodeFunctionResult({ abi, functionName: fn, data: hex(r.returnValue) as `0x${string}` })
}

beforeAll(async () => {
  genesis = await buildL2Genesis(cfg, T, {
    l1CrossDomainMessengerProxy: L1_CDM,
    l1StandardBridgeProxy: L1_CDM,
    l1ERC721BridgeProxy: L1_CDM,
  })
  dir = mkdtempSync(join(tmpdir(), 'oln-gen-'))
  store = await ChainStore.open(dir)
  const spec = chainSpecFromDeployConfig({ ...cfg, l2ChainID: 901 }, T)
  await initGenesis(store, spec, genesis)
  engine = await ExecutionEngine.open({ store, spec })
})
afterAll(async () => {
  await engine.close()
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('L2 genesis from contracts-bedrock 0.17.3 artifacts', () => {
  it('places proxies (admin = ProxyAdmin) over the predeploy namespace and implementations in the code namespace', () => {
    const byAddr = new Map(genesis.alloc.map((a) => [hex(a.address).toLowerCase(), a]))
    const proxyCode = hex(loadArtifact('Proxy').deployed)
    let proxies = 0
    for (const a of genesis.alloc) {
      if (!hex(a.address).startsWith('0x4200') || !a.code || hex(a.code) !== proxyCode) continue
      proxies++
      const admin = a.storage?.find(([k]) => hex(k) === EIP1967_ADMIN_SLOT)
      expect(admin && BigInt(hex(admin[1]))).toBe(BigInt(PREDEPLOYS.ProxyAdmin))
    }
    expect(proxies).toBe(2048 - 2) // WETH9 and GovernanceToken are not proxied
    const l1Block = byAddr.get(PREDEPLOYS.L1Block.toLowerCase())
    const impl = l1Block?.storage?.find(([k]) => hex(k) === EIP1967_IMPLEMENTATION_SLOT)?.[1] as Uint8Array
    const implAddr = `0x${Buffer.from(impl).toString('hex').slice(-40)}`
    expect(implAddr).toBe('0xc0d3c0d3c0d3c0d3c0d3c0d3c0d3c0d3c0d30015')
    expect(hex(byAddr.get(implAddr)?.code as Uint8Array)).toBe(hex(loadArtifact('L1Block').deployed))
    expect(hex(byAddr.get(PREDEPLOYS.WETH9.toLowerCase())?.code as Uint8Array)).toBe(hex(loadArtifact('WETH').deployed))
    for (const d of DEV_ACCOUNTS) expect(byAddr.get(d.toLowerCase())?.balance).toBe(DEV_ACCOUNT_FUND_AMOUNT)
    expect(byAddr.get('0x0000000000000000000000000000000000000001')?.balance).toBe(1n)
    expect(byAddr.get('0xca11bde05977b3631167028862be2a173976ca11')?.nonce).toBe(1n)
  })

  it('initialised the predeploys: GasPriceOracle Fjord, OPEN as gas paying token, messenger, fee vaults', async () => {
    expect(await view(PREDEPLOYS.GasPriceOracle, 'GasPriceOracle', 'isEcotone')).toBe(true)
    expect(await view(PREDEPLOYS.GasPriceOracle, 'GasPriceOracle', 'isFjord')).toBe(true)
    expect(await view(PREDEPLOYS.L1Block, 'L1Block', 'isCustomGasToken')).toBe(true)
    const [token, decimals] = (await view(PREDEPLOYS.L1Block, 'L1Block', 'gasPayingToken')) as [string, number]
    expect(token.toLowerCase()).toBe(OPEN.toLowerCase())
    expect(decimals).toBe(18)
    expect(await view(PREDEPLOYS.L1Block, 'L1Block', 'gasPayingTokenSymbol')).toBe('OPEN')
    expect(await view(PREDEPLOYS.L1Block, 'L1Block', 'gasPayingTokenName')).toBe('OpenLedger')
    expect(
      (
        (await view(PREDEPLOYS.L2CrossDomainMessenger, 'L2CrossDomainMessenger', 'OTHER_MESSENGER')) as string
      ).toLowerCase(),
    ).toBe(L1_CDM)
    expect(((await view(PREDEPLOYS.SequencerFeeVault, 'SequencerFeeVault', 'RECIPIENT')) as string).toLowerCase()).toBe(
      cfg.sequencerFeeVaultRecipient.toLowerCase(),
    )
    expect(((await view(PREDEPLOYS.ProxyAdmin, 'ProxyAdmin', 'owner')) as string).toLowerCase()).toBe(
      cfg.proxyAdminOwner.toLowerCase(),
    )
  })

  it('round-trips through genesis-l2.json to the same block hash, and matches the rollup.json it goes with', async () => {
    const spec = chainSpecFromDeployConfig(cfg, T)
    const direct = await buildGenesis(spec, genesis, new MemoryStateStore())
    const parsed = parseGenesisJson(JSON.parse(JSON.stringify(genesisToJson(genesis, spec))))
    const again = await buildGenesis(parsed.spec, parsed.state, new MemoryStateStore())
    expect(hex(again.block.hash)).toBe(hex(direct.block.hash))
    const rollup = buildRollupConfig(
      cfg,
      { hash: `0x${'ab'.repeat(32)}`, number: 5, timestamp: Number(T) },
      hex(direct.block.hash),
      Number(T),
      {
        OptimismPortalProxy: `0x${'11'.repeat(20)}`,
        SystemConfigProxy: `0x${'22'.repeat(20)}`,
      },
    )
    expect(() => checkGenesisMatchesRollup(parsed, rollup, again.block.hash)).not.toThrow()
    expect(() =>
      checkGenesisMatchesRollup(parsed, { ...rollup, fjord_time: undefined }, again.block.hash),
    ).toThrowError(/fjord_time/)
    expect(() =>
      checkGenesisMatchesRollup(
        parsed,
        { ...rollup, genesis: { ...rollup.genesis, l2: { hash: `0x${'00'.repeat(32)}`, number: 0 } } },
        again.block.hash,
      ),
    ).toThrowError(/genesis\.l2\.hash/)
    expect(() => parseGenesisJson({ config: { chainId: 1 } })).toThrowError(/config\.optimism/)
  })

  it('executes the real L1-info deposit through the L1Block proxy and charges the Fjord L1 fee GasPriceOracle reports', async () => {
    const parent = engine.head.unsafe
    const transfer = signTransfer(DEV_KEYS[0] as Uint8Array, 0n, b(DEV_ACCOUNTS[1]), 1n)
    const block = await engine.buildBlock(attributes(parent.header.timestamp, [l1InfoDeposit(), transfer]))
    const receipts = (await store.getReceipts(block.hash)) ?? []
    expect(receipts.map((r) => r.status)).toEqual([1, 1])
    expect(await view(PREDEPLOYS.L1Block, 'L1Block', 'basefee')).toBe(DEFAULT_L1_INFO.baseFee)
    expect(await view(PREDEPLOYS.L1Block, 'L1Block', 'baseFeeScalar')).toBe(DEFAULT_L1_INFO.baseFeeScalar)
    // independent Fjord formula on the signed tx
    const i = DEFAULT_L1_INFO
    const scaled = BigInt(i.baseFeeScalar) * i.baseFee * 16n + BigInt(i.blobBaseFeeScalar) * i.blobBaseFee
    const fee = (raw: Uint8Array, extra = 0) =>
      (BigInt(Math.max(100e6, -42_585_600 + 836_500 * (flzCompressLen(raw) + extra))) * scaled) / 10n ** 12n
    expect(receipts[1]?.l1Fee).toBe(fee(transfer))
    // GasPriceOracle.getL1Fee(signed tx bytes) applies the same formula plus its 68-byte signature allowance
    expect(await view(PREDEPLOYS.GasPriceOracle, 'GasPriceOracle', 'getL1Fee', [hex(transfer)])).toBe(fee(transfer, 68))
  })
})

describe('withdrawal initiation and output roots on the genesis predeploys', () => {
  it('stores the withdrawal hash in L2ToL1MessagePasser, provable against the output root components', async () => {
    const { verifyMerkleProof } = await import('@ethereumjs/mpt')
    const { keccak256 } = await import('../../../config/keccak.ts')
    const { outputRootV0 } = await import('../../../config/protocol/outputRoot.ts')
    const { decodeMessagePassedLog, hashWithdrawal, withdrawalStorageSlot } = await import(
      '../../../config/protocol/withdrawal.ts'
    )
    const { stateView } = await import('../../../node/rpc/engineBackend.ts')
    const mp = loadArtifact('L2ToL1MessagePasser')
    const data = b(
      encodeFunctionData({
        abi: mp.abi as Abi,
        functionName: 'initiateWithdrawal',
        args: [DEV_ACCOUNTS[2], 100_000n, '0xdeadbeef'],
      }),
    )
    const parent = engine.head.unsafe
    const tx = signTransfer(DEV_KEYS[0] as Uint8Array, 1n, b(PREDEPLOYS.L2ToL1MessagePasser), 12345n, {
      data,
      gas: 200_000n,
    })
    const block = await engine.buildBlock(
      attributes(parent.header.timestamp, [l1InfoDeposit({ ...DEFAULT_L1_INFO, sequenceNumber: 1n }), tx]),
    )
    const r = (await store.getReceipts(block.hash))?.[1]
    expect(r?.status).toBe(1)
    const log = r?.logs.find((l) => hex(l.address) === PREDEPLOYS.L2ToL1MessagePasser.toLowerCase())
    const w = decodeMessagePassedLog({ topics: log?.topics ?? [], data: log?.data ?? new Uint8Array(0) })
    expect(w.value).toBe(12345n)
    expect(hex(hashWithdrawal(w))).toBe(hex(w.withdrawalHash))
    const out = await engine.outputAt(block)
    expect(hex(out.outputRoot)).toBe(
      hex(outputRootV0(block.header.stateRoot, out.messagePasserStorageRoot, block.hash)),
    )
    // the portal's proof: sentMessages[hash] == 1 under messagePasserStorageRoot (eth_getProof storage proof)
    const slot = withdrawalStorageSlot(w.withdrawalHash)
    const proof = await stateView(await engine.stateAt(block.header)).getProof(b(PREDEPLOYS.L2ToL1MessagePasser), [
      slot,
    ])
    expect(hex(proof.storageHash)).toBe(hex(out.messagePasserStorageRoot))
    const v = await verifyMerkleProof(keccak256(slot), proof.storageProof[0]?.proof ?? [], {
      root: out.messagePasserStorageRoot,
    } as never)
    expect(hex(v as Uint8Array)).toBe('0x01')
  })
})
