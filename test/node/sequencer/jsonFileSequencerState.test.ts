import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { JsonFileSequencerState } from '../../../node/sequencer/jsonFileSequencerState.ts'

// op-node's sequencer state file (ActiveConfigPersistence): {"sequencerStarted": bool}, replaced atomically.

const dir = mkdtempSync(join(tmpdir(), 'oln-seq-file-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('JsonFileSequencerState', () => {
  it('reads unset without a file, then what was saved, in op-node format, leaving no temp file', async () => {
    const file = join(dir, 'state.json')
    const s = new JsonFileSequencerState(file)
    expect(await s.load()).toBe('unset')
    await s.save(true)
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ sequencerStarted: true })
    expect(await new JsonFileSequencerState(file).load()).toBe('started')
    await s.save(false)
    expect(await s.load()).toBe('stopped')
    expect(existsSync(`${file}.tmp`)).toBe(false)
  })

  it('refuses a corrupt file with an error that names it', async () => {
    for (const [name, text] of [
      ['garbage.json', '{not json'],
      ['wrong.json', '{"sequencerStarted":"yes"}'],
    ] as const) {
      const file = join(dir, name)
      writeFileSync(file, text)
      await expect(new JsonFileSequencerState(file).load()).rejects.toMatchObject({
        code: 'SEQUENCER_STATE_FILE_INVALID',
        message: expect.stringContaining(file),
      })
    }
  })
})
