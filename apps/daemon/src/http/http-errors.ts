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

const statusByName: Record<string, number> = {
  BadRequestError: 400,
  InvalidOptionError: 400,
  InvalidFileRefError: 400,
  FileModeSizeError: 400,
  AuthenticationError: 403,
  FileKeyMissingError: 403,
  FileNotFoundError: 404,
  TaskNotFoundError: 404,
  TaskStateError: 409,
  UploadNotResumableError: 409,
  TaskPausedError: 503,
  TaskCancelledError: 409,
  UnderMaintenanceError: 503,
  NotEnoughPeersError: 503,
  PlacementError: 503,
  TooFewShardsError: 503,
  ShardIdMismatchError: 503,
  QuotaExceededError: 507
}

/** What the JSON error body says: `{ "error": { "name", "message", "status", ...fields } }`. */
export interface ErrorBody {
  error: { name: string; message: string; status: number; option?: string }
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
  return body
}
