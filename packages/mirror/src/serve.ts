// Answers `/defs/mirror/1` from what this node holds: any node with a user's records may answer
// (the home, or a mirror when the home is gone), since the asker checks every signature and hash.
// Only what the held root references is served, so the protocol is no way to probe a store.
import { constantTimeEqual, toHex } from '@defs/crypto'
import {
  decodeMirrorRequest,
  encodeMirrorResponse,
  type MirrorErrorCode,
  type MirrorRequest,
  type MirrorResponse,
  samePublicKey
} from '@defs/segment'
import type { MirrorContent } from './content.ts'
import type { UserRecords } from './user-records.ts'

const fail = (code: MirrorErrorCode, message: string): MirrorResponse => ({ kind: 'error', code, message })

export async function answerMirrorRequest(
  bytes: Uint8Array,
  records: UserRecords,
  content: MirrorContent
): Promise<Uint8Array> {
  return encodeMirrorResponse(await answer(decodeMirrorRequest(bytes), records, content))
}

async function answer(
  request: MirrorRequest,
  records: UserRecords,
  content: MirrorContent
): Promise<MirrorResponse> {
  if (request.kind === 'state') {
    const [home, root] = await Promise.all([records.home(request.user), records.root(request.user)])
    const state: MirrorResponse = { kind: 'state' }
    if (home !== undefined) state.home = home.envelope
    if (root !== undefined) state.root = root.envelope
    return state
  }
  const root = (await records.root(request.user))?.record
  if (root === undefined) return fail('not-found', 'no root is held here for this user')
  if (request.kind === 'blob') {
    const named = [root.tree, root.friends].some((d) => d !== undefined && constantTimeEqual(d, request.id))
    if (!named) return fail('refused', 'the blob is not one the held root names')
    const blob = await content.blobs.get(toHex(request.id))
    return blob === undefined ? fail('not-found', 'blob not held here') : { kind: 'blob', bytes: blob }
  }
  if (!root.files.some((f) => constantTimeEqual(f, request.fileId))) {
    return fail('refused', 'the file is not one the held root names')
  }
  if (request.kind === 'manifest') {
    const manifest = await content.manifests.get(request.fileId, request.user)
    return manifest === undefined
      ? fail('not-found', 'manifest not held here')
      : { kind: 'manifest', manifest }
  }
  const claim = (await content.shards.claims(request.id)).find(
    (c) => constantTimeEqual(c.fileId, request.fileId) && samePublicKey(c.owner, request.user)
  )
  if (claim === undefined) return fail('not-found', 'shard not held here for this file and user')
  const body = await content.shards.get(request.id)
  if (body === undefined) return fail('not-found', 'shard not held here')
  const { uploader: _uploader, ...header } = claim
  return { kind: 'shard', header, bytes: body }
}
