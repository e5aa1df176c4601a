import { type CommandSpec, formatHelp, parseFlags } from '../../config/cli.ts'
import { ConfigError, errorMessage } from '../../config/errors.ts'
import { commands } from './commands.ts'

export const VERSION = '0.1.0'

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length))
  return [
    `oln ${VERSION}: an OP Stack rollup node in TypeScript`,
    '',
    'Usage: oln <command> [flags]      (oln <command> --help for its flags)',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join('\n')
}

export async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage())
    return
  }
  if (name === '--version' || name === 'version') {
    console.log(VERSION)
    return
  }
  const cmd: CommandSpec | undefined = commands.find((c) => c.name === name)
  if (!cmd) {
    console.error(`unknown command '${name}'\n\n${usage()}`)
    process.exitCode = 2
    return
  }
  try {
    const parsed = parseFlags(cmd, rest)
    if (parsed.help) {
      console.log(formatHelp(cmd))
      return
    }
    await cmd.run(parsed.values, parsed.positionals)
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`error: ${err.message}`)
      process.exitCode = 2
      return
    }
    console.error(`error: ${errorMessage(err)}`)
    process.exitCode = 1
  }
}
