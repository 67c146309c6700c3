// defs user create NAME | list | move-home USER --to PEER: accounts on this node. A user is an
// Ed25519 key wrapped under their passphrase (argon2id); their home is the node they were created
// on, until they move it (signed with the passphrase alone, the old home not asked).
import type { UserSummary } from '@defs/mirror'
import { defineCommand } from 'citty'
import { clientArgs } from '../cli-args.ts'
import { connect } from '../connect.ts'
import { table } from '../format.ts'
import { printJson, printLine } from '../output.ts'
import { readPassphrase } from '../passphrase.ts'
import { UserError } from '../user-error.ts'

const actions = ['create', 'list', 'move-home'] as const

export default defineCommand({
  meta: {
    name: 'user',
    description: 'Create or list users of this node, or move a user home to another node'
  },
  args: {
    action: {
      type: 'positional',
      required: true,
      description: 'create, list or move-home',
      valueHint: 'create|list|move-home'
    },
    name: {
      type: 'positional',
      required: false,
      description: 'the user (name, or id for move-home)',
      valueHint: 'USER'
    },
    to: {
      type: 'string',
      description: 'move-home: the peer id or multiaddr of the new home',
      valueHint: 'PEER'
    },
    ...clientArgs
  },
  async run({ args }) {
    const action = String(args.action)
    if (!(actions as readonly string[]).includes(action)) {
      throw new UserError(`user takes create, list or move-home, got ${JSON.stringify(action)}`)
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
    const passphrase = await readPassphrase(`passphrase of ${args.name}`)
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
