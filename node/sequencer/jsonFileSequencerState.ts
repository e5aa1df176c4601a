import { readFile, rename, writeFile } from 'node:fs/promises'
import { NodeError } from '../../config/errors.ts'
import type { SequencerRunState, SequencerStateStore } from '../../sequencer/sequencerState.ts'

// op-node ActiveConfigPersistence: `{"sequencerStarted": bool}` in a small JSON file, replaced atomically (write
// a temp file, then rename) so a crash never leaves half a file. A missing file means the state was never set.

export class JsonFileSequencerState implements SequencerStateStore {
  constructor(readonly path: string) {}

  async load(): Promise<SequencerRunState> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'unset'
      throw err
    }
    let parsed: { sequencerStarted?: unknown } | undefined
    try {
      parsed = JSON.parse(text) as { sequencerStarted?: unknown }
    } catch {}
    if (typeof parsed?.sequencerStarted !== 'boolean') {
      throw new NodeError(
        'SEQUENCER_STATE_FILE_INVALID',
        `sequencer state file ${this.path} has no boolean 'sequencerStarted': fix or delete it`,
        { path: this.path },
      )
    }
    return parsed.sequencerStarted ? 'started' : 'stopped'
  }

  async save(active: boolean): Promise<void> {
    const tmp = `${this.path}.tmp`
    await writeFile(tmp, `${JSON.stringify({ sequencerStarted: active })}\n`, { flush: true })
    await rename(tmp, this.path)
  }
}
