import { readFileSync } from 'node:fs'
import { ConfigError } from './errors.ts'

// op-node's rollup.json (op-node/rollup/types.go): snake_case keys, numbers as JSON numbers, system_config in
// camelCase. Every field is validated; a bad one is reported with its path.

export interface RollupConfig {
  genesis: {
    l1: { hash: string; number: number }
    l2: { hash: string; number: number }
    l2_time: number
    system_config: { batcherAddr: string; overhead: string; scalar: string; gasLimit: number; eip1559Params?: string }
  }
  block_time: number
  max_sequencer_drift: number
  seq_window_size: number
  channel_timeout: number
  l1_chain_id: number
  l2_chain_id: number
  regolith_time?: number
  canyon_time?: number
  delta_time?: number
  ecotone_time?: number
  fjord_time?: number
  granite_time?: number
  holocene_time?: number
  isthmus_time?: number
  interop_time?: number
  batch_inbox_address: string
  deposit_contract_address: string
  l1_system_config_address: string
  protocol_versions_address?: string
  alt_da?: {
    da_challenge_contract_address?: string
    da_commitment_type: 'KeccakCommitment' | 'GenericCommitment'
    da_challenge_window: number
    da_resolve_window: number
  }
  chain_op_config?: { eip1559Elasticity: number; eip1559Denominator: number; eip1559DenominatorCanyon: number }
}

export const FORK_KEYS = [
  'regolith_time',
  'canyon_time',
  'delta_time',
  'ecotone_time',
  'fjord_time',
  'granite_time',
  'holocene_time',
  'isthmus_time',
] as const

type Obj = Record<string, unknown>

function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(path, 'must be an object')
  return v as Obj
}

function num(o: Obj, k: string, path: string, opts: { min?: number; optional?: boolean } = {}): number | undefined {
  const v = o[k]
  const p = path ? `${path}.${k}` : k
  if (v === undefined || v === null) {
    if (opts.optional) return undefined
    throw new ConfigError(p, 'is missing')
  }
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new ConfigError(p, 'must be an integer (a JSON number)')
  if (opts.min !== undefined && v < opts.min) throw new ConfigError(p, `must be >= ${opts.min}`)
  return v
}

function hex(o: Obj, k: string, path: string, bytes: number, opts: { optional?: boolean } = {}): string | undefined {
  const v = o[k]
  const p = path ? `${path}.${k}` : k
  if (v === undefined || v === null) {
    if (opts.optional) return undefined
    throw new ConfigError(p, 'is missing')
  }
  if (typeof v !== 'string' || !new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`).test(v)) {
    throw new ConfigError(p, `must be 0x-prefixed hex of ${bytes} bytes`)
  }
  return v
}

export function parseRollupConfig(json: unknown): RollupConfig {
  const c = obj(json, 'rollup')
  const g = obj(c.genesis, 'genesis')
  const l1 = obj(g.l1, 'genesis.l1')
  const l2 = obj(g.l2, 'genesis.l2')
  const sc = obj(g.system_config, 'genesis.system_config')
  const out: RollupConfig = {
    genesis: {
      l1: {
        hash: hex(l1, 'hash', 'genesis.l1', 32) as string,
        number: num(l1, 'number', 'genesis.l1', { min: 0 }) as number,
      },
      l2: {
        hash: hex(l2, 'hash', 'genesis.l2', 32) as string,
        number: num(l2, 'number', 'genesis.l2', { min: 0 }) as number,
      },
      l2_time: num(g, 'l2_time', 'genesis', { min: 0 }) as number,
      system_config: {
        batcherAddr: hex(sc, 'batcherAddr', 'genesis.system_config', 20) as string,
        overhead: hex(sc, 'overhead', 'genesis.system_config', 32) as string,
        scalar: hex(sc, 'scalar', 'genesis.system_config', 32) as string,
        gasLimit: num(sc, 'gasLimit', 'genesis.system_config', { min: 1 }) as number,
      },
    },
    block_time: num(c, 'block_time', '', { min: 1 }) as number,
    max_sequencer_drift: num(c, 'max_sequencer_drift', '', { min: 0 }) as number,
    seq_window_size: num(c, 'seq_window_size', '', { min: 1 }) as number,
    channel_timeout: num(c, 'channel_timeout', '', { min: 1 }) as number,
    l1_chain_id: num(c, 'l1_chain_id', '', { min: 1 }) as number,
    l2_chain_id: num(c, 'l2_chain_id', '', { min: 1 }) as number,
    batch_inbox_address: hex(c, 'batch_inbox_address', '', 20) as string,
    deposit_contract_address: hex(c, 'deposit_contract_address', '', 20) as string,
    l1_system_config_address: hex(c, 'l1_system_config_address', '', 20) as string,
  }
  const eip = hex(sc, 'eip1559Params', 'genesis.system_config', 8, { optional: true })
  if (eip) out.genesis.system_config.eip1559Params = eip
  const pv = hex(c, 'protocol_versions_address', '', 20, { optional: true })
  if (pv) out.protocol_versions_address = pv
  let prev: number | undefined = 0
  let prevKey = 'genesis'
  for (const k of FORK_KEYS) {
    const v = num(c, k, '', { min: 0, optional: true })
    if (v === undefined) {
      prev = undefined
      prevKey = k
      continue
    }
    if (prev === undefined) throw new ConfigError(k, `is set but ${prevKey} is not: forks activate in order`)
    if (v < prev) throw new ConfigError(k, `must not be earlier than ${prevKey} (${prev})`)
    out[k] = v
    prev = v
    prevKey = k
  }
  if (out.l1_chain_id === out.l2_chain_id) throw new ConfigError('l2_chain_id', 'must differ from l1_chain_id')
  if (c.alt_da !== undefined && c.alt_da !== null) {
    const a = obj(c.alt_da, 'alt_da')
    const type = a.da_commitment_type
    if (type !== 'KeccakCommitment' && type !== 'GenericCommitment') {
      throw new ConfigError('alt_da.da_commitment_type', 'must be KeccakCommitment or GenericCommitment')
    }
    const challenge = hex(a, 'da_challenge_contract_address', 'alt_da', 20, { optional: true })
    const zero = !challenge || /^0x0{40}$/.test(challenge)
    if (type === 'KeccakCommitment' && zero)
      throw new ConfigError('alt_da.da_challenge_contract_address', 'is required for KeccakCommitment')
    if (type === 'GenericCommitment' && !zero)
      throw new ConfigError('alt_da.da_challenge_contract_address', 'must be unset for GenericCommitment')
    out.alt_da = {
      da_commitment_type: type,
      da_challenge_window: num(a, 'da_challenge_window', 'alt_da', { min: 0 }) as number,
      da_resolve_window: num(a, 'da_resolve_window', 'alt_da', { min: 0 }) as number,
      ...(challenge ? { da_challenge_contract_address: challenge } : {}),
    }
  }
  if (c.chain_op_config !== undefined && c.chain_op_config !== null) {
    const o = obj(c.chain_op_config, 'chain_op_config')
    out.chain_op_config = {
      eip1559Elasticity: num(o, 'eip1559Elasticity', 'chain_op_config', { min: 1 }) as number,
      eip1559Denominator: num(o, 'eip1559Denominator', 'chain_op_config', { min: 1 }) as number,
      eip1559DenominatorCanyon: num(o, 'eip1559DenominatorCanyon', 'chain_op_config', { min: 1 }) as number,
    }
  }
  return out
}

export function loadRollupConfig(path: string): RollupConfig {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new ConfigError('rollup', `cannot read ${path}: ${(err as Error).message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new ConfigError('rollup', `${path} is not valid JSON: ${(err as Error).message}`)
  }
  return parseRollupConfig(json)
}
