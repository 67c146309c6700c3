// What a reading command reads when it acts for a user: a name (or file id) of their tree, or of
// a file shared with them, turned into its capability by the daemon holding their root. A
// capability reads as it is; without a session a ref is the node's, as always.
import type { ApiClient } from './client.ts'

export async function refForUser(client: ApiClient, ref: string): Promise<string> {
  if (client.session === undefined || ref.startsWith('defs:')) return ref
  return (await client.userCapability(ref)).capability
}
