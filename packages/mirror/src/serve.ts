// Answers `/defs/mirror/1` from what this node holds: any node with a user's records may answer
// (the home, or a mirror when the home is gone), since the asker checks every signature and hash.
// Only what the held root references is served, so the protocol is no way to probe a store.
import { constantTimeEqual, type PublicKey, toHex } from '@defs/crypto'
import {
  decodeMirrorRequest,
  encodeMirrorResponse,
  type MirrorErrorCode,
  type MirrorRequest,
  type MirrorResponse,
  samePublicKey,
  verify
} from '@defs/segment'
import type { PeerId } from '@libp2p/interface'
import type { MirrorContent } from './content.ts'
import { blobsOf } from './signing.ts'
import type { UserRecords } from './user-records.ts'

const fail = (code: MirrorErrorCode, message: string): MirrorResponse => ({ kind: 'error', code, message })

/** Told who asked for a user's state: the peers that mirror the user, as far as this node knows. */
export type OnStateAsked = (user: PublicKey, peer: PeerId) => void

export async function answerMirrorRequest(
  bytes: Uint8Array,
  from: PeerId,
  records: UserRecords,
  content: MirrorContent,
  onStateAsked?: OnStateAsked
): Promise<Uint8Array> {
  const request = decodeMirrorRequest(bytes)
  if (request.kind === 'state') onStateAsked?.(request.user, from)
  return encodeMirrorResponse(await answer(request, records, content))
}

async function answer(
  request: MirrorRequest,
  records: UserRecords,
  content: MirrorContent
): Promise<MirrorResponse> {
  if (request.kind === 'home') {
    // Signed by the user alone: anyone may carry it; an older one is refused by the seq rule.
    const home = await verify(request.home, 'home')
    await records.offerHome(request.home).catch((err: Error) => {
      if (err.name !== 'StaleRecordError') throw err
    })
    return answer({ kind: 'state', user: home.user }, records, content)
  }
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
    const named = blobsOf(root).some((d) => constantTimeEqual(d, request.id))
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
  const body = claim === undefined ? undefined : await content.shards.get(request.id)
  if (claim !== undefined && body !== undefined) {
    const { uploader: _uploader, ...header } = claim
    return { kind: 'shard', header, bytes: body }
  }
  const remote = await remoteShard(request.user, request.fileId, request.id, content)
  return remote === undefined
    ? fail('not-found', 'shard not held here for this file and user')
    : { kind: 'shard', ...remote }
}

async function remoteShard(user: PublicKey, fileId: Uint8Array, id: Uint8Array, content: MirrorContent) {
  if (content.remoteShards === undefined) return undefined
  const envelope = await content.manifests.get(fileId, user)
  if (envelope === undefined) return undefined
  const manifest = await verify(envelope, 'manifest')
  for (let s = 0; s < manifest.slices.length; s++) {
    const index = manifest.slices[s]!.shards.findIndex((x) => constantTimeEqual(x, id))
    if (index >= 0) return content.remoteShards(manifest, s, index)
  }
  return undefined
}
