// Passphrase sign-ins throttled, over real HTTP to a real daemon (a short backoff here): after a
// user's free tries fail, POST /v1/session and POST /v1/login answer 429 LoginThrottledError with
// Retry-After, even to the right passphrase (so it was not checked: argon2id did not run), other
// users are not held up, and once the backoff passed the right passphrase signs in. Attempts in
// parallel count before any has failed; and too many failures across all users throttle the API.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startDaemon } from '../src/daemon.ts'
import type { LoginThrottlePolicy } from '../src/login-throttle.ts'

interface Answer {
  status: number
  retryAfter: string | null
  cookie: string | null
  // biome-ignore lint/suspicious/noExplicitAny: the test reads several JSON answer shapes
  body: any
}

async function started(policy: LoginThrottlePolicy) {
  const dir = await mkdtemp(join(tmpdir(), 'defs-login-throttle-'))
  const daemon = await startDaemon({ dir, port: 0, node: { port: 0, workerNum: 1 }, loginThrottle: policy })
  const call = async (path: string, body: unknown, bearer = false): Promise<Answer> => {
    const res = await fetch(`${daemon.url}${path}`, {
      method: 'POST',
      headers: bearer ? { authorization: `Bearer ${daemon.token}` } : {},
      body: JSON.stringify(body)
    })
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      cookie: res.headers.get('set-cookie'),
      body: await res.json()
    }
  }
  const ids: Record<string, string> = {}
  for (const name of ['alice', 'bob']) {
    const created = await call('/v1/users', { name, passphrase: `${name} pass` }, true)
    assert.equal(created.status, 201, JSON.stringify(created.body))
    ids[name] = created.body.user
  }
  const signIn = (user: string, passphrase: string) => call('/v1/session', { user, passphrase })
  const stop = async () => {
    await daemon.stop()
    await rm(dir, { recursive: true, force: true })
  }
  return { call, signIn, stop, ids }
}

const throttled = (a: Answer, what: RegExp) => {
  assert.equal(a.status, 429, JSON.stringify(a.body))
  assert.equal(a.body.error.name, 'LoginThrottledError')
  assert.match(a.body.error.message, what)
  assert.ok(Number(a.retryAfter) >= 1, `Retry-After ${a.retryAfter}`)
  assert.equal(a.cookie, null)
}

describe('passphrase sign-ins, throttled per user', { timeout: 90_000 }, () => {
  let d: Awaited<ReturnType<typeof started>>
  before(async () => {
    d = await started({ freeTries: 3, baseMs: 1500, maxMs: 60_000, globalMax: 1000 })
  })
  after(() => d?.stop())

  it('refuses a user’s tries after the free ones fail, without checking them, until the backoff passes', async () => {
    for (let i = 0; i < 3; i++) {
      const wrong = await d.signIn('alice', `guess ${i}`)
      assert.equal(wrong.status, 403, JSON.stringify(wrong.body))
      assert.equal(wrong.body.error.name, 'WrongPassphraseError')
    }
    throttled(
      await d.signIn('alice', 'guess 3'),
      /too many failed sign-ins for user alice: try again in \d+ s/
    )
    // The right passphrase is refused too: it was not looked at. The same for defs login (the token's route).
    throttled(await d.signIn('alice', 'alice pass'), /user alice/)
    throttled(await d.call('/v1/login', { user: 'alice', passphrase: 'alice pass' }, true), /user alice/)
    // By her id, the same account, the same backoff; another user signs in meanwhile.
    throttled(await d.signIn(d.ids.alice!, 'alice pass'), /too many failed sign-ins/)
    const bob = await d.call('/v1/login', { user: 'bob', passphrase: 'bob pass' }, true)
    assert.equal(bob.status, 200, JSON.stringify(bob.body))

    // Once the backoff passed (bounded wait: throttled tries do not lengthen it), the right one signs in.
    let answer = await d.signIn('alice', 'alice pass')
    for (let i = 0; i < 100 && answer.status === 429; i++) {
      await new Promise((r) => setTimeout(r, 200))
      answer = await d.signIn('alice', 'alice pass')
    }
    assert.equal(answer.status, 200, JSON.stringify(answer.body))
    assert.equal(answer.body.name, 'alice')
    assert.match(answer.cookie!, /^defs_session_\d+=/)
    // That cleared her count: three wrong ones again before the next backoff.
    for (let i = 0; i < 3; i++) assert.equal((await d.signIn('alice', `again ${i}`)).status, 403)
    throttled(await d.signIn('alice', 'alice pass'), /user alice/)
  })

  it('counts tries in parallel before any has failed: only the free ones reach the passphrase check', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => d.signIn('bob', `guess ${i}`)))
    const names = answers.map((a) => a.body.error?.name as string).sort()
    assert.deepEqual(names, [
      ...Array(7).fill('LoginThrottledError'),
      ...Array(3).fill('WrongPassphraseError')
    ])
  })
})

describe('passphrase sign-ins, throttled for the whole API', { timeout: 60_000 }, () => {
  let d: Awaited<ReturnType<typeof started>>
  before(async () => {
    d = await started({ freeTries: 100, globalMax: 4, globalWindowMs: 60_000 })
  })
  after(() => d?.stop())

  it('refuses every user once too many tries failed on the node', async () => {
    for (const [user, passphrase] of [
      ['alice', 'a'],
      ['bob', 'b'],
      ['carol', 'c'],
      ['alice', 'd']
    ] as const) {
      const a = await d.signIn(user, passphrase)
      assert.ok([403, 404].includes(a.status), JSON.stringify(a.body))
    }
    throttled(await d.signIn('bob', 'bob pass'), /too many failed sign-ins on this node \(4 in 60 s\)/)
  })
})
