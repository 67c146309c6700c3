// Every error a node raises, one class per condition, told apart by `name` (never by message
// text). The daemon maps each to an HTTP status in one table, checked against this module's
// exports by a test. Errors of the lower packages that reach users (TooFewShardsError,
// AuthenticationError, ShardCorruptError, QuotaExceededError...) keep their own classes and are
// re-exported by index.ts.

// The file ref's format is @defs/segment's (a browser reader parses it too).
export { InvalidFileRefError } from '@defs/segment'

/** An option of createNode (or of a request) outside its range; `option` names it. */
export class InvalidOptionError extends RangeError {
  static override name = 'InvalidOptionError'
  override name = 'InvalidOptionError'
  readonly option: string
  constructor(option: string, message: string) {
    super(`option ${option} ${message}`)
    this.option = option
  }
}

/** A file cannot be cut as asked (too large for its slice limits, an impossible code). */
export class LayoutError extends RangeError {
  static override name = 'LayoutError'
  override name = 'LayoutError'
}

/** The network has fewer peers than the code asked for ("rs-proportion 10+4 needs 14 peers, the network has 6"). */
export class NotEnoughPeersError extends Error {
  static override name = 'NotEnoughPeersError'
  override name = 'NotEnoughPeersError'
  readonly needed: number
  readonly available: number
  constructor(message: string, needed: number, available: number) {
    super(message)
    this.needed = needed
    this.available = available
  }
}

/** `file` mode stores one slice: the size must be known and at most maxSliceSize. */
export class FileModeSizeError extends Error {
  static override name = 'FileModeSizeError'
  override name = 'FileModeSizeError'
}

/** Too few shards of a slice match their ids to open it; `corrupt` lists the shard indices that did not. */
export class ShardIdMismatchError extends Error {
  static override name = 'ShardIdMismatchError'
  override name = 'ShardIdMismatchError'
  readonly corrupt: number[]
  constructor(message: string, corrupt: number[]) {
    super(message)
    this.corrupt = corrupt
  }
}

/** The slice pool was closed (or a worker died) while work was pending. */
export class PoolClosedError extends Error {
  static override name = 'PoolClosedError'
  override name = 'PoolClosedError'
}

/** A shard could not be placed: every peer tried refused it or could not be reached. */
export class PlacementError extends Error {
  static override name = 'PlacementError'
  override name = 'PlacementError'
}

export class FileNotFoundError extends Error {
  static override name = 'FileNotFoundError'
  override name = 'FileNotFoundError'
}

/** The node holds no key for the file and the ref carries none: a capability is needed. */
export class FileKeyMissingError extends Error {
  static override name = 'FileKeyMissingError'
  override name = 'FileKeyMissingError'
}

/** Only a file's owner may delete it. */
export class NotOwnerError extends Error {
  static override name = 'NotOwnerError'
  override name = 'NotOwnerError'
}

export class TaskNotFoundError extends Error {
  static override name = 'TaskNotFoundError'
  override name = 'TaskNotFoundError'
}

/** The task is in a state that does not allow the action (resume a done task, cancel a done one). */
export class TaskStateError extends Error {
  static override name = 'TaskStateError'
  override name = 'TaskStateError'
}

/** What `files.put`/`files.get` reject with when their task was paused instead of finishing. */
export class TaskPausedError extends Error {
  static override name = 'TaskPausedError'
  override name = 'TaskPausedError'
}

/** What `files.put`/`files.get` reject with when their task was cancelled. */
export class TaskCancelledError extends Error {
  static override name = 'TaskCancelledError'
  override name = 'TaskCancelledError'
}

/** An upload read from a stream that is gone (the node restarted), so it cannot resume. */
export class UploadNotResumableError extends Error {
  static override name = 'UploadNotResumableError'
  override name = 'UploadNotResumableError'
}

/** The node is in maintenance: background work and changes are refused until it is switched off. */
export class UnderMaintenanceError extends Error {
  static override name = 'UnderMaintenanceError'
  override name = 'UnderMaintenanceError'
  /** What refuses: the node is in maintenance mode (the HTTP body names it). */
  readonly mode = 'maintenance'
  /** Seconds after which a retry may succeed (the HTTP API's Retry-After). */
  readonly retryAfter: number
  /** When maintenance was switched on, ms since the epoch. */
  readonly since: number | undefined
  constructor(message: string, options: { retryAfter?: number; since?: number } = {}) {
    super(message)
    this.retryAfter = options.retryAfter ?? 60
    this.since = options.since
  }
}

/** The node is stopping (draining) or stopped: it takes no new work. */
export class NodeStoppingError extends Error {
  static override name = 'NodeStoppingError'
  override name = 'NodeStoppingError'
}

/** Another process runs a node on this directory. */
export class DirectoryLockedError extends Error {
  static override name = 'DirectoryLockedError'
  override name = 'DirectoryLockedError'
  readonly pid: number
  constructor(dir: string, pid: number) {
    super(`node directory ${dir} is in use by process ${pid}; stop it first or use another --dir`)
    this.pid = pid
  }
}

/** The node's config file cannot be used: written by a newer DeFS, or not a config. */
export class ConfigFileError extends Error {
  static override name = 'ConfigFileError'
  override name = 'ConfigFileError'
}

/** The directory is another node's (its identity file is not the node-id's), or a copy of a running one. */
export class DirectoryOwnerError extends Error {
  static override name = 'DirectoryOwnerError'
  override name = 'DirectoryOwnerError'
}

/** The directory holds data of a newer (or an unreadable) format: never guessed at. */
export class IncompatibleDataError extends Error {
  static override name = 'IncompatibleDataError'
  override name = 'IncompatibleDataError'
}

/** The node's identity (or user key) file is unreadable: never replaced silently. */
export class IdentityError extends Error {
  static override name = 'IdentityError'
  override name = 'IdentityError'
}

/** Thrown inside a runner at its next checkpoint when the task was paused; the queue catches it. */
export class TaskPausedSignal extends Error {
  static override name = 'TaskPausedSignal'
  override name = 'TaskPausedSignal'
}

/** Thrown inside a runner at its next checkpoint when the task was cancelled; the queue catches it. */
export class TaskCancelledSignal extends Error {
  static override name = 'TaskCancelledSignal'
  override name = 'TaskCancelledSignal'
}
