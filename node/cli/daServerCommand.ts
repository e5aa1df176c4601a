import { resolve } from 'node:path'
import type { CommandSpec } from '../../config/cli.ts'
import { ConfigError, errorMessage } from '../../config/errors.ts'
import { createLogger, LOG_LEVELS, type LogLevel } from '../../config/logger.ts'
import { DAServer, DEFAULT_MAX_BLOB_SIZE_BYTES } from '../../da-eigen/server/daServer.ts'
import { waitForSignal } from './nodeCommand.ts'

// `oln da-server`: the local EigenDA-proxy-compatible DA server (LevelDB-persisted memstore semantics) as a
// standalone process. Prints `da-server listening on <url>` on stdout once bound (so `--port 0` is usable by
// scripts), and stops cleanly on SIGINT/SIGTERM.

export const daServerCommand: CommandSpec = {
  name: 'da-server',
  summary: 'Run a local EigenDA-proxy-compatible DA server (POST /put, GET /get/0x<commitment>) backed by LevelDB',
  flags: [
    { name: 'dir', type: 'path', description: 'LevelDB directory for blobs', default: './.oln-da' },
    { name: 'addr', type: 'string', description: 'listen address', default: '127.0.0.1' },
    { name: 'port', type: 'int', description: 'listen port (0 = any free port)', default: 3100 },
    {
      name: 'expiration',
      type: 'duration',
      description: 'drop blobs this long after their put, e.g. 25m (0 = never)',
      default: 0,
    },
    {
      name: 'max-blob-size',
      type: 'int',
      description: 'largest encoded blob accepted, in bytes',
      default: DEFAULT_MAX_BLOB_SIZE_BYTES,
    },
    { name: 'log.level', type: 'enum', choices: LOG_LEVELS, description: 'log level', default: 'info' },
  ],
  async run(v) {
    const port = v.port as number
    if (port < 0 || port > 65535) throw new ConfigError('port', `must be 0..65535, got ${port}`)
    const maxBlobSize = v['max-blob-size'] as number
    if (maxBlobSize <= 0) throw new ConfigError('max-blob-size', `must be positive, got ${maxBlobSize}`)
    const log = createLogger({ level: v['log.level'] as LogLevel, name: 'oln' })
    const server = new DAServer({
      dir: resolve(v.dir as string),
      host: v.addr as string,
      port,
      expirationMs: v.expiration as number,
      maxBlobSizeBytes: maxBlobSize,
      logger: log,
    })
    let url: string
    try {
      url = (await server.start()).url
    } catch (err) {
      await server.close()
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
        const field = code === 'EADDRNOTAVAIL' ? 'addr' : 'port'
        throw new ConfigError(field, `cannot listen on ${v.addr as string}:${port}: ${errorMessage(err)}`)
      }
      throw err
    }
    console.log(`da-server listening on ${url}`)
    await waitForSignal()
    log.info('Shutting down')
    await server.close()
  },
}
