import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseRollupConfig } from '../../config/rollupConfig.ts'

const real = JSON.parse(
  readFileSync(new URL('../fixtures/opstack/config/devnet-901-rollup.json', import.meta.url), 'utf8'),
)

describe('rollup.json (op-node format)', () => {
  it('parses the real op-node devnet-901 rollup.json', () => {
    const c = parseRollupConfig(real)
    expect(c.l2_chain_id).toBe(901)
    expect(c.l1_chain_id).toBe(900)
    expect(c.block_time).toBe(real.block_time)
    expect(c.fjord_time).toBe(0)
    expect(c.genesis.system_config.batcherAddr).toBe(real.genesis.system_config.batcherAddr)
  })

  const bad: [string, (j: Record<string, unknown>) => void, RegExp][] = [
    [
      'genesis.l2.hash',
      (j) => ((j.genesis as { l2: { hash: string } }).l2.hash = '0x12'),
      /genesis\.l2\.hash.*32 bytes/,
    ],
    ['block_time', (j) => delete j.block_time, /'block_time': is missing/],
    ['block_time', (j) => (j.block_time = '2'), /'block_time': must be an integer/],
    ['batch_inbox_address', (j) => (j.batch_inbox_address = 'nope'), /batch_inbox_address.*20 bytes/],
    [
      'canyon_time',
      (j) => {
        j.regolith_time = 10
        j.canyon_time = 5
      },
      /canyon_time.*earlier than regolith_time/,
    ],
    [
      'alt_da',
      (j) => (j.alt_da = { da_commitment_type: 'KeccakCommitment', da_challenge_window: 1, da_resolve_window: 1 }),
      /da_challenge_contract_address.*required/,
    ],
    ['l2_chain_id', (j) => (j.l2_chain_id = 900), /l2_chain_id.*differ/],
    [
      'genesis.system_config',
      (j) => delete (j.genesis as Record<string, unknown>).system_config,
      /genesis\.system_config.*object/,
    ],
  ]
  for (const [field, mutate, msg] of bad) {
    it(`rejects a bad ${field} naming it`, () => {
      const j = structuredClone(real)
      mutate(j)
      expect(() => parseRollupConfig(j)).toThrowError(msg)
    })
  }
})
