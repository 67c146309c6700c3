// Browser sessions: a page signs in once with the API token and gets a random session id in an
// HttpOnly, SameSite=Strict cookie, so the token is never kept by the page, never in a URL, and a
// page of another site cannot send the cookie (with the Host/Origin checks, that is the API's
// CSRF and DNS-rebinding defence). Sessions live in the daemon's memory: a restart signs every
// browser out. At most `maxSessions`; the oldest goes first.
import { randomBytes } from 'node:crypto'

export const SESSION_COOKIE = 'defs_session'
const sessionTtlMs = 12 * 3600_000
const maxSessions = 64

export class Sessions {
  readonly #expiry = new Map<string, number>()

  /** A new session; its cookie header value. */
  create(now = Date.now()): { cookie: string; expires: number } {
    while (this.#expiry.size >= maxSessions) this.#expiry.delete(this.#expiry.keys().next().value!)
    const id = randomBytes(32).toString('base64url')
    const expires = now + sessionTtlMs
    this.#expiry.set(id, expires)
    return { cookie: cookieFor(id, sessionTtlMs / 1000), expires }
  }

  /** Whether the request's Cookie header carries a live session. */
  valid(cookieHeader: string | undefined, now = Date.now()): boolean {
    const id = sessionIdOf(cookieHeader)
    if (id === undefined) return false
    const expires = this.#expiry.get(id)
    if (expires === undefined) return false
    if (expires <= now) {
      this.#expiry.delete(id)
      return false
    }
    return true
  }

  /** Ends the request's session; the header value that clears its cookie. */
  end(cookieHeader: string | undefined): string {
    const id = sessionIdOf(cookieHeader)
    if (id !== undefined) this.#expiry.delete(id)
    return cookieFor('', 0)
  }
}

function cookieFor(id: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}`
}

function sessionIdOf(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [name, value] = part.trim().split('=', 2)
    if (name === SESSION_COOKIE && value !== undefined && /^[\w-]{43}$/.test(value)) return value
  }
  return undefined
}
