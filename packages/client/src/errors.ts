// The daemon answers every failure with `{ "error": { "name", "message", "status" } }`, its name
// the class the node threw (UnderMaintenanceError, TooFewShardsError, ...). The client gives it back
// as an ApiError of that name, so callers tell conditions apart by `err.name` as they would in
// process, whatever the runtime.

export class ApiError extends Error {
  override name: string
  /** The HTTP status; 0 when the failure came inside a 200 stream (an upload's last line). */
  readonly status: number
  /** For a refusal by a node mode (maintenance): the mode and since when (ms since the epoch). */
  readonly mode?: string
  readonly since?: number
  /** For an invalid option: its name. */
  readonly option?: string
  /** Seconds to wait before trying again, when the daemon said (Retry-After). */
  readonly retryAfter?: number
  constructor(
    name: string,
    message: string,
    status: number,
    extra: { mode?: string; since?: number; option?: string; retryAfter?: number } = {}
  ) {
    super(message)
    this.name = name
    this.status = status
    Object.assign(this, extra)
  }
}

/** Nothing answers at the API address, or the connection broke. */
export class DaemonUnreachableError extends Error {
  override name = 'DaemonUnreachableError'
}

interface ErrorLine {
  name: string
  message: string
  mode?: string
  since?: number
  option?: string
}

/** The error a failed answer stands for. */
export function errorFromResponse(
  status: number,
  text: string,
  url: string,
  retryAfter?: string | null
): ApiError {
  // A user session that is gone (expired, or the daemon restarted): not the operator's token.
  if (status === 401 && text.includes('"SessionRequiredError"')) {
    return new ApiError(
      'SessionRequiredError',
      `the daemon at ${url} holds no such user session (it expired or the daemon restarted): defs login again and pass the new token as --session or DEFS_SESSION`,
      401
    )
  }
  if (status === 401) {
    return new ApiError(
      'UnauthorizedError',
      `the daemon at ${url} refused the API token (check --token, DEFS_TOKEN or <dir>/api-token)`,
      401
    )
  }
  let error: ErrorLine | undefined
  try {
    error = (JSON.parse(text) as { error?: ErrorLine }).error
  } catch {
    // not the daemon's JSON: a proxy, or another server on that port
  }
  if (error === undefined || typeof error.name !== 'string')
    return new ApiError('HttpError', `the daemon at ${url} answered ${status}: ${text.slice(0, 200)}`, status)
  const seconds = retryAfter === null || retryAfter === undefined ? undefined : Number(retryAfter)
  return errorFromLine(error, status, Number.isFinite(seconds) ? seconds : undefined)
}

/** An error line of an NDJSON answer (or of a JSON error body) as an ApiError. */
export function errorFromLine(error: ErrorLine, status: number, retryAfter?: number): ApiError {
  const { name, message, mode, since, option } = error
  return new ApiError(name, message, status, {
    ...(mode === undefined ? {} : { mode }),
    ...(since === undefined ? {} : { since }),
    ...(option === undefined ? {} : { option }),
    ...(retryAfter === undefined ? {} : { retryAfter })
  })
}

/** A fetch that failed before any answer, as the error a user can act on. */
export function connectionError(err: unknown, url: string): DaemonUnreachableError {
  const cause = ((err as { cause?: unknown })?.cause ?? err) as { code?: string; message?: string }
  if (cause?.code === 'ECONNREFUSED') {
    return new DaemonUnreachableError(
      `no daemon answers at ${url} (connection refused); start one with \`defs start\``
    )
  }
  if (cause?.code === 'ECONNRESET' || cause?.code === 'EPIPE') {
    return new DaemonUnreachableError(
      `the daemon at ${url} closed the connection (${cause.code}); is it stopping?`
    )
  }
  return new DaemonUnreachableError(`cannot reach the daemon at ${url}: ${cause?.message ?? String(err)}`)
}
