// One put, for the node or for a user: with a user session (x-defs-session) the file is owned by
// that user (their key signs its shard headers and manifest, so their mirrors can copy it) and
// goes into their tree under its name; without one it is the node's file, as always.
import { type FileSource, type PutOptions, type PutResult, userMirrors } from '@defs/node'
import { sessionIfGiven } from './mirror-routes.ts'
import type { RequestContext } from './route.ts'

/** Where a user's put went in their tree: the root seq that names it. */
export interface TreePlace {
  user: string
  name: string
  seq: number
}

export async function putForRequest(
  ctx: RequestContext,
  source: FileSource,
  options: PutOptions
): Promise<PutResult & { tree?: TreePlace }> {
  // Checked before a byte is stored: a dead session is 401, never a put as the node.
  const session = sessionIfGiven(ctx)
  if (session === undefined) return ctx.node.files.put(source, options)
  // A user's writes go to their home: a node that is not (a mirror they logged in to with
  // allowExternalLogin) refuses before it stores the file, naming the home.
  await userMirrors(ctx.node).assertHome(session.key)
  const put = await ctx.node.files.put(source, { ...options, owner: session.key })
  const name = options.name ?? put.fileId
  const { seq } = await userMirrors(ctx.node).addFile(session.key, name, put.capability)
  return { ...put, tree: { user: session.name, name, seq } }
}
