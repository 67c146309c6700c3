// The daemon's log: pino's JSON lines (one object per line, for grep and log shippers), written
// by pino-roll into <logDir>/daemon.N.log, a new file past 10 MB, the 5 newest kept besides the
// current one; <logDir>/current.log links to the one being written. A failing disk loses lines,
// not the daemon.

import type { EventEmitter } from 'node:events'
import { mkdir } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pino } from 'pino'

interface RollOptions {
  file: string
  size: string
  extension: string
  symlink: boolean
  mode: number
  limit: { count: number }
}

/** What pino-roll returns (a sonic-boom stream), as far as the log uses it. */
interface RollStream extends EventEmitter {
  write(line: string): boolean
  end(): void
}

// pino-roll ships no types; this is the one function of it the log calls.
const roll = createRequire(import.meta.url)('pino-roll') as (options: RollOptions) => Promise<RollStream>

export interface DaemonLog {
  /** The file being written (a link that follows the rotation), or undefined when silent. */
  readonly path?: string
  info(event: string, fields?: Record<string, unknown>): void
  error(event: string, err: unknown, fields?: Record<string, unknown>): void
  close(): Promise<void>
}

/** Past this a log file is rotated; the newest `keptFiles` rotated ones stay. */
const rotateSize = '10m'
const keptFiles = 5

/** `<logDir>/current.log`: where the log is, whatever the rotation has reached. */
export function daemonLogPath(logDir: string): string {
  return join(logDir, 'current.log')
}

export async function openDaemonLog(logDir: string): Promise<DaemonLog> {
  // Made here, owner-only: pino-roll links current.log before its own mkdir has run.
  await mkdir(logDir, { recursive: true, mode: 0o700 })
  const stream = await roll({
    file: join(logDir, 'daemon'),
    extension: '.log',
    size: rotateSize,
    limit: { count: keptFiles },
    symlink: true,
    mode: 0o600
  })
  stream.on('error', () => {})
  const logger = pino({ base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, stream)
  let closed = false
  return {
    path: daemonLogPath(logDir),
    info: (event, fields = {}) => {
      if (!closed) logger.info({ event, ...fields })
    },
    error: (event, err, fields = {}) => {
      if (!closed) logger.error({ event, ...fields, err })
    },
    close: () => {
      if (closed) return Promise.resolve()
      closed = true
      return new Promise((resolve) => {
        stream.once('close', () => resolve())
        stream.once('error', () => resolve())
        stream.end()
      })
    }
  }
}

/** A log that drops everything (library use without a log directory). */
export const silentLog: DaemonLog = { info() {}, error() {}, close: async () => {} }
