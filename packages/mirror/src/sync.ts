// One sync of one user from one peer: take the peer's newest home record, then its root if newer
// than ours, then copy what that root references and this node lacks (blobs, each new file's
// manifest and at least k shards per slice, so every file reads with the rest of the network
// gone), checking each signature and hash. The root copy is committed last, after everything it
// references is stored: a mirror never holds a root it cannot serve (Peergos commits its pointer
// last for the same reason). Files the committed root named are complete and are not asked for.
import { crc32c, type PublicKey, sha256, toHex } from '@defs/crypto'
import type { ShardStore } from '@defs/net'
import {
  type Envelope,
  type Manifest,
  type MirrorRequest,
  type MirrorResponse,
  samePublicKey,
  sliceLayout,
  verify,
  verifyShardHeader
} from '@defs/segment'
import type { PeerId } from '@libp2p/interface'
import { userIdOf } from './account.ts'
import type { MirrorContent } from './content.ts'
import {
  BadBlobError,
  IncompleteCopyError,
  MirrorPeerError,
  StaleRecordError,
  WrongUserError
} from './errors.ts'
import { blobsOf } from './signing.ts'
import type { StateStore } from './state-store.ts'
import { clearProgress, loadProgress, saveProgress } from './sync-progress.ts'
import type { UserRecords } from './user-records.ts'

/** Asks `peer` one mirror request; MirrorPeerError for an error answer. */
export type AskMirror = (peer: PeerId, request: MirrorRequest) => Promise<MirrorResponse>

export interface Copied {
  blobs: number
  manifests: number
  shards: number
  /** Bytes of blobs, manifests and shards received. */
  bytes: number
}

export interface SyncReport {
  user: string
  from: string
  /** The root seq this node holds after the sync (0: none). */
  seq: number
  /** The root seq the peer holds (0: none). */
  peerSeq: number
  /** Files of the root whose content was checked or copied in this sync. */
  filesChecked: number
  copied: Copied
}

/** How far a sync is: files of the target root done (of those it has to look at), what moved. */
export interface SyncProgressEvent {
  seq: number
  filesDone: number
  filesTotal: number
  copied: Copied
  /** Shard bytes still to copy, as the manifests of the files to copy say (known once they are all held). */
  bytesToCopy: number
}

export interface SyncContext {
  records: UserRecords
  content: MirrorContent
  state: StateStore
  ask: AskMirror
  /** Called once the manifests are held (filesDone 0), after each file copied, and when cut off. */
  onProgress?: (event: SyncProgressEvent) => void
  /** Progress is saved after this many files (and at the end). Default 16. */
  progressEvery?: number
  signal?: AbortSignal
}

export async function syncUser(user: PublicKey, from: PeerId, ctx: SyncContext): Promise<SyncReport> {
  const id = userIdOf(user)
  const copied: Copied = { blobs: 0, manifests: 0, shards: 0, bytes: 0 }
  const state = expect(await ctx.ask(from, { kind: 'state', user }), 'state')
  if (state.home !== undefined) {
    const home = await verify(state.home, 'home')
    if (!samePublicKey(home.user, user))
      throw new WrongUserError(`${from} answered with another user's home record`)
    try {
      await ctx.records.offerHome(state.home)
    } catch (err) {
      // The peer is behind on the user's home: ours stays; its root may still be newer.
      if ((err as Error).name !== StaleRecordError.name) throw err
    }
  }
  const held = await ctx.records.root(user)
  const report = (seq: number, peerSeq: number, filesChecked: number): SyncReport => ({
    user: id,
    from: from.toString(),
    seq,
    peerSeq,
    filesChecked,
    copied
  })
  if (state.root === undefined) return report(held?.record.seq ?? 0, 0, 0)
  const root = await verify(state.root, 'root')
  if (!samePublicKey(root.user, user)) throw new WrongUserError(`${from} answered with another user's root`)
  if (held !== undefined && held.record.seq >= root.seq) return report(held.record.seq, root.seq, 0)

  for (const digest of blobsOf(root)) await copyBlob(user, from, digest, ctx, copied)
  const complete = new Set((held?.record.files ?? []).map(toHex))
  const progress = (await loadProgress(ctx.state, id)) ?? { seq: root.seq, done: [] }
  progress.seq = root.seq
  const done = new Set(progress.done)
  let checked = 0
  let unsaved = 0
  const todo = root.files.filter((f) => !complete.has(toHex(f)) && !done.has(toHex(f)))
  // Every manifest first (they are small): then the shard bytes to copy are known before the
  // first shard moves, and a big first sync can say how far it has to go.
  let toCopy = 0
  for (const fileId of todo) {
    ctx.signal?.throwIfAborted()
    toCopy += await missingBytes(ctx.content.shards, await copyManifest(user, from, fileId, ctx, copied))
  }
  const shardBytes = { copied: 0 }
  const tell = () =>
    ctx.onProgress?.({
      seq: root.seq,
      filesDone: checked,
      filesTotal: todo.length,
      copied: { ...copied },
      bytesToCopy: Math.max(0, toCopy - shardBytes.copied)
    })
  tell()
  try {
    for (const fileId of todo) {
      ctx.signal?.throwIfAborted()
      const hex = toHex(fileId)
      await copyShards(user, from, fileId, ctx, copied, shardBytes)
      checked++
      done.add(hex)
      progress.done.push(hex)
      tell()
      if (++unsaved >= (ctx.progressEvery ?? 16)) {
        await saveProgress(ctx.state, id, progress)
        unsaved = 0
      }
    }
  } catch (err) {
    // Cut off: what was copied stays counted as done, so the next sync starts after it; the
    // last word on progress says what is left.
    tell()
    if (unsaved > 0) await saveProgress(ctx.state, id, progress).catch(() => {})
    throw err
  }
  // Everything the root names is stored: only now the root itself.
  await ctx.records.offerRoot(state.root as Envelope<'root'>)
  await clearProgress(ctx.state, id)
  return report(root.seq, root.seq, checked)
}

async function copyBlob(user: PublicKey, from: PeerId, digest: Uint8Array, ctx: SyncContext, copied: Copied) {
  const id = toHex(digest)
  if (await ctx.content.blobs.has(id)) return
  const { bytes } = expect(await ctx.ask(from, { kind: 'blob', user, id: digest }), 'blob')
  if (toHex(await sha256(bytes)) !== id)
    throw new BadBlobError(`${from} sent a blob that does not hash to ${id}`)
  await ctx.content.blobs.put(id, bytes)
  copied.blobs++
  copied.bytes += bytes.length
}

/** The file's manifest, held here already or copied now (checked either way). */
async function copyManifest(
  user: PublicKey,
  from: PeerId,
  fileId: Uint8Array,
  ctx: SyncContext,
  copied: Copied
): Promise<Manifest> {
  const held = await ctx.content.manifests.get(fileId, user)
  if (held !== undefined) return verify(held, 'manifest')
  const envelope = expect(await ctx.ask(from, { kind: 'manifest', user, fileId }), 'manifest').manifest
  const manifest = await verify(envelope, 'manifest')
  if (!samePublicKey(manifest.owner, user) || toHex(manifest.fileId) !== toHex(fileId)) {
    throw new WrongUserError(`${from} sent a manifest of another file or owner for ${toHex(fileId)}`)
  }
  await ctx.content.manifests.put(envelope)
  copied.manifests++
  copied.bytes += envelope.payload.length
  return manifest
}

/** Bytes of the shards a mirror still lacks to hold k of every slice of `manifest`. */
async function missingBytes(store: ShardStore, manifest: Manifest): Promise<number> {
  let bytes = 0
  for (let s = 0; s < manifest.slices.length; s++) {
    const { dataShards, shardSize } = sliceLayout(manifest, s)
    const held = await heldCount(store, manifest.slices[s]!.shards)
    bytes += Math.max(0, dataShards - held.count) * shardSize
  }
  return bytes
}

/** At least k shards of every slice of the file whose manifest is held here (copyManifest). */
async function copyShards(
  user: PublicKey,
  from: PeerId,
  fileId: Uint8Array,
  ctx: SyncContext,
  copied: Copied,
  shardBytes: { copied: number }
) {
  const manifest = await copyManifest(user, from, fileId, ctx, copied)
  for (let s = 0; s < manifest.slices.length; s++) {
    const need = sliceLayout(manifest, s).dataShards
    const ids = manifest.slices[s]!.shards
    const held = await heldCount(ctx.content.shards, ids)
    let have = held.count
    for (let i = 0; i < ids.length && have < need; i++) {
      if (held.flags[i]) continue
      const got = await ctx.ask(from, { kind: 'shard', user, fileId, id: ids[i]! })
      // One shard the peer lacks is not fatal while others of the slice can make up k.
      if (got.kind === 'error' && got.code === 'not-found') continue
      const shard = expect(got, 'shard')
      await storeShard(ctx.content.shards, ids[i]!, shard, fileId, user, from)
      copied.shards++
      copied.bytes += shard.bytes.length
      shardBytes.copied += shard.bytes.length
      have++
    }
    if (have < need) {
      throw new IncompleteCopyError(
        `file ${toHex(fileId)} slice ${s}: ${have} of the ${need} shards it needs are held here and ${from} had no more`
      )
    }
  }
}

async function heldCount(store: ShardStore, ids: Uint8Array[]): Promise<{ flags: boolean[]; count: number }> {
  const flags = await Promise.all(ids.map((id) => store.has(id)))
  return { flags, count: flags.filter(Boolean).length }
}

async function storeShard(
  store: ShardStore,
  id: Uint8Array,
  shard: Extract<MirrorResponse, { kind: 'shard' }>,
  fileId: Uint8Array,
  user: PublicKey,
  from: PeerId
): Promise<void> {
  const { header, bytes } = shard
  await verifyShardHeader(id, header)
  const wrongFile = toHex(header.fileId) !== toHex(fileId) || !samePublicKey(header.owner, user)
  const wrongBytes = header.length !== bytes.length || header.crc32c !== crc32c(bytes)
  if (wrongFile || wrongBytes || toHex(await sha256(bytes)) !== toHex(id)) {
    throw new BadBlobError(
      `${from} sent shard ${toHex(id)} with a header or bytes that are not the ones asked for`
    )
  }
  await store.put(id, bytes, { ...header, uploader: { peer: from.toString() } })
}

function expect<K extends MirrorResponse['kind']>(
  response: MirrorResponse,
  kind: K
): Extract<MirrorResponse, { kind: K }> {
  if (response.kind === kind) return response as Extract<MirrorResponse, { kind: K }>
  throw new MirrorPeerError(
    response.kind === 'error' ? response.code : 'refused',
    response.kind === 'error' ? response.message : `expected a ${kind} answer, got ${response.kind}`
  )
}
