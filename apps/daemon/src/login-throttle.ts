// Passphrase sign-ins, throttled: each attempt counts as a failure until it succeeds, per user and
// for the whole API, so guessing (one user's passphrase, or many users' at once, in parallel or
// not) meets LoginThrottledError (429, with Retry-After) and is refused before the passphrase is
// looked at: argon2id never runs for a throttled attempt, so sign-ins cannot be used to burn the
// node's CPU either. Once a user's free tries have failed, each further try waits a backoff that
// doubles with each failure (up to `maxMs`), and a right passphrase after it clears the count.
// The API-wide count is of the attempts of the last `globalWindowMs` that did not succeed.

/** Too many sign-ins that failed: come back after `retryAfter` seconds. */
export class LoginThrottledError extends Error {
  override name = 'LoginThrottledError'
  readonly retryAfter: number
  constructor(message: string, retryAfter: number) {
    super(message)
    this.retryAfter = retryAfter
  }
}

export interface LoginThrottlePolicy {
  /** Attempts of one user that may fail before the backoff starts. Default 5. */
  freeTries?: number
  /** The first backoff, ms; it doubles with each further failure. Default 1 s. */
  baseMs?: number
  /** The longest backoff, ms. Default 15 min. */
  maxMs?: number
  /** Failed attempts of all users together within `globalWindowMs` before everyone waits. Default 30. */
  globalMax?: number
  /** Default 1 min. */
  globalWindowMs?: number
}

interface Tries {
  failures: number
  until: number
}

/** Users whose failures are remembered at most; the oldest go first. */
const MAX_USERS = 4096

export class LoginThrottle {
  readonly #policy: Required<LoginThrottlePolicy>
  readonly #users = new Map<string, Tries>()
  /** When the API's attempts that have not succeeded (yet) were made, oldest first. */
  #recent: number[] = []

  constructor(policy: LoginThrottlePolicy = {}) {
    this.#policy = {
      freeTries: policy.freeTries ?? 5,
      baseMs: policy.baseMs ?? 1000,
      maxMs: policy.maxMs ?? 15 * 60_000,
      globalMax: policy.globalMax ?? 30,
      globalWindowMs: policy.globalWindowMs ?? 60_000
    }
  }

  /**
   * Runs `attempt` (the passphrase check) for the user `key` (`name` in messages) unless the user
   * or the API is throttled (LoginThrottledError, `attempt` not called). A failure of it is
   * counted; a success clears the user's.
   */
  async attempt<T>(key: string, name: string, attempt: () => Promise<T>, now = Date.now()): Promise<T> {
    const p = this.#policy
    this.#recent = this.#recent.filter((t) => t > now - p.globalWindowMs)
    const tries = this.#users.get(key) ?? { failures: 0, until: 0 }
    if (tries.until > now) {
      throw new LoginThrottledError(
        `too many failed sign-ins for user ${name}: try again in ${seconds(tries.until - now)} s`,
        seconds(tries.until - now)
      )
    }
    if (this.#recent.length >= p.globalMax) {
      const wait = this.#recent[0]! + p.globalWindowMs - now
      throw new LoginThrottledError(
        `too many failed sign-ins on this node (${this.#recent.length} in ${p.globalWindowMs / 1000} s): try again in ${seconds(wait)} s`,
        seconds(wait)
      )
    }
    // Counted as failed from now on, so attempts in parallel count before any has failed.
    tries.failures += 1
    if (tries.failures >= p.freeTries)
      tries.until = now + Math.min(p.maxMs, p.baseMs * 2 ** (tries.failures - p.freeTries))
    this.#users.delete(key)
    this.#users.set(key, tries)
    if (this.#users.size > MAX_USERS) this.#users.delete(this.#users.keys().next().value!)
    this.#recent.push(now)
    const result = await attempt()
    this.#users.delete(key)
    const mine = this.#recent.indexOf(now)
    if (mine >= 0) this.#recent.splice(mine, 1)
    return result
  }
}

/** Whole seconds, at least 1: what Retry-After says. */
function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000))
}
