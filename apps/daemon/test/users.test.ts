// /v1/users, /v1/login, /v1/mirrors over two real daemons: a user created on one, mirrored on the
// other, logged in only at home (and at the mirror with allowExternalLogin, which refuses their
// writes naming the home), sessions scoped to their user, the mirror's lag in /metrics, and a move home signed with the passphrase alone.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { type Daemon, startDaemon } from '../src/daemon.ts'

const stops: (() => Promise<unknown>)[] = []
after(async () => {
  for (const s of stops.reverse()) await s().catch(() => {})
})

function client(daemon: Daemon) {
  return async (path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${daemon.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${daemon.token}`, ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    // biome-ignore lint/suspicious/noExplicitAny: the test reads many JSON answer shapes
    return { status: res.status, body: (await res.json()) as Record<string, any> }
  }
}

describe('users and mirrors over the daemon API', { timeout: 120_000 }, () => {
  it('creates, logs in at home only, mirrors, reports lag, and moves home with the passphrase', async () => {
    const root = await mkdtemp(join(tmpdir(), 'defs-users-'))
    stops.push(() => rm(root, { recursive: true, force: true }))
    const start = (name: string, allowExternalLogin = false) =>
      startDaemon({ dir: join(root, name), port: 0, node: { port: 0, workerNum: 1 }, allowExternalLogin })
    const home = await start('home')
    let homeUp = true
    stops.push(async () => homeUp && home.stop())
    let mirror = await start('mirror')
    stops.push(() => mirror.stop())
    const h = client(home)

    const alice = await h('/v1/users', { name: 'alice', passphrase: 'alice pass' })
    assert.equal(alice.status, 201, JSON.stringify(alice.body))
    assert.match(alice.body.user, /^ed01[0-9a-f]{64}$/)
    assert.equal((await h('/v1/users', { name: 'bob', passphrase: 'bob pass' })).status, 201)
    const users = (await h('/v1/users')).body.users as { name: string; isHome: boolean }[]
    assert.deepEqual(
      users.map((u) => [u.name, u.isHome]),
      [
        ['alice', true],
        ['bob', true]
      ]
    )

    const wrong = await h('/v1/login', { user: 'alice', passphrase: 'nope' })
    assert.equal(wrong.status, 403)
    assert.equal(wrong.body.error.name, 'WrongPassphraseError')
    const aliceSession = (await h('/v1/login', { user: 'alice', passphrase: 'alice pass' })).body
      .session as string
    const bobSession = (await h('/v1/login', { user: 'bob', passphrase: 'bob pass' })).body.session as string
    assert.equal((await h('/v1/users/me/tree')).status, 401)
    const aliceTree = await h('/v1/users/me/tree', undefined, { 'x-defs-session': aliceSession })
    assert.equal(aliceTree.body.name, 'alice')
    assert.equal(aliceTree.body.user, alice.body.user)
    const bobTree = await h('/v1/users/me/tree', undefined, { 'x-defs-session': bobSession })
    assert.equal(bobTree.body.name, 'bob', "bob's session reads bob's tree, never alice's")
    assert.notEqual(bobTree.body.user, alice.body.user)
    // An upload with a dead session is refused before a byte is stored, never taken as the node's.
    const dead = await fetch(`${home.url}/v1/files?name=x`, {
      method: 'POST',
      headers: { authorization: `Bearer ${home.token}`, 'x-defs-session': 'x'.repeat(43) },
      body: new Uint8Array(1000)
    })
    assert.equal(dead.status, 401)
    assert.equal(((await dead.json()) as { error: { name: string } }).error.name, 'SessionRequiredError')
    assert.deepEqual((await h('/v1/files')).body.files, [])

    // The mirror knows alice by id until its first sync; then by name too.
    const m = () => client(mirror)
    const added = await m()('/v1/mirrors', { user: alice.body.user, from: home.addresses()[0] })
    assert.equal(added.status, 200, JSON.stringify(added.body))
    assert.equal(added.body.seq, 1)
    assert.equal(added.body.copied.blobs, 2, 'the sealed tree and the account blob')
    const status = (await m()('/v1/mirrors')).body.mirrors as { user: string; lag: number; seq: number }[]
    assert.deepEqual(
      status.map((s) => [s.user, s.seq, s.lag]),
      [[alice.body.user, 1, 0]]
    )
    const metrics = await (
      await fetch(`${mirror.url}/metrics`, { headers: { authorization: `Bearer ${mirror.token}` } })
    ).text()
    assert.match(metrics, new RegExp(`defs_mirror_lag_roots\\{user="${alice.body.user}"\\} 0`))
    assert.match(metrics, new RegExp(`defs_mirror_bytes_to_copy\\{user="${alice.body.user}"\\} 0`))
    const refused = await m()('/v1/login', { user: 'alice', passphrase: 'alice pass' })
    assert.equal(refused.status, 403)
    assert.equal(refused.body.error.name, 'ExternalLoginError')
    assert.ok(String(refused.body.error.message).includes(home.peerId))

    // The same mirror with allowExternalLogin lets alice in.
    await mirror.stop()
    mirror = await start('mirror', true)
    const away = await m()('/v1/login', { user: 'alice', passphrase: 'alice pass' })
    assert.equal(away.status, 200)
    // Logged in at the mirror, alice's write is refused there, naming her home, before a byte is stored.
    const put = await fetch(`${mirror.url}/v1/files?name=away.bin`, {
      method: 'POST',
      headers: { authorization: `Bearer ${mirror.token}`, 'x-defs-session': away.body.session },
      body: new Uint8Array(1000)
    })
    const refusedPut = (await put.json()) as { error: { name: string; message: string } }
    assert.deepEqual([put.status, refusedPut.error.name], [409, 'NotHomeError'])
    assert.ok(refusedPut.error.message.includes(home.peerId), refusedPut.error.message)
    assert.deepEqual((await m()('/v1/files')).body.files, [])

    // Home gone: alice moves home to the mirror with her passphrase alone.
    await home.stop()
    homeUp = false
    const moved = await m()('/v1/users/alice/move-home', { passphrase: 'alice pass', to: mirror.peerId })
    assert.equal(moved.status, 200, JSON.stringify(moved.body))
    assert.equal(moved.body.home, mirror.peerId)
    assert.equal(moved.body.seq, 2)
    const after = (await m()('/v1/users')).body.users as { name: string; isHome: boolean }[]
    assert.deepEqual(
      after.map((u) => [u.name, u.isHome]),
      [['alice', true]]
    )
  })

  it('recovers an account on a fresh node from T friends’ shares, refusing T-1 and a tampered one', async () => {
    const root = await mkdtemp(join(tmpdir(), 'defs-recovery-'))
    stops.push(() => rm(root, { recursive: true, force: true }))
    const start = (name: string) =>
      startDaemon({ dir: join(root, name), port: 0, node: { port: 0, workerNum: 1 } })
    const home = await start('home')
    let homeUp = true
    stops.push(async () => homeUp && home.stop())
    const fresh = await start('fresh')
    stops.push(() => fresh.stop())
    const h = client(home)
    const f = client(fresh)
    const alice = (await h('/v1/users', { name: 'alice', passphrase: 'alice pass' })).body
    const friends = ['bob', 'carol']
    for (const name of friends) await h('/v1/users', { name, passphrase: `${name} pass` })
    const session = async (name: string) =>
      (await h('/v1/login', { user: name, passphrase: `${name} pass` })).body.session as string
    const setup = await h(
      '/v1/users/me/recovery',
      { threshold: 2, friends },
      { 'x-defs-session': await session('alice') }
    )
    assert.equal(setup.status, 200, JSON.stringify(setup.body))
    assert.equal(setup.body.seq, 2)
    const shares = []
    for (const name of friends) {
      const got = await h(
        '/v1/users/me/recovery-share',
        { of: 'alice' },
        { 'x-defs-session': await session(name) }
      )
      assert.equal(got.status, 200, JSON.stringify(got.body))
      shares.push(got.body)
    }
    assert.equal((await f('/v1/mirrors', { user: alice.user, from: home.addresses()[0] })).status, 200)
    await home.stop()
    homeUp = false

    const recover = (given: unknown[]) =>
      f(`/v1/users/${alice.user}/recover`, { shares: given, passphrase: 'new pass' })
    const few = await recover(shares.slice(0, 1))
    assert.equal(few.status, 400)
    assert.equal(few.body.error.name, 'NotEnoughRecoverySharesError')
    assert.match(few.body.error.message, /1 more/)
    const flipped = {
      ...shares[1],
      share: `${shares[1].share.slice(0, -2)}${shares[1].share.endsWith('00') ? '01' : '00'}`
    }
    const tampered = await recover([shares[0], flipped])
    assert.equal(tampered.status, 400)
    assert.equal(tampered.body.error.name, 'RecoveryShareError')
    assert.ok(String(tampered.body.error.message).includes(shares[1].holder), tampered.body.error.message)
    const back = await recover(shares)
    assert.equal(back.status, 200, JSON.stringify(back.body))
    assert.equal(back.body.isHome, true)
    assert.equal((await f('/v1/login', { user: 'alice', passphrase: 'alice pass' })).status, 403)
    assert.equal((await f('/v1/login', { user: 'alice', passphrase: 'new pass' })).status, 200)
  })
})
