import type { CommandSpec } from '../../config/cli.ts'
import { batchDecodeCommand } from './batchDecodeCommand.ts'
import { daServerCommand } from './daServerCommand.ts'
import { deployCommand } from './deployCommand.ts'
import { devnetCommand } from './devnetCommand.ts'
import { genesisCommand } from './genesisCommand.ts'
import { nodeCommand } from './nodeCommand.ts'

// Every subcommand of `oln`. Each lives in its own module and is registered here.
export const commands: CommandSpec[] = [
  nodeCommand,
  devnetCommand,
  genesisCommand,
  batchDecodeCommand,
  daServerCommand,
  deployCommand,
]
