// How a failure becomes an HTTP answer. Node errors are told apart by `name` (one class per
// condition across the packages), so the daemon needs none of their classes to map them.

/** A request the daemon refuses before doing any work: bad query, bad JSON, unknown route. */
export class HttpError extends Error {
  override name: string
  readonly status: number
  readonly headers: Record<string, string>
  constructor(status: number, name: string, message: string, headers: Record<string, string> = {}) {
    super(message)
    this.status = status
    this.name = name
    this.headers = headers
  }
}

export function badRequest(message: string): HttpError {
  return new HttpError(400, 'BadRequestError', message)
}

/**
 * Every error class @defs/node exports (its own and those it re-exports from the packages below)
 * has its status here; a test fails when one is missing. 500 marks what no request can cause.
 */
export const statusByName: Readonly<Record<string, number>> = {
  BadRequestError: 400,
  InvalidOptionError: 400,
  InvalidFileRefError: 400,
  LayoutError: 400,
  FileModeSizeError: 400,
  AuthenticationError: 403,
  FileKeyMissingError: 403,
  NotOwnerError: 403,
  FileNotFoundError: 404,
  TaskNotFoundError: 404,
  TaskStateError: 409,
  UploadNotResumableError: 409,
  TaskCancelledError: 409,
  // @defs/pairing's, through the node's pairing service
  PairingRefusedError: 409,
  PairingDisabledError: 409,
  InvalidPairingError: 502,
  // a partner's sync answer out of bounds; an older pairing record than one seen (the DHT's word)
  PairSyncError: 502,
  RollbackError: 502,
  PairingOptionError: 400,
  TaskPausedError: 503,
  UnderMaintenanceError: 503,
  NodeStoppingError: 503,
  NotEnoughPeersError: 503,
  PlacementError: 503,
  TooFewShardsError: 503,
  ShardIdMismatchError: 503,
  ShardCorruptError: 503,
  QuotaExceededError: 507,
  // Users and mirrors (@defs/mirror, through the node's mirror service).
  InvalidAccountError: 400,
  SessionRequiredError: 401,
  WrongPassphraseError: 403,
  ExternalLoginError: 403,
  UnknownUserError: 404,
  UnknownFileError: 404,
  NotSharedError: 404,
  NotHomeError: 409,
  RootConflictError: 409,
  StaleRecordError: 409,
  WrongUserError: 502,
  BadBlobError: 502,
  MirrorPeerError: 502,
  IncompleteCopyError: 503,
  RecoveryShareError: 400,
  NotEnoughRecoverySharesError: 400,
  // The daemon's own: too many failed passphrases (login-throttle.ts), with Retry-After.
  LoginThrottledError: 429,
  // Not caused by a request: the node's own state or a bug.
  PoolClosedError: 500,
  DirectoryLockedError: 500,
  IdentityError: 500,
  DirectoryOwnerError: 500,
  IncompatibleDataError: 500,
  ConfigFileError: 500,
  TaskPausedSignal: 500,
  TaskCancelledSignal: 500
}

/** What the JSON error body says: `{ "error": { "name", "message", "status", ...fields } }`. */
export interface ErrorBody {
  error: { name: string; message: string; status: number; option?: string; mode?: string; since?: number }
}

export function errorStatus(err: unknown): number {
  if (err instanceof HttpError) return err.status
  return statusByName[(err as Error)?.name] ?? 500
}

export function errorBody(err: unknown): ErrorBody {
  const e = err as Error & { option?: unknown }
  const status = errorStatus(err)
  const name = typeof e?.name === 'string' && status !== 500 ? e.name : 'InternalError'
  const message = typeof e?.message === 'string' && e.message.length > 0 ? e.message : String(err)
  const body: ErrorBody = { error: { name, message, status } }
  if (typeof e?.option === 'string') body.error.option = e.option
  // A refusal by a node mode (maintenance) names the mode and since when.
  const { mode, since } = e as { mode?: unknown; since?: unknown }
  if (typeof mode === 'string') body.error.mode = mode
  if (typeof since === 'number') body.error.since = since
  return body
}
