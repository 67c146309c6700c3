// The daemon's log: one JSON object per line in `<logDir>/daemon.log`, so an operator can grep
// it and a log shipper can parse it. Writes never block a request; a failing disk loses lines,
// not the daemon.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs'
import { join } from 'node:path'

export interface DaemonLog {
  info(event: string, fields?: Record<string, unknown>): void
  error(event: string, err: unknown, fields?: Record<string, unknown>): void
  close(): Promise<void>
}

export function openDaemonLog(logDir: string): DaemonLog {
  mkdirSync(logDir, { recursive: true, mode: 0o700 })
  const out: WriteStream = createWriteStream(join(logDir, 'daemon.log'), { flags: 'a', mode: 0o600 })
  out.on('error', () => {})
  const write = (level: string, event: string, fields: Record<string, unknown>) => {
    if (out.writableEnded) return
    out.write(`${JSON.stringify({ time: new Date().toISOString(), level, event, ...fields })}\n`)
  }
  return {
    info: (event, fields = {}) => write('info', event, fields),
    error: (event, err, fields = {}) => {
      const e = err as Error
      write('error', event, { ...fields, error: { name: e?.name, message: e?.message, stack: e?.stack } })
    },
    close: () => new Promise((resolve) => out.end(resolve))
  }
}

/** A log that drops everything (library use without a log directory). */
export const silentLog: DaemonLog = { info() {}, error() {}, close: async () => {} }
