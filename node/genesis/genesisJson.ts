import { readFileSync } from 'node:fs'
import { ConfigError } from '../../config/errors.ts'
import type { RollupConfig } from '../../config/rollupConfig.ts'
import type { ChainSpec } from '../engine/chainSpec.ts'
import type { GenesisAccount, GenesisState } from '../engine/genesis.ts'

// op-geth's genesis.json: `config` (chain id, L1 forks at block 0, OP fork times, optimism EIP-1559 params),
// header fields and `alloc`. Written deterministically (addresses and slots sorted).

const hx = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`
const q = (n: bigint) => `0x${n.toString(16)}`

const FORKS: [keyof ChainSpec, string][] = [
  ['regolithTime', 'regolithTime'],
  ['canyonTime', 'canyonTime'],
  ['deltaTime', 'deltaTime'],
  ['ecotoneTime', 'ecotoneTime'],
  ['fjordTime', 'fjordTime'],
  ['graniteTime', 'graniteTime'],
  ['holoceneTime', 'holoceneTime'],
  ['isthmusTime', 'isthmusTime'],
]

export function genesisToJson(g: GenesisState, spec: ChainSpec): Record<string, unknown> {
  const config: Record<string, unknown> = { chainId: Number(spec.chainId) }
  for (const k of [
    'homesteadBlock',
    'eip150Block',
    'eip155Block',
    'eip158Block',
    'byzantiumBlock',
    'constantinopleBlock',
    'petersburgBlock',
    'istanbulBlock',
    'muirGlacierBlock',
    'berlinBlock',
    'londonBlock',
    'arrowGlacierBlock',
    'grayGlacierBlock',
    'mergeNetsplitBlock',
    'bedrockBlock',
  ]) {
    config[k] = 0
  }
  if (spec.canyonTime !== undefined) config.shanghaiTime = Number(spec.canyonTime)
  if (spec.ecotoneTime !== undefined) config.cancunTime = Number(spec.ecotoneTime)
  if (spec.isthmusTime !== undefined) config.pragueTime = Number(spec.isthmusTime)
  for (const [k, name] of FORKS) {
    const v = spec[k]
    if (v !== undefined) config[name] = Number(v)
  }
  config.terminalTotalDifficulty = 0
  config.terminalTotalDifficultyPassed = true
  config.optimism = {
    eip1559Elasticity: Number(spec.eip1559Elasticity),
    eip1559Denominator: Number(spec.eip1559Denominator),
    eip1559DenominatorCanyon: Number(spec.eip1559DenominatorCanyon),
  }
  const alloc: Record<string, unknown> = {}
  for (const a of [...g.alloc].sort((x, y) => Buffer.compare(Buffer.from(x.address), Buffer.from(y.address)))) {
    const entry: Record<string, unknown> = { balance: q(a.balance) }
    if (a.nonce) entry.nonce = q(a.nonce)
    if (a.code && a.code.length > 0) entry.code = hx(a.code)
    if (a.storage && a.storage.length > 0) {
      const st: Record<string, string> = {}
      for (const [k, v] of [...a.storage].sort((x, y) => Buffer.compare(Buffer.from(x[0]), Buffer.from(y[0])))) {
        const w = new Uint8Array(32)
        w.set(v, 32 - v.length)
        st[hx(k)] = hx(w)
      }
      entry.storage = st
    }
    alloc[hx(a.address).toLowerCase()] = entry
  }
  const forksAtGenesis = spec.ecotoneTime !== undefined && spec.ecotoneTime <= g.timestamp
  return {
    config,
    nonce: hx(g.nonce),
    timestamp: q(g.timestamp),
    extraData: hx(g.extraData),
    gasLimit: q(g.gasLimit),
    difficulty: q(g.difficulty),
    mixHash: hx(g.mixHash),
    coinbase: hx(g.coinbase),
    alloc,
    number: '0x0',
    gasUsed: '0x0',
    parentHash: `0x${'00'.repeat(32)}`,
    baseFeePerGas: q(g.baseFeePerGas),
    ...(forksAtGenesis ? { excessBlobGas: '0x0', blobGasUsed: '0x0' } : {}),
  }
}

type Obj = Record<string, unknown>

function field(o: Obj, k: string, path: string): unknown {
  const v = o[k]
  if (v === undefined || v === null) throw new ConfigError(`${path}${k}`, 'is missing')
  return v
}

function big(v: unknown, path: string): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v)
  if (typeof v === 'string' && /^0x[0-9a-fA-F]+$/.test(v)) return BigInt(v)
  if (typeof v === 'string' && /^\d+$/.test(v)) return BigInt(v)
  throw new ConfigError(path, 'must be a non-negative integer (number, decimal or 0x hex string)')
}

function bytes(v: unknown, path: string, len?: number): Uint8Array {
  if (typeof v !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(v))
    throw new ConfigError(path, 'must be 0x-prefixed hex bytes')
  const b = Buffer.from(v.slice(2), 'hex')
  if (len !== undefined && b.length !== len) throw new ConfigError(path, `must be ${len} bytes`)
  return b
}

export interface ParsedGenesis {
  state: GenesisState
  spec: ChainSpec
}

export function parseGenesisJson(json: unknown): ParsedGenesis {
  if (typeof json !== 'object' || json === null) throw new ConfigError('genesis', 'must be a JSON object')
  const g = json as Obj
  const config = field(g, 'config', '') as Obj
  if (typeof config !== 'object') throw new ConfigError('config', 'must be an object')
  const opt = config.optimism as Obj | undefined
  if (!opt || typeof opt !== 'object') throw new ConfigError('config.optimism', 'is missing: not an OP Stack genesis')
  const spec: ChainSpec = {
    chainId: big(field(config, 'chainId', 'config.'), 'config.chainId'),
    eip1559Elasticity: big(field(opt, 'eip1559Elasticity', 'config.optimism.'), 'config.optimism.eip1559Elasticity'),
    eip1559Denominator: big(field(opt, 'eip1559Denominator', 'config.optimism.'), 'config.optimism.eip1559Denominator'),
    eip1559DenominatorCanyon: big(
      field(opt, 'eip1559DenominatorCanyon', 'config.optimism.'),
      'config.optimism.eip1559DenominatorCanyon',
    ),
  }
  let prev: bigint | undefined = 0n
  for (const [k, name] of FORKS) {
    const v = config[name]
    if (v === undefined || v === null) {
      prev = undefined
      continue
    }
    const t = big(v, `config.${name}`)
    if (prev === undefined || t < prev) throw new ConfigError(`config.${name}`, 'forks must activate in order')
    ;(spec as unknown as Record<string, bigint>)[k] = t
    prev = t
  }
  if (spec.regolithTime === undefined)
    throw new ConfigError('config.regolithTime', 'is required: the engine implements Regolith+ rules only')
  if (spec.eip1559Elasticity === 0n || spec.eip1559Denominator === 0n || spec.eip1559DenominatorCanyon === 0n) {
    throw new ConfigError('config.optimism', 'EIP-1559 parameters must be non-zero')
  }
  const allocObj = field(g, 'alloc', '') as Obj
  if (typeof allocObj !== 'object') throw new ConfigError('alloc', 'must be an object')
  const alloc: GenesisAccount[] = []
  for (const [addr, raw] of Object.entries(allocObj)) {
    const p = `alloc.${addr}`
    const a = raw as Obj
    const address = bytes(addr.startsWith('0x') ? addr : `0x${addr}`, p, 20)
    const acc: GenesisAccount = { address, balance: big(a.balance ?? '0x0', `${p}.balance`) }
    if (a.nonce !== undefined) acc.nonce = big(a.nonce, `${p}.nonce`)
    if (a.code !== undefined) acc.code = bytes(a.code, `${p}.code`)
    if (a.storage !== undefined) {
      acc.storage = Object.entries(a.storage as Obj).map(([k, v]) => {
        const key = bytes(k, `${p}.storage`)
        const slot = new Uint8Array(32)
        slot.set(key, 32 - key.length)
        return [slot, bytes(v, `${p}.storage.${k}`)]
      })
    }
    alloc.push(acc)
  }
  const state: GenesisState = {
    timestamp: big(field(g, 'timestamp', ''), 'timestamp'),
    gasLimit: big(field(g, 'gasLimit', ''), 'gasLimit'),
    baseFeePerGas: big(g.baseFeePerGas ?? '0x3b9aca00', 'baseFeePerGas'),
    extraData: bytes(g.extraData ?? '0x', 'extraData'),
    coinbase: bytes(g.coinbase ?? `0x${'00'.repeat(20)}`, 'coinbase', 20),
    mixHash: bytes(g.mixHash ?? `0x${'00'.repeat(32)}`, 'mixHash', 32),
    nonce: pad(bytes(g.nonce ?? '0x', 'nonce'), 8, 'nonce'),
    difficulty: big(g.difficulty ?? '0x0', 'difficulty'),
    alloc,
  }
  return { state, spec }
}

function pad(b: Uint8Array, len: number, path: string): Uint8Array {
  if (b.length > len) throw new ConfigError(path, `must be at most ${len} bytes`)
  const out = new Uint8Array(len)
  out.set(b, len - b.length)
  return out
}

export function loadGenesisJson(path: string): ParsedGenesis {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new ConfigError('genesis', `cannot read ${path}: ${(err as Error).message}`)
  }
  try {
    return parseGenesisJson(JSON.parse(text))
  } catch (err) {
    if (err instanceof SyntaxError) throw new ConfigError('genesis', `${path} is not valid JSON: ${err.message}`)
    throw err
  }
}

/** The checks op-node and op-geth would fail on when the two files do not describe the same chain. */
export function checkGenesisMatchesRollup(p: ParsedGenesis, rollup: RollupConfig, genesisHash: Uint8Array): void {
  if (p.spec.chainId !== BigInt(rollup.l2_chain_id))
    throw new ConfigError(
      'l2_chain_id',
      `rollup.json says ${rollup.l2_chain_id}, genesis config.chainId ${p.spec.chainId}`,
    )
  if (p.state.timestamp !== BigInt(rollup.genesis.l2_time))
    throw new ConfigError(
      'genesis.l2_time',
      `rollup.json says ${rollup.genesis.l2_time}, genesis timestamp ${p.state.timestamp}`,
    )
  if (p.state.gasLimit !== BigInt(rollup.genesis.system_config.gasLimit)) {
    throw new ConfigError(
      'genesis.system_config.gasLimit',
      `rollup.json says ${rollup.genesis.system_config.gasLimit}, genesis gasLimit ${p.state.gasLimit}`,
    )
  }
  const pairs: [keyof ChainSpec, keyof RollupConfig][] = [
    ['regolithTime', 'regolith_time'],
    ['canyonTime', 'canyon_time'],
    ['deltaTime', 'delta_time'],
    ['ecotoneTime', 'ecotone_time'],
    ['fjordTime', 'fjord_time'],
    ['graniteTime', 'granite_time'],
    ['holoceneTime', 'holocene_time'],
    ['isthmusTime', 'isthmus_time'],
  ]
  for (const [a, r] of pairs) {
    const gv = p.spec[a] as bigint | undefined
    const rv = rollup[r] as number | undefined
    if ((gv === undefined) !== (rv === undefined) || (gv !== undefined && gv !== BigInt(rv as number))) {
      throw new ConfigError(r, `rollup.json (${rv ?? 'unset'}) and genesis config.${a} (${gv ?? 'unset'}) differ`)
    }
  }
  const want = rollup.genesis.l2.hash.toLowerCase()
  const have = hx(genesisHash)
  if (want !== have)
    throw new ConfigError('genesis.l2.hash', `rollup.json says ${want} but genesis-l2.json produces ${have}`)
}
