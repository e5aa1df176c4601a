import { Writable } from 'node:stream'
import { pino } from 'pino'
import type { Logger } from '../../config/logger.ts'

/** A pino logger whose JSON lines are kept in `lines` (to assert that failures get logged). */
export function captureLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l))
      cb()
    },
  })
  return { logger: pino({ level: 'debug' }, stream), lines }
}
