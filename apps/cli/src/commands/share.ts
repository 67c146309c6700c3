// defs share ID: the capability of a stored file again (defs:<id>:<key>), for whoever should read
// it on another node. Only the node that stored the file (or read it with its capability) has it.
// defs share FILE --with USER (with a user session): grants USER a file of the session user's
// tree, kept in their friends list (and mirrored with it); USER sees it in defs ls --shared and
// reads it with defs get NAME wherever the sharer's root is held (their home or a mirror).
// defs share FILE --with USER --revoke: takes that grant back (a new root without it), so USER no
// longer finds FILE, at the sharer's mirrors after their next sync; what USER read, they keep.
import { defineCommand } from 'citty'
import { clientArgs, sessionArg } from '../cli-args.ts'
import { connectAsUser } from '../connect.ts'
import { printJson, printLine } from '../output.ts'
import { UserError } from '../user-error.ts'

export default defineCommand({
  meta: {
    name: 'share',
    description:
      'Print the capability of a stored file, or (--with, with a session) share it with a user, or (--revoke) take that back'
  },
  args: {
    ref: {
      type: 'positional',
      required: true,
      description: 'file id; with --with: a name or id in your tree',
      valueHint: 'ID|FILE'
    },
    with: {
      type: 'string',
      description: 'the user to share with: a user id, or a name known on this node (needs --session)',
      valueHint: 'USER'
    },
    revoke: {
      type: 'boolean',
      description: 'with --with: take back the grant of FILE to USER (they keep what they already read)'
    },
    ...sessionArg,
    ...clientArgs
  },
  async run({ args }) {
    if (args.revoke === true && args.with === undefined)
      throw new UserError('share --revoke takes back a grant: name the user with --with USER')
    const client = await connectAsUser(args)
    if (args.with !== undefined && args.revoke === true) {
      if (client.session === undefined)
        throw new UserError(
          'share --revoke takes back a grant of your tree: log in (defs login) and pass --session'
        )
      const done = await client.json<{
        seq: number
        name: string
        fileId: string
        with: string
        revoked: number
      }>('POST', '/v1/users/me/shares/revoke', { file: args.ref, with: args.with })
      if (args.json) return printJson(done)
      return printLine(`revoked ${done.name} (${done.fileId}) from ${args.with} (root ${done.seq})`)
    }
    if (args.with !== undefined) {
      if (client.session === undefined)
        throw new UserError('share --with shares a file of your tree: log in (defs login) and pass --session')
      const done = await client.shareWith(args.ref, args.with)
      if (args.json) return printJson(done)
      return printLine(`shared ${done.name} (${done.fileId}) with ${args.with} (root ${done.seq})`)
    }
    const shared = await client.capability(args.ref)
    if (args.json) return printJson(shared)
    printLine(shared.capability)
  }
})
