import { ConfigError } from './errors.ts'

// A small declarative flag layer: every flag has an environment twin (OLN_<FLAG_IN_UPPER_SNAKE>),
// a type, a default, and a description used for --help. Parsing fails with a ConfigError naming the flag.

export type FlagType = 'string' | 'int' | 'bool' | 'url' | 'path' | 'enum' | 'duration' | 'list'

export interface FlagSpec {
  name: string
  type: FlagType
  description: string
  default?: string | number | boolean | string[]
  required?: boolean
  choices?: readonly string[]
  /** Override the environment variable name (default: OLN_ + upper snake case of name). */
  env?: string
}

export interface CommandSpec<T = unknown> {
  name: string
  summary: string
  flags: readonly FlagSpec[]
  /** Positional arguments description for help, e.g. "<file>". */
  args?: string
  run(values: FlagValues, positionals: string[]): Promise<T> | T
}

export type FlagValue = string | number | boolean | string[] | undefined
export type FlagValues = Record<string, FlagValue>

export const ENV_PREFIX = 'OLN_'

export function envName(flag: FlagSpec): string {
  return flag.env ?? ENV_PREFIX + flag.name.replace(/[.-]/g, '_').toUpperCase()
}

function parseValue(flag: FlagSpec, raw: string, source: string): FlagValue {
  const bad = (why: string) => new ConfigError(flag.name, `${why} (from ${source}: ${JSON.stringify(raw)})`)
  switch (flag.type) {
    case 'string':
    case 'path':
      if (raw === '') throw bad('must not be empty')
      return raw
    case 'int': {
      if (!/^-?\d+$/.test(raw)) throw bad('must be an integer')
      const n = Number(raw)
      if (!Number.isSafeInteger(n)) throw bad('is out of range')
      return n
    }
    case 'duration': {
      // Accepts "500ms", "2s", "1m" or a bare number of milliseconds.
      const m = /^(\d+)(ms|s|m)?$/.exec(raw)
      if (!m) throw bad('must be a duration like 500ms, 2s or 1m')
      const n = Number(m[1])
      return m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n
    }
    case 'bool':
      if (['true', '1', 'yes', ''].includes(raw)) return true
      if (['false', '0', 'no'].includes(raw)) return false
      throw bad('must be true or false')
    case 'url':
      try {
        const u = new URL(raw)
        if (!/^(https?|wss?):$/.test(u.protocol)) throw new Error('protocol')
      } catch {
        throw bad('must be an http(s) or ws(s) URL')
      }
      return raw
    case 'enum':
      if (!flag.choices?.includes(raw)) throw bad(`must be one of ${flag.choices?.join(', ')}`)
      return raw
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
  }
}

export interface ParsedCommand {
  values: FlagValues
  positionals: string[]
  help: boolean
}

/** Parses argv for one command: flags (--name value | --name=value | --bool) override env twins, which override defaults. */
export function parseFlags(
  spec: CommandSpec,
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): ParsedCommand {
  const byName = new Map(spec.flags.map((f) => [f.name, f]))
  const values: FlagValues = {}
  const positionals: string[] = []
  const fromArgv = new Set<string>()
  let help = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '--help' || arg === '-h') {
      help = true
      continue
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg)
      continue
    }
    const eq = arg.indexOf('=')
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2)
    const flag = byName.get(name)
    if (!flag) throw new ConfigError(name, `unknown flag for '${spec.name}' (see 'oln ${spec.name} --help')`)
    let raw: string
    if (eq >= 0) raw = arg.slice(eq + 1)
    else if (flag.type === 'bool' && (argv[i + 1] === undefined || (argv[i + 1] as string).startsWith('--')))
      raw = 'true'
    else {
      const next = argv[i + 1]
      if (next === undefined) throw new ConfigError(name, 'needs a value')
      raw = next
      i++
    }
    values[name] = parseValue(flag, raw, `--${name}`)
    fromArgv.add(name)
  }
  for (const flag of spec.flags) {
    if (fromArgv.has(flag.name)) continue
    const e = env[envName(flag)]
    if (e !== undefined) values[flag.name] = parseValue(flag, e, `$${envName(flag)}`)
    else if (flag.default !== undefined) values[flag.name] = flag.default
  }
  if (!help) {
    for (const flag of spec.flags) {
      if (flag.required && values[flag.name] === undefined) {
        throw new ConfigError(flag.name, `is required (set --${flag.name} or $${envName(flag)})`)
      }
    }
  }
  return { values, positionals, help }
}

export function formatHelp(spec: CommandSpec): string {
  const lines = [`oln ${spec.name}${spec.args ? ` ${spec.args}` : ''}`, '', `  ${spec.summary}`, '']
  if (spec.flags.length > 0) {
    lines.push('Flags (each also settable through its environment variable):')
    for (const f of spec.flags) {
      const def =
        f.default !== undefined
          ? ` (default: ${Array.isArray(f.default) ? f.default.join(',') : String(f.default)})`
          : ''
      const req = f.required ? ' (required)' : ''
      const choices = f.choices ? ` [${f.choices.join('|')}]` : ''
      lines.push(`  --${f.name} <${f.type}>${choices}  $${envName(f)}`)
      lines.push(`      ${f.description}${def}${req}`)
    }
  }
  return lines.join('\n')
}
