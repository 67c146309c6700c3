// `defs user`, `defs login` and `defs mirror` against a devnet of 2 real daemons: a user created on
// node-1 is mirrored on node-2 (by id, --from node-1's address), login is refused on node-2 in one
// line naming the home, `defs user root` on node-2 says the root came from the home, then (node-1
// SIGKILLed) from node-2's mirror copy, and the user moves home to node-2 with their
// passphrase alone (DEFS_PASSPHRASE), after which node-2 lets them log in. Recovery: with 2 of 3
// friends' shares a user comes back on node-2 (node-1 gone) and every file of theirs reads there;
// one share is refused saying how many more are needed, and a tampered one is named.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { MirrorStatus, UserSummary } from '@defs/mirror'
import type { RootSummary } from '@defs/node'
import { type Devnet, startDevnet } from '../src/devnet/devnet.ts'
import { apiEnv, runCli } from './run-cli.ts'

describe('defs user, login and mirror', { timeout: 180_000 }, () => {
  let dir: string
  let devnet: Devnet
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'defs-user-cli-'))
    devnet = await startDevnet({ nodes: 2, dir: join(dir, 'net') })
  })
  after(async () => {
    await devnet?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('creates, lists, mirrors with lag shown, refuses a login away from home, and moves home', async () => {
    const [one, two] = devnet.nodes as [(typeof devnet.nodes)[0], (typeof devnet.nodes)[0]]
    const env1 = { ...apiEnv(one.api, one.token), DEFS_PASSPHRASE: 'carol pass' }
    const env2 = { ...apiEnv(two.api, two.token), DEFS_PASSPHRASE: 'carol pass' }
    const created = await runCli(['user', 'create', 'carol', '--json'], { env: env1 })
    assert.equal(created.code, 0, created.stderr)
    const carol = JSON.parse(created.stdout.toString()) as UserSummary
    assert.equal(carol.isHome, true)
    const listed = await runCli(['user', 'list'], { env: env1 })
    assert.match(listed.stdout.toString(), /^carol\s+here\s+1\s+ed01/m)
    const session = await runCli(['login', 'carol'], { env: env1 })
    assert.equal(session.code, 0, session.stderr)
    assert.match(session.stdout.toString().trim(), /^[\w-]{43}$/)
    const bad = await runCli(['login', 'carol'], { env: { ...env1, DEFS_PASSPHRASE: 'wrong' } })
    assert.notEqual(bad.code, 0)
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr)
    assert.match(bad.stderr, /wrong passphrase/)

    const added = await runCli(['mirror', 'add', carol.user, '--from', one.addresses[0]!], { env: env2 })
    assert.equal(added.code, 0, added.stderr)
    assert.match(added.stdout.toString(), /root 1, copied 0 manifest\(s\), 0 shard\(s\), 2 blob\(s\)/)
    const status = JSON.parse(
      (await runCli(['mirror', 'status', '--json'], { env: env2 })).stdout.toString()
    ) as MirrorStatus[]
    assert.deepEqual(
      status.map((s) => [s.user, s.seq, s.lag]),
      [[carol.user, 1, 0]]
    )
    const text = await runCli(['mirror', 'status'], { env: env2 })
    assert.match(text.stdout.toString(), /^USER\s+SEQ\s+LAG/m)

    const away = await runCli(['login', 'carol'], { env: env2 })
    assert.notEqual(away.code, 0)
    assert.equal(away.stderr.trim().split('\n').length, 1, away.stderr)
    assert.match(away.stderr, new RegExp(`home is ${one.peerId}`))

    const rootAt2 = async () => {
      const r = await runCli(['user', 'root', carol.user, '--json'], { env: env2 })
      assert.equal(r.code, 0, r.stderr)
      const read = JSON.parse(r.stdout.toString()) as RootSummary
      return [read.seq, read.source, read.peer]
    }
    assert.deepEqual(await rootAt2(), [1, 'home', one.peerId], 'the home answers')

    await devnet.kill(one.name)
    // The home is gone: node-2 answers with its own signed copy, and says it is a mirror's.
    assert.deepEqual(await rootAt2(), [1, 'mirror', two.peerId])
    const said = await runCli(['user', 'root', carol.user], { env: env2 })
    assert.match(
      said.stdout.toString(),
      new RegExp(`^root 1 of ${carol.user} \\(0 file\\(s\\)\\) from mirror ${two.peerId}$`, 'm')
    )
    const moved = await runCli(['user', 'move-home', 'carol', '--to', two.peerId], { env: env2 })
    assert.equal(moved.code, 0, moved.stderr)
    assert.match(
      moved.stdout.toString(),
      new RegExp(`home of carol is now ${two.peerId} \\(home record 2\\)`)
    )
    const home = await runCli(['login', 'carol'], { env: env2 })
    assert.equal(home.code, 0, home.stderr)
    assert.deepEqual(await rootAt2(), [1, 'local', two.peerId], 'home now')
  })

  it('sets up recovery, hands over friends’ shares, and recovers the account where it is mirrored', async () => {
    const net = await startDevnet({ nodes: 2, dir: join(dir, 'net-recovery') })
    try {
      const [one, two] = net.nodes as [(typeof net.nodes)[0], (typeof net.nodes)[0]]
      const at = (node: typeof one, passphrase: string) => ({
        ...apiEnv(node.api, node.token),
        DEFS_PASSPHRASE: passphrase
      })
      const dan = JSON.parse(
        (await runCli(['user', 'create', 'dan', '--json'], { env: at(one, 'dan pass') })).stdout.toString()
      ) as UserSummary
      for (const friend of ['eve', 'fay', 'gus']) {
        assert.equal((await runCli(['user', 'create', friend], { env: at(one, `${friend} pass`) })).code, 0)
      }
      // dan's files, put with his session: after recovery they are read back at node-2 alone.
      const danAt1 = (await runCli(['login', 'dan'], { env: at(one, 'dan pass') })).stdout.toString().trim()
      const contents = [randomBytes(150_000), randomBytes(20_000)]
      for (const [i, bytes] of contents.entries()) {
        const path = join(dir, `dan-${i}.bin`)
        await writeFile(path, bytes)
        const put = await runCli(['put', path, '--name', `dan-${i}.bin`], {
          env: { ...at(one, ''), DEFS_SESSION: danAt1 }
        })
        assert.equal(put.code, 0, put.stderr)
      }
      const setup = await runCli(
        // spelled as two words, as `defs user recovery setup`; recovery-setup is the same
        ['user', 'recovery', 'setup', 'dan', '--threshold', '2', '--friends', 'eve,fay,gus'],
        {
          env: at(one, 'dan pass')
        }
      )
      assert.equal(setup.code, 0, setup.stderr)
      assert.match(setup.stdout.toString(), /any 2 of 3 friends' shares bring it back/)
      const lines: string[] = []
      for (const friend of ['eve', 'gus']) {
        // both spellings: `recovery share FRIEND` and `recovery-share FRIEND`
        const spelled = friend === 'eve' ? ['recovery', 'share'] : ['recovery-share']
        const share = await runCli(['user', ...spelled, friend, '--of', 'dan'], {
          env: at(one, `${friend} pass`)
        })
        assert.equal(share.code, 0, share.stderr)
        lines.push(share.stdout.toString().trim())
      }
      assert.equal(
        (await runCli(['mirror', 'add', dan.user, '--from', one.addresses[0]!], { env: at(two, '') })).code,
        0
      )
      await net.kill(one.name)
      const few = join(dir, 'one-share')
      await writeFile(few, `${lines[0]}\n`)
      const refused = await runCli(['user', 'recover', dan.user, '--shares', few], {
        env: at(two, 'new pass')
      })
      assert.notEqual(refused.code, 0)
      assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr)
      assert.match(refused.stderr, /1 more friend/)
      // A share changed on the way is named by its holder.
      const gus = JSON.parse(lines[1]!) as { holder: string; index: number; share: string }
      const flipped = { ...gus, share: `${gus.share.slice(0, -2)}${gus.share.endsWith('00') ? '01' : '00'}` }
      const bad = join(dir, 'bad-shares')
      await writeFile(bad, `${lines[0]}\n${JSON.stringify(flipped)}\n`)
      const tampered = await runCli(['user', 'recover', dan.user, '--shares', bad], {
        env: at(two, 'new pass')
      })
      assert.notEqual(tampered.code, 0)
      assert.ok(tampered.stderr.includes(gus.holder), tampered.stderr)
      const all = join(dir, 'shares')
      await writeFile(all, `${lines.join('\n')}\n`)
      const back = await runCli(['user', 'recover', dan.user, '--shares', all], { env: at(two, 'new pass') })
      assert.equal(back.code, 0, back.stderr)
      assert.match(back.stdout.toString(), /user dan recovered, home here/)
      const login = await runCli(['login', 'dan'], { env: at(two, 'new pass') })
      assert.equal(login.code, 0, login.stderr)
      // Every file of his reads back, with node-1 (his old home, which placed them) gone.
      for (const [i, bytes] of contents.entries()) {
        const cat = await runCli(['cat', `dan-${i}.bin`], {
          env: { ...at(two, ''), DEFS_SESSION: login.stdout.toString().trim() }
        })
        assert.equal(cat.code, 0, cat.stderr)
        assert.ok(Buffer.compare(cat.stdout, bytes) === 0, `dan-${i}.bin read back`)
      }
    } finally {
      await net.stop()
    }
  })
})
