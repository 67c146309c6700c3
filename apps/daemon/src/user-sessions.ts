// User sessions: `defs login` trades a user's passphrase for a session token scoped to that user,
// kept in memory only (a restart logs everyone out). The operator's API token still guards every
// request; a session says which user a request acts for, so one user cannot act as another.
import { randomBytes } from 'node:crypto'
import type { UserMirrors } from '@defs/node'
import { LoginThrottle, type LoginThrottlePolicy } from './login-throttle.ts'

type SigningKey = Awaited<ReturnType<UserMirrors['login']>>['key']

export interface UserSession {
  name: string
  user: string
  key: SigningKey
  expires: number
}

/** What `--allow-external-login` changes, as `defs start --help` and `defs-daemon --help` say it. */
export const allowExternalLoginHelp =
  'let users whose home is another node log in here (a mirror, while their home is down) to read their files; their writes are still refused here, naming the home, until they move home (defs user move-home). Off by default: only users at home here log in'

export interface SessionPolicy {
  /** Let users whose home is another node log in here. Off by default. */
  allowExternalLogin: boolean
  /** How long a session lasts, ms. Default 12 h. */
  ttlMs?: number
  /** How failed passphrases slow the next tries (login-throttle.ts); its defaults when absent. */
  loginThrottle?: LoginThrottlePolicy
}

/** Sessions one daemon holds at most; the oldest goes first. */
const MAX_SESSIONS = 1024

export class UserSessions {
  readonly policy: SessionPolicy
  /** Every passphrase this daemon checks goes through it. */
  readonly throttle: LoginThrottle
  readonly #sessions = new Map<string, UserSession>()

  constructor(policy: SessionPolicy) {
    this.policy = policy
    this.throttle = new LoginThrottle(policy.loginThrottle)
  }

  open(name: string, user: string, key: SigningKey): { token: string; expires: number } {
    const token = randomBytes(32).toString('base64url')
    const expires = Date.now() + (this.policy.ttlMs ?? 12 * 3600_000)
    this.#sessions.set(token, { name, user, key, expires })
    if (this.#sessions.size > MAX_SESSIONS) this.#sessions.delete(this.#sessions.keys().next().value!)
    return { token, expires }
  }

  /** Ends the session of `token` (a browser signing out). */
  close(token: string): void {
    this.#sessions.delete(token)
  }

  /** The live session of `token`, or undefined (unknown or expired). */
  get(token: string | undefined): UserSession | undefined {
    if (token === undefined) return undefined
    const session = this.#sessions.get(token)
    if (session === undefined) return undefined
    if (Date.now() >= session.expires) {
      this.#sessions.delete(token)
      return undefined
    }
    return session
  }
}
