// A user's own files against a devnet of 2 real daemons syncing mirrors every second
// (mirrorInterval): alice puts a file with her session from `defs login`, `defs ls` shows her
// tree, node-2 mirrors her, she shares the file with bob (whose home is node-2), the next sync
// brings the grant over, and bob reads it there by name, byte for byte; alice revokes it and the
// next sync takes it from bob (ls --shared empty, get refused). Another user of alice's
// node sees none of her tree. Then node-1 is SIGKILLed, alice moves home to node-2 and her tree
// there (the mirror's copy) has the file and reads back identical, and she removes it.
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { MirrorStatus, UserSummary } from '@defs/mirror'
import type { FileInfo, SharedListing, TreeFile } from '@defs/node'
import { type Devnet, type DevnetNode, startDevnet } from '../src/devnet/devnet.ts'
import { apiEnv, assertOneLineError, runCli, waitUntil } from './run-cli.ts'

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

describe('a user’s tree: defs put, ls, share --with and get with a session', { timeout: 240_000 }, () => {
  let dir: string
  let devnet: Devnet
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'defs-user-files-'))
    devnet = await startDevnet({ nodes: 2, dir: join(dir, 'net'), node: { mirrorInterval: 1000 } })
  })
  after(async () => {
    await devnet?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('puts into the tree, mirrors it, shares it with a user of the mirror, and keeps other users out', async () => {
    const [one, two] = devnet.nodes as [DevnetNode, DevnetNode]
    const at = (node: DevnetNode, passphrase: string, session?: string) => ({
      ...apiEnv(node.api, node.token),
      DEFS_PASSPHRASE: passphrase,
      ...(session !== undefined ? { DEFS_SESSION: session } : {})
    })
    const json = <T>(r: { code: number | null; stdout: Buffer; stderr: string }): T => {
      assert.equal(r.code, 0, r.stderr)
      return JSON.parse(r.stdout.toString()) as T
    }
    const create = async (node: DevnetNode, name: string) =>
      json<UserSummary>(await runCli(['user', 'create', name, '--json'], { env: at(node, `${name} pass`) }))
    const login = async (node: DevnetNode, name: string) => {
      const r = await runCli(['login', name], { env: at(node, `${name} pass`) })
      assert.equal(r.code, 0, r.stderr)
      return r.stdout.toString().trim()
    }
    const alice = await create(one, 'alice')
    await create(one, 'mallory')
    const bob = await create(two, 'bob')
    const aliceAt1 = await login(one, 'alice')

    const content = randomBytes(200_000)
    const path = join(dir, 'report.bin')
    await writeFile(path, content)
    const put = json<{ fileId: string; tree: { user: string; name: string; seq: number } }>(
      await runCli(['put', path, '--name', 'docs/report.bin', '--json'], { env: at(one, '', aliceAt1) })
    )
    assert.deepEqual(put.tree, { user: 'alice', name: 'docs/report.bin', seq: 2 })
    const tree = json<TreeFile[]>(await runCli(['ls', '--json'], { env: at(one, '', aliceAt1) }))
    assert.deepEqual(tree, [{ name: 'docs/report.bin', fileId: put.fileId, size: content.length }])
    const text = await runCli(['ls', '--session', aliceAt1], { env: at(one, '') })
    assert.match(
      text.stdout.toString(),
      new RegExp(`^docs/report\\.bin\\s+195\\.3 KiB\\s+${put.fileId}$`, 'm')
    )
    // Without a session, ls is the node's list, as before: every file this node holds the key of.
    const nodeFiles = json<FileInfo[]>(await runCli(['ls', '--json'], { env: at(one, '') }))
    assert.deepEqual(
      nodeFiles.map((f) => [f.fileId, f.readable]),
      [[put.fileId, true]]
    )

    // Another user of the same node: an empty tree, and alice's file not reachable by name.
    const malloryAt1 = await login(one, 'mallory')
    assert.deepEqual(json<TreeFile[]>(await runCli(['ls', '--json'], { env: at(one, '', malloryAt1) })), [])
    assertOneLineError(
      await runCli(['get', 'docs/report.bin', '-o', join(dir, 'stolen')], { env: at(one, '', malloryAt1) }),
      /no file "docs\/report\.bin" is in this user's tree or shared with them/
    )
    assertOneLineError(
      await runCli(['share', put.fileId, '--with', 'alice'], { env: at(one, '', malloryAt1) }),
      /no file .* is in this user's tree/
    )
    assertOneLineError(
      await runCli(['ls'], { env: at(one, '', 'x'.repeat(43)) }),
      /holds no such user session .*defs login again/
    )

    const added = json<{ seq: number; copied: { manifests: number } }>(
      await runCli(['mirror', 'add', alice.user, '--from', one.addresses[0]!, '--json'], { env: at(two, '') })
    )
    assert.deepEqual([added.seq, added.copied.manifests], [2, 1])
    // node-2's own list has the copy, marked as alice's mirror (her key, not node-2's, opens it).
    const mirroredAt2 = (await json<FileInfo[]>(await runCli(['ls', '--json'], { env: at(two, '') }))).find(
      (f) => f.fileId === put.fileId
    )
    assert.deepEqual([mirroredAt2?.mirrored, mirroredAt2?.readable], [alice.user, false])
    assert.match(
      (await runCli(['ls'], { env: at(two, '') })).stdout.toString(),
      new RegExp(`^${put.fileId}\\s+\\(mirror of ${alice.user.slice(0, 16)}…\\)`, 'm')
    )

    assertOneLineError(
      await runCli(['share', 'docs/report.bin', '--with', 'nobody'], { env: at(one, '', aliceAt1) }),
      /with must be a user id .* got "nobody"/
    )
    // bob is not known on node-1: named by his id.
    const shared = await runCli(['share', 'docs/report.bin', '--with', bob.user], {
      env: at(one, '', aliceAt1)
    })
    assert.equal(shared.code, 0, shared.stderr)
    assert.match(
      shared.stdout.toString(),
      new RegExp(`shared docs/report\\.bin \\(${put.fileId}\\) with ${bob.user} \\(root 3\\)`)
    )
    // The grant reaches node-2 with alice's root at its next sync (every second here).
    const statusAt2 = async () =>
      json<MirrorStatus[]>(await runCli(['mirror', 'status', '--json'], { env: at(two, '') })).find(
        (s) => s.user === alice.user
      )
    await waitUntil('node-2 to sync alice’s root 3', async () => (await statusAt2())?.seq === 3, 30_000)

    const bobAt2 = await login(two, 'bob')
    const offered = json<SharedListing[]>(
      await runCli(['ls', '--shared', '--json'], { env: at(two, '', bobAt2) })
    )
    assert.deepEqual(
      offered.map((f) => [f.from, f.fromName, f.name, f.fileId, f.size]),
      [[alice.user, 'alice', 'docs/report.bin', put.fileId, content.length]]
    )
    const bobCopy = join(dir, 'bob.bin')
    const got = await runCli(['get', 'docs/report.bin', '-o', bobCopy], { env: at(two, '', bobAt2) })
    assert.equal(got.code, 0, got.stderr)
    assert.equal(sha(await readFile(bobCopy)), sha(content))
    // bob's own tree is still his: the shared file is not in it.
    assert.deepEqual(json<TreeFile[]>(await runCli(['ls', '--json'], { env: at(two, '', bobAt2) })), [])

    // alice takes the grant back at home; node-2's next sync brings root 4, and bob sees nothing.
    const revoked = json<{ seq: number; fileId: string; with: string; revoked: number }>(
      await runCli(['share', 'docs/report.bin', '--with', bob.user, '--revoke', '--json'], {
        env: at(one, '', aliceAt1)
      })
    )
    assert.deepEqual(
      [revoked.seq, revoked.fileId, revoked.with, revoked.revoked],
      [4, put.fileId, bob.user, 1]
    )
    await waitUntil('node-2 to sync alice’s root 4', async () => (await statusAt2())?.seq === 4, 30_000)
    // Incremental: the sync that brought root 4 moved the new tree and friends list only, nothing
    // of the file again (seqCopied: a later sync, every second here, copies nothing).
    const moved4 = (await statusAt2())!.seqCopied!
    assert.deepEqual([moved4.blobs, moved4.manifests, moved4.shards], [2, 0, 0])
    assert.deepEqual(
      json<SharedListing[]>(await runCli(['ls', '--shared', '--json'], { env: at(two, '', bobAt2) })),
      []
    )
    assertOneLineError(
      await runCli(['get', 'docs/report.bin', '-o', join(dir, 'revoked.bin')], { env: at(two, '', bobAt2) }),
      /no file "docs\/report\.bin" is in this user's tree or shared with them/
    )
    assertOneLineError(
      await runCli(['share', 'docs/report.bin', '--with', bob.user, '--revoke'], {
        env: at(one, '', aliceAt1)
      }),
      /docs\/report\.bin is not shared with/
    )
    assertOneLineError(
      await runCli(['share', 'docs/report.bin', '--revoke'], { env: at(one, '', aliceAt1) }),
      /share --revoke takes back a grant: name the user with --with USER/
    )

    // The mirror's copy is alice's whole tree: with node-1 gone she moves home and finds it there.
    await devnet.kill(one.name)
    const moved = await runCli(['user', 'move-home', 'alice', '--to', two.peerId], {
      env: at(two, 'alice pass')
    })
    assert.equal(moved.code, 0, moved.stderr)
    const aliceAt2 = await login(two, 'alice')
    // Home now: node-2 no longer keeps her files as a mirror.
    const homeAt2 = (await json<FileInfo[]>(await runCli(['ls', '--json'], { env: at(two, '') }))).find(
      (f) => f.fileId === put.fileId
    )
    assert.equal(homeAt2?.mirrored, undefined)
    assert.deepEqual(json<TreeFile[]>(await runCli(['ls', '--json'], { env: at(two, '', aliceAt2) })), tree)
    const back = await runCli(['cat', 'docs/report.bin'], { env: at(two, '', aliceAt2) })
    assert.equal(back.code, 0, back.stderr)
    assert.equal(sha(back.stdout), sha(content))
    // rm with her session takes it out of her tree (a new root) and deletes it with her key.
    const removed = await runCli(['rm', 'docs/report.bin', '--json'], { env: at(two, '', aliceAt2) })
    const gone = json<{ fileId: string; seq: number }>(removed)
    assert.deepEqual([gone.fileId, gone.seq], [put.fileId, 5])
    assert.deepEqual(json<TreeFile[]>(await runCli(['ls', '--json'], { env: at(two, '', aliceAt2) })), [])
  })

  it('mirrors a user’s file whose shards are on other peers, and reads it there with the rest gone', async () => {
    // k = 3 of 4 shards, each on its own node of 5: the home and the mirror hold one each at
    // most, so the mirror gets at least one through the home from a third node, with the header
    // the user's key signed at upload (the user's session is over by then: the key is not there).
    const net = await startDevnet({ nodes: 5, dir: join(dir, 'net-wide') })
    try {
      const [one, two] = net.nodes as [DevnetNode, DevnetNode]
      const env = (node: DevnetNode, more: NodeJS.ProcessEnv = {}) => ({
        ...apiEnv(node.api, node.token),
        ...more
      })
      const created = await runCli(['user', 'create', 'carol', '--json'], {
        env: env(one, { DEFS_PASSPHRASE: 'carol pass' })
      })
      assert.equal(created.code, 0, created.stderr)
      const carol = JSON.parse(created.stdout.toString()) as UserSummary
      const session = (
        await runCli(['login', 'carol'], { env: env(one, { DEFS_PASSPHRASE: 'carol pass' }) })
      ).stdout
        .toString()
        .trim()
      const content = randomBytes(300_000)
      const path = join(dir, 'wide.bin')
      await writeFile(path, content)
      const put = await runCli(['put', path, '--mode', 'rs-proportion', '-k', '3', '-m', '1', '--json'], {
        env: env(one, { DEFS_SESSION: session })
      })
      assert.equal(put.code, 0, put.stderr)
      const stored = JSON.parse(put.stdout.toString()) as { placement: { shards: { peerId: string }[] }[] }
      assert.equal(new Set(stored.placement[0]!.shards.map((s) => s.peerId)).size, 4)

      const added = await runCli(['mirror', 'add', carol.user, '--from', one.addresses[0]!, '--json'], {
        env: env(two)
      })
      assert.equal(added.code, 0, added.stderr)
      const report = JSON.parse(added.stdout.toString()) as { copied: { manifests: number; shards: number } }
      assert.equal(report.copied.manifests, 1)
      assert.ok(report.copied.shards >= 2, `copied ${report.copied.shards} shard(s); the mirror needs 3`)

      for (const node of net.nodes.filter((n) => n.name !== two.name)) await net.kill(node.name)
      const moved = await runCli(['user', 'move-home', 'carol', '--to', two.peerId], {
        env: env(two, { DEFS_PASSPHRASE: 'carol pass' })
      })
      assert.equal(moved.code, 0, moved.stderr)
      const there = (
        await runCli(['login', 'carol'], { env: env(two, { DEFS_PASSPHRASE: 'carol pass' }) })
      ).stdout
        .toString()
        .trim()
      const back = await runCli(['cat', 'wide.bin'], { env: env(two, { DEFS_SESSION: there }) })
      assert.equal(back.code, 0, back.stderr)
      assert.equal(sha(back.stdout), sha(content))
    } finally {
      await net.stop()
    }
  })
})
