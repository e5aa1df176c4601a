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

describe('oln batch decode', () => {
  it('decodes the real OP Mainnet batcher transaction into its frame, channel and span batch', () => {
    const file = new URL('../../fixtures/opstack/batcher/op-mainnet-batcher-tx.bin', import.meta.url).pathname
    const out = JSON.parse(execFileSync(process.execPath, [bin, 'batch', 'decode', file], { encoding: 'utf8' }))
    expect(out.tx.hash).toBe('0xe69d94330faafb4f716f7ad9b3b50ea8ff5ce57aea6d2f8be07afb7fe49cd6cf')
    expect(out.tx.from).toBe('0x6887246668a3b87f54deb3b94ba47a6f63f32985')
    expect(out.dataLength).toBe(119_823)
    expect(out.frames).toEqual([
      { channelId: 'ac329933f5efdcc35ccd284232a376d3', frameNumber: 0, dataLength: 119_799, isLast: true },
    ])
    const ch = out.channels[0]
    expect(ch.decompressedLength).toBe(240_308)
    expect(ch.batches).toHaveLength(1)
    expect(ch.batches[0]).toMatchObject({
      type: 'span',
      blockCount: 27,
      txCount: 209,
      relTimestamp: 24_269_254,
      l1OriginNum: 19_426_585,
    })
  })

  it('reports malformed data instead of failing, and decodes an EigenDA commitment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oln-bd-'))
    try {
      writeFileSync(join(dir, 'bad.hex'), '0x00deadbeef')
      const bad = JSON.parse(
        execFileSync(process.execPath, [bin, 'batch', 'decode', join(dir, 'bad.hex')], { encoding: 'utf8' }),
      )
      expect(bad.error).toMatch(/invalid frames/)
      const v3 = JSON.parse(
        readFileSync(new URL('../../fixtures/eigenda/hokulea_sepolia_v3_certs.json', import.meta.url), 'utf8'),
      )
      const calldata = v3.vectors[0].batcher_inbox_calldata as string
      writeFileSync(join(dir, 'altda.hex'), calldata)
      const alt = JSON.parse(
        execFileSync(process.execPath, [bin, 'batch', 'decode', join(dir, 'altda.hex')], { encoding: 'utf8' }),
      )
      expect(alt.altDA).toEqual({ type: 'eigenda', certVersion: 2 })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
