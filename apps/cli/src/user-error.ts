// Errors a user can cause and fix (missing file, daemon down, bad token, unknown id). main.ts
// prints their message as one line; anything else is a bug, whose stack --verbose shows.
import { stripVTControlCharacters } from 'node:util'
import { ApiError, DaemonUnreachableError } from '@defs/client'

/** A condition the user can fix; the message says what and, when useful, how. */
export class UserError extends Error {
  override name = 'UserError'
}

// The daemon's refusals (ApiError, by the name the daemon gave) and an unreachable daemon are the
// shared client's classes: the CLI tells them apart as any client of the API does.
export { ApiError, DaemonUnreachableError }

/** Names of errors whose message is already the one line a user should read. */
const userFacing = new Set([
  'UserError',
  'DaemonUnreachableError',
  'CLIError',
  'FlagError',
  'TokenFileError',
  'DaemonConfigError',
  'ApiPortInUseError',
  'DirectoryLockedError',
  'InvalidOptionError'
])

/** True for an error the user caused; false for one that is a bug (stack worth reporting). */
export function isUserError(err: unknown): boolean {
  return err instanceof ApiError || userFacing.has((err as Error)?.name)
}

/** The one line the user reads, without the `defs: ` prefix. */
export function describeError(err: unknown): string {
  return firstLine(describe(err))
}

function describe(err: unknown): string {
  if (err instanceof ApiError) {
    switch (err.name) {
      case 'TooFewShardsError':
        return `too many shards are lost to recover the file: ${err.message}`
      case 'NotEnoughPeersError':
        return `not enough peers: ${err.message}`
      case 'QuotaExceededError':
        return `storage is full: ${err.message}`
      default:
        return err.message
    }
  }
  const e = err as Error
  if (typeof e?.message !== 'string') return String(err)
  return isUserError(err) ? e.message : `${e.name}: ${e.message}`
}

/** One line, whatever a library put in its message (libp2p's carry stacks and causes). */
function firstLine(text: string): string {
  return stripVTControlCharacters(text).split('\n')[0]!.trim()
}
