import type { CommandSpec } from '../../config/cli.ts'
import { genesisCommand } from './genesisCommand.ts'

// Every subcommand of `oln`. Each lives in its own module and is registered here.
export const commands: CommandSpec[] = [genesisCommand]
