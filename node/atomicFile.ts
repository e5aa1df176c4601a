import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

// Files other processes read while we write them (endpoints.json, chain files, key files): written to a temporary
// file and renamed into place, so a reader or a killed writer never sees a partial file.

export function writeFileAtomic(path: string, data: string, mode?: number): void {
  mkdirSync(dirname(path), { recursive: true })
  const tmp = `${path}.tmp`
  writeFileSync(tmp, data, mode === undefined ? undefined : { mode })
  renameSync(tmp, path)
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`)
}
