import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { type CommandSpec, envName } from '../../config/cli.ts'
import { daServerCommand } from '../../node/cli/daServerCommand.ts'
import { deployCommand } from '../../node/cli/deployCommand.ts'
import { nodeCommand } from '../../node/cli/nodeCommand.ts'

// docker/compose.yml runs the devnet topology with the same CLI as `npm run devnet`: every flag and OLN_*
// variable it passes must exist on the command it runs, so the file cannot drift from the code. Where Debian's
// docker-compose is installed, the file is also validated by it (`docker-compose config`).

const file = new URL('../../docker/compose.yml', import.meta.url)
const text = readFileSync(file, 'utf8')
const commands: Record<string, CommandSpec> = {
  node: nodeCommand,
  deploy: deployCommand,
  'da-server': daServerCommand,
}

/** The text of each service under `services:` (two-space indented keys). */
function services(): Map<string, string> {
  const body = text.slice(text.indexOf('\nservices:\n'), text.indexOf('\nvolumes:'))
  const out = new Map<string, string>()
  const parts = body.split(/\n {2}([a-z][a-z0-9-]*):\n/)
  for (let i = 1; i < parts.length; i += 2) out.set(parts[i] as string, parts[i + 1] as string)
  return out
}

function commandOf(svc: string): string | undefined {
  const inline = svc.match(/command: \["([a-z-]+)"/)
  if (inline) return inline[1]
  const list = svc.match(/command:\n\s+- ([a-z-]+)\n/)
  return list?.[1]
}

describe('docker/compose.yml', () => {
  it('runs L1, deployer, DA server, sequencer and verifier', () => {
    expect([...services().keys()]).toEqual(['l1', 'deploy', 'da', 'sequencer', 'verifier'])
    expect(services().get('l1')).toContain('entrypoint: ["anvil"]')
  })

  it('passes only flags and OLN_* variables the oln commands define', () => {
    let checked = 0
    for (const [name, svc] of services()) {
      if (name === 'l1') continue
      const cmd = commandOf(svc)
      const spec = cmd ? commands[cmd] : undefined
      expect(spec, `service ${name} runs a known oln command`).toBeDefined()
      if (!spec) continue
      const flagNames = new Set(spec.flags.map((f) => f.name))
      for (const m of svc.matchAll(/["\s]--([a-z0-9.-]+)/g)) {
        expect(flagNames.has(m[1] as string), `${name}: --${m[1]} is a flag of 'oln ${spec.name}'`).toBe(true)
        checked++
      }
      const envs = new Set(spec.flags.map((f) => envName(f)))
      for (const m of svc.matchAll(/^\s+(OLN_[A-Z0-9_]+):/gm)) {
        expect(envs.has(m[1] as string), `${name}: ${m[1]} is an env twin of 'oln ${spec.name}'`).toBe(true)
        checked++
      }
    }
    expect(checked).toBeGreaterThan(20)
  })

  it('is valid for docker-compose where it is installed', () => {
    const probe = spawnSync('docker-compose', ['version'], { encoding: 'utf8' })
    if (probe.error || probe.status !== 0) return // not installed on this machine: the flag checks above still ran
    execFileSync('docker-compose', ['-f', file.pathname, 'config', '--quiet'], { stdio: 'pipe' })
  })
})
