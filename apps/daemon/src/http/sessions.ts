// Browser sessions: a page signs in once, with the API token (the operator) or with a user's name
// and passphrase (a user of the node's accounts), and gets a random session id in an
// HttpOnly, SameSite=Strict cookie, so the token is never kept by the page, never in a URL, and a
// page of another site cannot send the cookie (with the Host/Origin checks, that is the API's
// CSRF and DNS-rebinding defence). Sessions live in the daemon's memory: a restart signs every
// browser out. At most `maxSessions`; the oldest goes first. A user's browser session carries
// the user session it was signed in with (user-sessions.ts), and reaches only that user's routes.
import { randomBytes } from 'node:crypto'

export const SESSION_COOKIE = 'defs_session'
const sessionTtlMs = 12 * 3600_000
const maxSessions = 64

/** A live browser session: the operator's, or (with `user`) one user's. */
export interface BrowserSession {
  expires: number
  /** The user session (a token of UserSessions) a user signed in with; none for the operator. */
  user?: string
}

export class Sessions {
  readonly #sessions = new Map<string, BrowserSession>()

  /** A new session, the operator's or (given `user`, a user session's token) that user's; its cookie header value. */
  create(user?: string, now = Date.now()): { cookie: string; expires: number } {
    while (this.#sessions.size >= maxSessions) this.#sessions.delete(this.#sessions.keys().next().value!)
    const id = randomBytes(32).toString('base64url')
    const expires = now + sessionTtlMs
    this.#sessions.set(id, user === undefined ? { expires } : { expires, user })
    return { cookie: cookieFor(id, sessionTtlMs / 1000), expires }
  }

  /** The live session the request's Cookie header carries, or undefined. */
  of(cookieHeader: string | undefined, now = Date.now()): BrowserSession | undefined {
    const id = sessionIdOf(cookieHeader)
    if (id === undefined) return undefined
    const session = this.#sessions.get(id)
    if (session === undefined) return undefined
    if (session.expires <= now) {
      this.#sessions.delete(id)
      return undefined
    }
    return session
  }

  /** Ends the request's session (and hands back what it was); the header value that clears its cookie. */
  end(cookieHeader: string | undefined): { cookie: string; ended?: BrowserSession } {
    const id = sessionIdOf(cookieHeader)
    const ended = id === undefined ? undefined : this.#sessions.get(id)
    if (id !== undefined) this.#sessions.delete(id)
    return { cookie: cookieFor('', 0), ...(ended === undefined ? {} : { ended }) }
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
