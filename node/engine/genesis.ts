import { Address } from '@ethereumjs/util'
import type { ChainStore } from '../db/chainStore.ts'
import { type ChainSpec, forksAt } from './chainSpec.ts'
import { EngineError } from './errors.ts'
import { EMPTY_OMMERS_HASH, EMPTY_TRIE_ROOT, hashHeader } from './header.ts'
import { bytesEqual, KECCAK_EMPTY } from './state/account.ts'
import { StateDB } from './state/stateDB.ts'
import type { NodeSink } from './trie/merkleTrie.ts'
import type { Block, BlockHeader } from './types.ts'

/** The parts of an op-geth genesis the engine needs, decoded (addresses/bytes as Uint8Array). */
export interface GenesisState {
  timestamp: bigint
  gasLimit: bigint
  baseFeePerGas: bigint
  extraData: Uint8Array
  coinbase: Uint8Array
  mixHash: Uint8Array
  nonce: Uint8Array
  difficulty: bigint
  alloc: GenesisAccount[]
}

export interface GenesisAccount {
  address: Uint8Array
  balance: bigint
  nonce?: bigint
  code?: Uint8Array
  /** 32-byte slot -> value (any length up to 32). */
  storage?: [Uint8Array, Uint8Array][]
}

export interface GenesisResult {
  block: Block
  nodes: [Uint8Array, Uint8Array][]
  code: [Uint8Array, Uint8Array][]
}

/** Computes the genesis state root and block (op-geth Genesis.ToBlock with OP fields, opstack-spec §9.2). */
export async function buildGenesis(
  spec: ChainSpec,
  g: GenesisState,
  store: ChainStore | StateDBStore,
): Promise<GenesisResult> {
  const state = new StateDB(store, EMPTY_TRIE_ROOT)
  for (const a of g.alloc) {
    const addr = new Address(a.address)
    await state.writeAccount(a.address, {
      nonce: a.nonce ?? 0n,
      balance: a.balance,
      storageRoot: EMPTY_TRIE_ROOT,
      codeHash: KECCAK_EMPTY,
    })
    if (a.code && a.code.length > 0) await state.putCode(addr, a.code)
    for (const [k, v] of a.storage ?? []) await state.putStorage(addr, k, v)
  }
  const nodes: [Uint8Array, Uint8Array][] = []
  const sink: NodeSink = (h, rlp) => {
    nodes.push([h, rlp])
  }
  const { stateRoot, code } = await state.commitToStore(sink)
  const forks = forksAt(spec, g.timestamp)
  const header: BlockHeader = {
    parentHash: new Uint8Array(32),
    ommersHash: EMPTY_OMMERS_HASH,
    coinbase: g.coinbase,
    stateRoot,
    transactionsRoot: EMPTY_TRIE_ROOT,
    receiptsRoot: EMPTY_TRIE_ROOT,
    logsBloom: new Uint8Array(256),
    difficulty: g.difficulty,
    number: 0n,
    gasLimit: g.gasLimit,
    gasUsed: 0n,
    timestamp: g.timestamp,
    extraData: g.extraData,
    mixHash: g.mixHash,
    nonce: g.nonce,
    baseFeePerGas: g.baseFeePerGas,
    ...(forks.canyon ? { withdrawalsRoot: EMPTY_TRIE_ROOT } : {}),
    ...(forks.ecotone ? { blobGasUsed: 0n, excessBlobGas: 0n, parentBeaconBlockRoot: new Uint8Array(32) } : {}),
  }
  return { block: { header, hash: hashHeader(header), transactions: [] }, nodes, code }
}

type StateDBStore = ConstructorParameters<typeof StateDB>[0]

/**
 * Writes the genesis block and points every head at it, or checks that an existing database holds this
 * genesis (a different one is a configuration error, never silently overwritten).
 */
export async function initGenesis(store: ChainStore, spec: ChainSpec, g: GenesisState): Promise<Block> {
  const existing = await store.getCanonicalHash(0n)
  const built = await buildGenesis(spec, g, store)
  if (existing) {
    if (!bytesEqual(existing, built.block.hash)) {
      throw new EngineError('the database holds a different genesis block', {
        database: `0x${Buffer.from(existing).toString('hex')}`,
        config: `0x${Buffer.from(built.block.hash).toString('hex')}`,
      })
    }
    return built.block
  }
  await store.writeBlock(built.block, [], built.nodes, built.code)
  await store.setHeads(built.block, { unsafe: built.block.hash, safe: built.block.hash, finalized: built.block.hash })
  return built.block
}
