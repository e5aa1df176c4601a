import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseRollupConfig } from '../../../config/rollupConfig.ts'
import { commands } from '../../../node/cli/commands.ts'
import { buildGenesis } from '../../../node/engine/genesis.ts'
import { MemoryStateStore } from '../../../node/engine/state/memoryStateStore.ts'
import { checkGenesisMatchesRollup, loadGenesisJson } from '../../../node/genesis/genesisJson.ts'

const bin = new URL('../../../bin/oln.js', import.meta.url).pathname

describe('oln CLI', () => {
  it('prints help for the tool and for every subcommand', () => {
    const top = execFileSync(process.execPath, [bin, '--help'], { encoding: 'utf8' })
    for (const c of commands) {
      expect(top).toContain(c.name)
      const help = execFileSync(process.execPath, [bin, c.name, '--help'], { encoding: 'utf8' })
      expect(help).toContain(`oln ${c.name}`)
      for (const f of c.flags) expect(help).toContain(`--${f.name}`)
    }
  })

  it('genesis l2 writes genesis-l2.json and rollup.json that load and agree', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oln-cli-'))
    try {
      writeFileSync(join(dir, 'deploy.json'), JSON.stringify({ l2ChainID: 4242, l1ChainID: 31337 }))
      const out = execFileSync(
        process.execPath,
        [
          bin,
          'genesis',
          'l2',
          '--deploy-config',
          join(dir, 'deploy.json'),
          '--l1.start-hash',
          `0x${'cd'.repeat(32)}`,
          '--l1.start-number',
          '7',
          '--l1.start-timestamp',
          '1700000100',
          '--outfile.l2',
          join(dir, 'genesis-l2.json'),
          '--outfile.rollup',
          join(dir, 'rollup.json'),
        ],
        { encoding: 'utf8' },
      )
      const summary = JSON.parse(out.trim().split('\n').at(-1) as string)
      const rollup = parseRollupConfig(JSON.parse(readFileSync(join(dir, 'rollup.json'), 'utf8')))
      expect(rollup.l2_chain_id).toBe(4242)
      expect(rollup.genesis.l1.number).toBe(7)
      expect(rollup.genesis.l2.hash).toBe(summary.l2GenesisHash)
      const g = loadGenesisJson(join(dir, 'genesis-l2.json'))
      const { block } = await buildGenesis(g.spec, g.state, new MemoryStateStore())
      checkGenesisMatchesRollup(g, rollup, block.hash)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('names the bad field and exits 2 on invalid input', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oln-cli-'))
    try {
      writeFileSync(join(dir, 'deploy.json'), JSON.stringify({ l2BlockTime: 0 }))
      const r = spawnSync(
        process.execPath,
        [
          bin,
          'genesis',
          'l2',
          '--deploy-config',
          join(dir, 'deploy.json'),
          '--l1.start-hash',
          `0x${'cd'.repeat(32)}`,
          '--l1.start-number',
          '1',
          '--l1.start-timestamp',
          '1',
        ],
        { encoding: 'utf8' },
      )
      expect(r.status).toBe(2)
      expect(r.stderr).toMatch(/invalid config field 'l2BlockTime'/)
      const r2 = spawnSync(process.execPath, [bin, 'genesis', 'l2'], {
        encoding: 'utf8',
        env: { ...process.env, OLN_DEPLOY_CONFIG: '' },
      })
      expect(r2.status).toBe(2)
      expect(r2.stderr).toMatch(/deploy-config/)
      const r3 = spawnSync(process.execPath, [bin, 'nope'], { encoding: 'utf8' })
      expect(r3.status).toBe(2)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
