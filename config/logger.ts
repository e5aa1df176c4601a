import { pino } from 'pino'

// Fixed log keys used across the node, so operators can filter on them:
//   module, l1 ({number, hash}), l2 ({number, hash}), safe, unsafe, finalized, channel, txHash, peer, err, durationMs.
// Messages are short static sentences; changing values go in the fields.
export type Logger = pino.Logger
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']

export interface LoggerOptions {
  level?: LogLevel
  /** Module name for the root logger; children add their own. */
  name?: string
  /** Write to this destination (default stdout). */
  destination?: pino.DestinationStream
}

function bigintSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString()
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString('hex')}`
  return value
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const options: pino.LoggerOptions = {
    level: opts.level ?? 'info',
    base: opts.name ? { module: opts.name } : {},
    redact: { paths: ['privateKey', '*.privateKey', 'jwtSecret'], censor: '[redacted]' },
    formatters: {
      log(obj) {
        const out: Record<string, unknown> = {}
        for (const [k, v] of Object.entries(obj)) out[k] = bigintSafe(v)
        return out
      },
    },
    serializers: { err: pino.stdSerializers.err },
  }
  return opts.destination ? pino(options, opts.destination) : pino(options)
}

/** A logger that drops everything; for tests and library defaults. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}
