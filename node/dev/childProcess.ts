import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { createInterface } from 'node:readline'

// Runs one devnet component as its own OS process (the devnet's sequencer, verifier and DA server are separate
// processes, like the compose topology): output goes to a log file, readiness is a line on stdout matching
// `ready`, and stop() is SIGTERM with a SIGKILL fallback so Ctrl-C never leaves orphans.

export interface ChildOptions {
  name: string
  command: string
  args: readonly string[]
  env?: NodeJS.ProcessEnv
  /** A stdout line matching this marks the process ready; its match is returned. */
  ready: RegExp
  logFile: string
  readyTimeoutMs?: number
}

export interface RunningChild {
  name: string
  pid: number
  match: RegExpMatchArray
  /** Resolves when the process exits, with its exit code (null when killed by a signal). */
  exited: Promise<number | null>
  stop(graceMs?: number): Promise<void>
}

export class ChildStartError extends Error {}

export async function startChild(o: ChildOptions): Promise<RunningChild> {
  mkdirSync(dirname(o.logFile), { recursive: true })
  const log = createWriteStream(o.logFile, { flags: 'a' })
  const proc: ChildProcess = spawn(o.command, [...o.args], {
    env: { ...process.env, ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
  proc.stderr?.pipe(log, { end: false })
  const tail: string[] = []
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new ChildStartError(`${o.name} not ready after ${o.readyTimeoutMs ?? 60_000} ms; see ${o.logFile}`)),
      o.readyTimeoutMs ?? 60_000,
    )
    const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream })
    lines.on('line', (line) => {
      log.write(`${line}\n`)
      tail.push(line)
      if (tail.length > 20) tail.shift()
      const m = line.match(o.ready)
      if (m) {
        clearTimeout(timer)
        resolve(m)
      }
    })
    void exited.then((code) => {
      clearTimeout(timer)
      reject(
        new ChildStartError(`${o.name} exited with ${code} before it was ready; see ${o.logFile}\n${tail.join('\n')}`),
      )
    })
  }).catch(async (err) => {
    proc.kill('SIGKILL')
    await exited
    log.end()
    throw err
  })
  const stop = async (graceMs = 15_000): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM')
      const t = setTimeout(() => proc.kill('SIGKILL'), graceMs)
      await exited
      clearTimeout(t)
    }
    log.end()
  }
  return { name: o.name, pid: proc.pid ?? -1, match, exited, stop }
}
