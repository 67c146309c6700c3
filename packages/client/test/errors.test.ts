// The daemon's error bodies become ApiErrors by the name it gave, with what it added (mode, since,
// option, Retry-After); anything else is named for what it is.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ApiError, connectionError, errorFromResponse } from '../src/errors.ts'

describe('errorFromResponse', () => {
  it('keeps the name, status and fields of a daemon error body', () => {
    const body = JSON.stringify({
      error: {
        name: 'UnderMaintenanceError',
        message: 'in maintenance',
        status: 503,
        mode: 'maintenance',
        since: 5
      }
    })
    const err = errorFromResponse(503, body, 'http://127.0.0.1:1', '30')
    assert.ok(err instanceof ApiError)
    assert.equal(err.name, 'UnderMaintenanceError')
    assert.equal(err.message, 'in maintenance')
    assert.equal(err.status, 503)
    assert.equal(err.mode, 'maintenance')
    assert.equal(err.since, 5)
    assert.equal(err.retryAfter, 30)
  })

  it('says what to check on 401, and names an answer that is not the daemon’s', () => {
    assert.match(errorFromResponse(401, '', 'http://x').message, /refused the API token/)
    const other = errorFromResponse(502, '<html>bad gateway</html>', 'http://x')
    assert.equal(other.name, 'HttpError')
    assert.match(other.message, /answered 502: <html>bad gateway/)
  })

  it('turns a refused connection into DaemonUnreachableError with what to do', () => {
    const refused = connectionError(
      Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }),
      'http://x'
    )
    assert.equal(refused.name, 'DaemonUnreachableError')
    assert.match(refused.message, /start one with `defs start`/)
  })
})
