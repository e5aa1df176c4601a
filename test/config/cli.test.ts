import { describe, expect, it } from 'vitest'
import { type CommandSpec, envName, formatHelp, parseFlags } from '../../config/cli.ts'
import { ConfigError } from '../../config/errors.ts'

const spec: CommandSpec = {
  name: 'demo',
  summary: 'a demo command',
  flags: [
    { name: 'l1.rpc', type: 'url', description: 'L1 RPC', required: true },
    { name: 'rpc.port', type: 'int', description: 'port', default: 8545 },
    { name: 'sequencer', type: 'bool', description: 'run as sequencer', default: false },
    { name: 'log.level', type: 'enum', description: 'level', choices: ['info', 'debug'], default: 'info' },
    { name: 'timeout', type: 'duration', description: 'timeout', default: 1000 },
  ],
  run: () => undefined,
}

describe('flag parsing with env twins', () => {
  it('derives the environment variable name from the flag', () => {
    expect(envName(spec.flags[0]!)).toBe('OLN_L1_RPC')
    expect(envName(spec.flags[1]!)).toBe('OLN_RPC_PORT')
  })

  it('takes argv over env over defaults', () => {
    const env = { OLN_L1_RPC: 'http://127.0.0.1:8545', OLN_RPC_PORT: '9000' }
    const p = parseFlags(spec, ['--rpc.port=9100', '--sequencer', '--timeout', '2s'], env)
    expect(p.values).toMatchObject({
      'l1.rpc': 'http://127.0.0.1:8545',
      'rpc.port': 9100,
      sequencer: true,
      timeout: 2000,
    })
    expect(parseFlags(spec, [], env).values['rpc.port']).toBe(9000)
  })

  it('names the bad field and why', () => {
    expect(() => parseFlags(spec, ['--rpc.port', 'abc'], { OLN_L1_RPC: 'http://x' })).toThrowError(
      /invalid config field 'rpc.port': must be an integer/,
    )
    expect(() => parseFlags(spec, [], {})).toThrowError(ConfigError)
    expect(() => parseFlags(spec, [], {})).toThrowError(/'l1.rpc': is required .*OLN_L1_RPC/)
    expect(() => parseFlags(spec, ['--log.level', 'loud'], { OLN_L1_RPC: 'http://x' })).toThrowError(
      /one of info, debug/,
    )
    expect(() => parseFlags(spec, ['--nope'], { OLN_L1_RPC: 'http://x' })).toThrowError(/unknown flag/)
    expect(() => parseFlags(spec, ['--l1.rpc', 'ftp://x'], {})).toThrowError(/http\(s\) or ws\(s\) URL/)
  })

  it('renders help listing every flag with its env twin', () => {
    const help = formatHelp(spec)
    for (const f of spec.flags) expect(help).toContain(`$${envName(f)}`)
  })
})
