// A user's browser session over a real daemon: POST /v1/session with a user's name and passphrase
// (not the API token) gives an HttpOnly SameSite=Strict cookie that acts for that user alone: their
// tree, GET /v1/session saying who they are, and every operator route (status, tasks, maintenance,
// events, the node's files, other users) refused with OperatorOnlyError, doing nothing. A wrong
// passphrase gets no cookie; another site's page cannot sign in; signing out ends it. A user's
// cookie downloads the files of their tree (or shared with them), never another user's or the node's.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type Daemon, startDaemon } from '../src/daemon.ts'

describe('a user signed in to the dashboard with their passphrase', { timeout: 60_000 }, () => {
  let dir: string
  let daemon: Daemon
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'defs-user-browser-'))
    daemon = await startDaemon({ dir, port: 0, node: { port: 0, workerNum: 1 } })
  })
  after(async () => {
    await daemon?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  const call = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
    const res = await fetch(`${daemon.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    const text = await res.text()
    // biome-ignore lint/suspicious/noExplicitAny: the test reads many JSON answer shapes
    return { status: res.status, cookie: res.headers.get('set-cookie'), body: JSON.parse(text) as any }
  }
  const operator = { authorization: '' }
  const signIn = (body: unknown, headers: Record<string, string> = {}) =>
    call('POST', '/v1/session', headers, body)

  it('acts for that user alone and refuses the operator routes', async () => {
    operator.authorization = `Bearer ${daemon.token}`
    const alice = await call('POST', '/v1/users', operator, { name: 'alice', passphrase: 'alice pass' })
    assert.equal(alice.status, 201, JSON.stringify(alice.body))
    assert.equal(
      (await call('POST', '/v1/users', operator, { name: 'bob', passphrase: 'bob pass' })).status,
      201
    )

    const wrong = await signIn({ user: 'alice', passphrase: 'bob pass' })
    assert.equal(wrong.status, 403)
    assert.equal(wrong.body.error.name, 'WrongPassphraseError')
    assert.match(wrong.body.error.message, /wrong passphrase for user alice/)
    assert.equal(wrong.cookie, null)
    const nobody = await signIn({ user: 'carol', passphrase: 'x' })
    assert.equal(nobody.status, 404, JSON.stringify(nobody.body))
    assert.equal(nobody.cookie, null)
    const empty = await signIn({})
    assert.equal(empty.status, 400)
    assert.match(empty.body.error.message, /token .* or user and passphrase/)
    // Another site's page cannot sign a browser in (or learn whether the passphrase was right).
    const foreign = await signIn(
      { user: 'alice', passphrase: 'alice pass' },
      { origin: 'http://evil.example' }
    )
    assert.equal(foreign.status, 403)
    assert.equal(foreign.body.error.name, 'CrossOriginError')
    assert.equal(foreign.cookie, null)

    const ok = await signIn({ user: 'alice', passphrase: 'alice pass' })
    assert.equal(ok.status, 200, JSON.stringify(ok.body))
    assert.deepEqual([ok.body.kind, ok.body.name, ok.body.user], ['user', 'alice', alice.body.user])
    assert.match(
      ok.cookie!,
      /^defs_session_\d+=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/
    )
    const cookie = { cookie: ok.cookie!.split(';')[0]! }
    const who = await call('GET', '/v1/session', cookie)
    assert.deepEqual([who.body.kind, who.body.name, who.body.user], ['user', 'alice', alice.body.user])
    const tree = await call('GET', '/v1/users/me/tree', cookie)
    assert.equal(tree.status, 200, JSON.stringify(tree.body))
    assert.equal(tree.body.name, 'alice')
    assert.deepEqual(tree.body.entries, [])
    // The cookie stands for alice even beside another user's session header.
    const bobSession = (await call('POST', '/v1/login', operator, { user: 'bob', passphrase: 'bob pass' }))
      .body.session as string
    const still = await call('GET', '/v1/users/me/tree', { ...cookie, 'x-defs-session': bobSession })
    assert.equal(still.body.name, 'alice')

    const refused: [string, string, unknown?][] = [
      ['GET', '/v1/status'],
      ['GET', '/v1/peers'],
      ['GET', '/v1/tasks'],
      ['POST', '/v1/tasks/0123/pause'],
      ['POST', '/v1/maintenance', { on: true }],
      ['GET', '/v1/events'],
      ['GET', '/v1/files'],
      ['GET', '/v1/users'],
      ['POST', '/v1/users', { name: 'mallory', passphrase: 'm pass' }],
      ['POST', '/v1/login', { user: 'bob', passphrase: 'bob pass' }],
      ['GET', '/metrics']
    ]
    for (const [method, path, body] of refused) {
      const r = await call(method, path, cookie, body)
      assert.equal(r.status, 403, `${method} ${path}: ${JSON.stringify(r.body)}`)
      assert.equal(r.body.error.name, 'OperatorOnlyError')
      assert.match(r.body.error.message, /operator's/)
    }
    // Refused means not done: the node is not in maintenance and has no user mallory.
    assert.equal((await call('GET', '/v1/status', operator)).body.state, 'running')
    const users = (await call('GET', '/v1/users', operator)).body.users as { name: string }[]
    assert.deepEqual(users.map((u) => u.name).sort(), ['alice', 'bob'])

    // The operator's cookie is the operator's.
    const op = await signIn({ token: daemon.token })
    assert.equal(op.status, 200)
    const opWho = await call('GET', '/v1/session', { cookie: op.cookie!.split(';')[0]! })
    assert.deepEqual(opWho.body, { kind: 'operator' })

    const out = await call('DELETE', '/v1/session', cookie)
    assert.equal(out.status, 200)
    assert.match(out.cookie!, /Max-Age=0/)
    assert.equal((await call('GET', '/v1/users/me/tree', cookie)).status, 401)
  })

  it('downloads only the files of that user’s tree (or shared with them)', async () => {
    const cookieOf = async (user: string, passphrase: string) => {
      const r = await signIn({ user, passphrase })
      assert.equal(r.status, 200, JSON.stringify(r.body))
      return { cookie: r.cookie!.split(';')[0]! }
    }
    const put = async (headers: Record<string, string>, name: string, bytes: Uint8Array<ArrayBuffer>) => {
      const res = await fetch(`${daemon.url}/v1/files?name=${encodeURIComponent(name)}`, {
        method: 'POST',
        headers,
        body: bytes
      })
      const body = (await res.json()) as { fileId: string; capability: string }
      assert.equal(res.status, 201, JSON.stringify(body))
      return body
    }
    const get = async (headers: Record<string, string>, ref: string) => {
      const res = await fetch(`${daemon.url}/v1/files/${encodeURIComponent(ref)}?download`, { headers })
      const bytes = new Uint8Array(await res.arrayBuffer())
      return { status: res.status, disposition: res.headers.get('content-disposition'), bytes }
    }
    const errorOf = (r: { bytes: Uint8Array }) =>
      (JSON.parse(new TextDecoder().decode(r.bytes)) as { error: { name: string } }).error.name
    const alice = await cookieOf('alice', 'alice pass')
    const bob = await cookieOf('bob', 'bob pass')
    const aliceBytes = new Uint8Array(randomBytes(70_000))
    const bobBytes = new Uint8Array(randomBytes(5_000))
    const nodeBytes = new Uint8Array(randomBytes(3_000))
    const mine = await put(alice, 'docs/mine.bin', aliceBytes)
    const bobs = await put(bob, 'bob.bin', bobBytes)
    const nodes = await put(operator, 'node.bin', nodeBytes)

    // Her own file, by file id or by name, as the dashboard's link asks for it.
    for (const ref of [mine.fileId, 'docs/mine.bin']) {
      const r = await get(alice, ref)
      assert.equal(r.status, 200, ref)
      assert.deepEqual(r.bytes, aliceBytes)
      assert.equal(r.disposition, "attachment; filename*=UTF-8''docs%2Fmine.bin")
    }
    // Bob's file and the node's own are not in her tree: named refusals, not a byte of them.
    for (const ref of [bobs.fileId, nodes.fileId, 'bob.bin']) {
      const r = await get(alice, ref)
      assert.equal(r.status, 404, ref)
      assert.equal(errorOf(r), 'UnknownFileError')
    }
    // The same rule for a CLI session header beside the token.
    const bobHeader = (await call('POST', '/v1/login', operator, { user: 'bob', passphrase: 'bob pass' }))
      .body.session as string
    assert.equal((await get({ ...operator, 'x-defs-session': bobHeader }, mine.fileId)).status, 404)
    // Shared with him, bob reads it by its id; and a capability carries its key: it reads as it is.
    const shared = await call('POST', '/v1/users/me/shares', alice, { file: 'docs/mine.bin', with: 'bob' })
    assert.equal(shared.status, 200, JSON.stringify(shared.body))
    assert.deepEqual((await get(bob, mine.fileId)).bytes, aliceBytes)
    assert.deepEqual((await get(alice, nodes.capability)).bytes, nodeBytes)
    // The operator reads every file, as before.
    assert.deepEqual((await get(operator, bobs.fileId)).bytes, bobBytes)
  })
})
