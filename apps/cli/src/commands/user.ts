// defs user create NAME | list | root USER [--mirrors A,B] | move-home USER --to PEER | recovery-setup USER --threshold T
// --friends A,B | recovery-share FRIEND --of USER | recover USER --shares FILE: accounts on this
// node. A user is an Ed25519 key wrapped under their passphrase (argon2id); their home is the node
// they were created on, until they move it (signed with the passphrase alone, the old home not
// asked). Recovery splits the key among friends; any T of their shares bring it back. root reads
// the user's newest root from their home, or a mirror's signed copy when the home does not answer.
import { readFile } from 'node:fs/promises'
import type { UserSummary } from '@defs/mirror'
import type { RootSummary } from '@defs/node'
import { defineCommand } from 'citty'
import { clientArgs } from '../cli-args.ts'
import { connect } from '../connect.ts'
import { table } from '../format.ts'
import { printJson, printLine } from '../output.ts'
import { readPassphrase } from '../passphrase.ts'
import { UserError } from '../user-error.ts'

const actions = [
  'create',
  'list',
  'root',
  'move-home',
  'recovery-setup',
  'recovery-share',
  'recover'
] as const

export default defineCommand({
  meta: {
    name: 'user',
    description:
      "Create or list users of this node, read a user's root, move a user home, or set up and use account recovery"
  },
  args: {
    action: {
      type: 'positional',
      required: true,
      description:
        'create, list, root, move-home, recovery-setup (or recovery setup), recovery-share (or recovery share) or recover',
      valueHint: 'ACTION'
    },
    name: {
      type: 'positional',
      required: false,
      description:
        'the user (name, or id for root, move-home and recover); recovery-share: the friend; recovery: setup or share',
      valueHint: 'USER'
    },
    // `defs user recovery setup USER` reads as `defs user recovery-setup USER` (and share alike)
    subject: {
      type: 'positional',
      required: false,
      description: 'after recovery setup or recovery share: the user, or the friend',
      valueHint: 'USER'
    },
    to: {
      type: 'string',
      description: 'move-home: the peer id or multiaddr of the new home',
      valueHint: 'PEER'
    },
    mirrors: {
      type: 'string',
      description: 'root: more mirrors to ask when the home does not answer (peer ids or multiaddrs)',
      valueHint: 'A,B,...'
    },
    threshold: { type: 'string', description: 'recovery-setup: shares needed to recover', valueHint: 'T' },
    friends: {
      type: 'string',
      description: 'recovery-setup: the friends holding shares (ids or names)',
      valueHint: 'A,B,...'
    },
    of: { type: 'string', description: 'recovery-share: the user whose share to open', valueHint: 'USER' },
    shares: {
      type: 'string',
      description: 'recover: a file of shares, one JSON line each (- for stdin)',
      valueHint: 'FILE'
    },
    ...clientArgs
  },
  async run({ args: given }) {
    const args = spelledOut(given)
    const action = String(args.action)
    if (!(actions as readonly string[]).includes(action)) {
      throw new UserError(`user takes ${actions.join(', ')}, got ${JSON.stringify(action)}`)
    }
    const client = await connect(args)
    if (action === 'list') {
      const { users } = await client.json<{ users: UserSummary[] }>('GET', '/v1/users')
      if (args.json) return printJson(users)
      if (users.length === 0) return printLine('no users')
      return printLine(
        table(
          ['NAME', 'HOME', 'SEQ', 'USER'],
          users.map((u) => [u.name, u.isHome ? 'here' : (u.home ?? '-'), String(u.seq), u.user])
        )
      )
    }
    if (args.name === undefined) throw new UserError(`user ${action} needs the user`)
    if (action === 'root') {
      const query = new URLSearchParams()
      for (const m of String(args.mirrors ?? '').split(',')) if (m.length > 0) query.append('mirror', m)
      const q = query.size > 0 ? `?${query}` : ''
      const read = await client.json<RootSummary>(
        'GET',
        `/v1/users/${encodeURIComponent(args.name)}/root${q}`
      )
      if (args.json) return printJson(read)
      const from = read.source === 'local' ? 'this node (home)' : `${read.source} ${read.peer}`
      return printLine(`root ${read.seq} of ${args.name} (${read.files} file(s)) from ${from}`)
    }
    if (action === 'recover') {
      if (args.shares === undefined)
        throw new UserError('user recover needs --shares FILE (one share per line)')
      // The shares come first on stdin when --shares is -, so the new passphrase is in DEFS_PASSPHRASE then.
      const text = args.shares === '-' ? await readStdin() : await readFile(String(args.shares), 'utf8')
      const shares = text
        .split('\n')
        .filter((l) => l.trim().length > 0)
        .map((l, i) => {
          try {
            return JSON.parse(l) as unknown
          } catch {
            throw new UserError(`--shares line ${i + 1} is not JSON (defs user recovery-share prints one)`)
          }
        })
      const passphrase = await readPassphrase(`new passphrase of ${args.name}`)
      const user = await client.json<UserSummary>(
        'POST',
        `/v1/users/${encodeURIComponent(args.name)}/recover`,
        { shares, passphrase }
      )
      if (args.json) return printJson(user)
      return printLine(`user ${user.name} recovered, home here: ${user.user}`)
    }
    const passphrase = await readPassphrase(`passphrase of ${args.name}`)
    if (action === 'recovery-setup' || action === 'recovery-share') {
      const login = await client.json<{ session: string }>('POST', '/v1/login', {
        user: args.name,
        passphrase
      })
      const session = { 'x-defs-session': login.session }
      if (action === 'recovery-share') {
        if (args.of === undefined) throw new UserError('user recovery-share needs --of USER (whose share)')
        const share = await client.json<unknown>(
          'POST',
          '/v1/users/me/recovery-share',
          { of: args.of },
          session
        )
        // One line: what the user recovering collects into their --shares file.
        return printLine(JSON.stringify(share))
      }
      const threshold = Number(args.threshold)
      const friends = String(args.friends ?? '')
        .split(',')
        .filter((f: string) => f.length > 0)
      if (!Number.isInteger(threshold) || threshold < 1)
        throw new UserError('user recovery-setup needs --threshold T (1..255)')
      if (friends.length === 0) throw new UserError('user recovery-setup needs --friends A,B,...')
      const done = await client.json<{ seq: number }>(
        'POST',
        '/v1/users/me/recovery',
        { threshold, friends },
        session
      )
      if (args.json) return printJson(done)
      return printLine(
        `recovery of ${args.name}: any ${threshold} of ${friends.length} friends' shares bring it back (root ${done.seq})`
      )
    }
    if (action === 'create') {
      const user = await client.json<UserSummary>('POST', '/v1/users', { name: args.name, passphrase })
      if (args.json) return printJson(user)
      return printLine(`user ${user.name} created, home here: ${user.user}`)
    }
    if (args.to === undefined) throw new UserError('user move-home needs --to PEER (the new home)')
    const moved = await client.json<{ home: string; seq: number; told: string[] }>(
      'POST',
      `/v1/users/${encodeURIComponent(args.name)}/move-home`,
      { passphrase, to: args.to }
    )
    if (args.json) return printJson(moved)
    printLine(
      `home of ${args.name} is now ${moved.home} (home record ${moved.seq}); told ${moved.told.length} node(s)`
    )
  }
})

/** `recovery setup USER` and `recovery share FRIEND` as `recovery-setup USER`, `recovery-share FRIEND`. */
function spelledOut<A extends { action: unknown; name?: unknown; subject?: unknown }>(args: A): A {
  const sub = String(args.name)
  if (args.action !== 'recovery') {
    if (args.subject !== undefined) throw new UserError(`unexpected argument ${JSON.stringify(args.subject)}`)
    return args
  }
  if (sub !== 'setup' && sub !== 'share')
    throw new UserError(`user recovery takes setup or share, got ${JSON.stringify(args.name ?? '')}`)
  return { ...args, action: `recovery-${sub}`, name: args.subject }
}

async function readStdin(): Promise<string> {
  const parts: Buffer[] = []
  for await (const chunk of process.stdin) parts.push(chunk as Buffer)
  return Buffer.concat(parts).toString('utf8')
}
