// Browser sessions: a page signs in once, with the API token (the operator) or with a user's name
// and passphrase (a user of the node's accounts), and gets a random session id in an
// HttpOnly, SameSite=Strict cookie, so the token is never kept by the page, never in a URL, and a
// page of another site cannot send the cookie (with the Host/Origin checks, that is the API's
// CSRF and DNS-rebinding defence). Sessions live in the daemon's memory: a restart signs every
// browser out. At most `maxSessions`; the oldest goes first. A user's browser session carries
// the user session it was signed in with (user-sessions.ts), and reaches only that user's routes.
// A browser keeps cookies per host, not per port, so the cookie's name carries the API's port:
// the dashboards of two nodes on one machine (a devnet) are signed in side by side.
import { randomBytes } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** The session cookie's name for the API port a request came in on. */
export function sessionCookie(req: Pick<IncomingMessage, 'socket'>): string {
  return `defs_session_${req.socket.localPort ?? 0}`
}
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
  create(
    req: Pick<IncomingMessage, 'socket'>,
    user?: string,
    now = Date.now()
  ): { cookie: string; expires: number } {
    while (this.#sessions.size >= maxSessions) this.#sessions.delete(this.#sessions.keys().next().value!)
    const id = randomBytes(32).toString('base64url')
    const expires = now + sessionTtlMs
    this.#sessions.set(id, user === undefined ? { expires } : { expires, user })
    return { cookie: cookieFor(sessionCookie(req), id, sessionTtlMs / 1000), expires }
  }

  /** The live session the request's Cookie header carries, or undefined. */
  of(req: Pick<IncomingMessage, 'socket' | 'headers'>, now = Date.now()): BrowserSession | undefined {
    const id = sessionIdOf(req)
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
  end(req: Pick<IncomingMessage, 'socket' | 'headers'>): { cookie: string; ended?: BrowserSession } {
    const id = sessionIdOf(req)
    const ended = id === undefined ? undefined : this.#sessions.get(id)
    if (id !== undefined) this.#sessions.delete(id)
    return { cookie: cookieFor(sessionCookie(req), '', 0), ...(ended === undefined ? {} : { ended }) }
  }
}

function cookieFor(name: string, id: string, maxAgeSeconds: number): string {
  return `${name}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}`
}

function sessionIdOf(req: Pick<IncomingMessage, 'socket' | 'headers'>): string | undefined {
  const cookie = sessionCookie(req)
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, value] = part.trim().split('=', 2)
    if (name === cookie && value !== undefined && /^[\w-]{43}$/.test(value)) return value
  }
  return undefined
}
