// node.files: store, read, check and delete files. Each call resolves the file once (manifest
// verified, key found) and hands the work to a step (steps/) or a persisted task (transfers/).
import { mkdir } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import type { SigningKey } from '@defs/crypto'
import { decodeEnvelope, parseFileRef, verify } from '@defs/segment'
import type { NodeComponents } from '../components.ts'
import { toHex } from '../disk/hex.ts'
import { NotOwnerError } from '../errors.ts'
import { repairsInProgress } from '../repair/repairs-in-progress.ts'
import { deleteShards } from '../steps/delete-shards.ts'
import { checkFile } from '../steps/file-health.ts'
import { ownerIdOf, sameOwner } from '../steps/owner-id.ts'
import { newReadStats, readFileSlices } from '../steps/read-slices.ts'
import { followTask } from '../tasks/follow-task.ts'
import type { TaskRecord } from '../tasks/task-types.ts'
import type { DownloadParams } from '../transfers/download-task.ts'
import type { UploadRunner } from '../transfers/upload-task.ts'
import { fileInfo } from './file-info.ts'
import { putFile } from './put-file.ts'
import { fileKeyOf, locate, resolveFile, resolveManifest } from './resolve-file.ts'
import type {
  FileApi,
  FileHealth,
  FileInfo,
  FileRef,
  FileSource,
  GetOptions,
  GetResult,
  OpenFile,
  PutOptions,
  PutResult,
  ReadOptions
} from './types.ts'

export class Files implements FileApi {
  readonly #c: NodeComponents
  readonly #uploads: UploadRunner
  readonly #mirrored: () => Promise<ReadonlySet<string>>

  /** `mirrored`: the owners (ownerIdOf) whose files this node keeps as their mirror. */
  constructor(
    components: NodeComponents,
    uploads: UploadRunner,
    mirrored: () => Promise<ReadonlySet<string>> = async () => new Set()
  ) {
    this.#c = components
    this.#uploads = uploads
    this.#mirrored = mirrored
  }

  put(source: FileSource, options?: PutOptions): Promise<PutResult> {
    return putFile(this.#c, this.#uploads, source, options)
  }

  async get(ref: FileRef, destination: string, options: GetOptions = {}): Promise<GetResult> {
    const task = await this.download(ref, destination, options)
    return (await followTask(this.#c.tasks, task.id, options.onProgress)).result as GetResult
  }

  async download(
    ref: FileRef,
    destination: string,
    options: Pick<GetOptions, 'range'> = {}
  ): Promise<TaskRecord> {
    const { fileIdHex, fileKey, owner } = parseFileRef(ref)
    await mkdir(dirname(resolve(destination)), { recursive: true })
    // A capability's key is kept in the keystore (wrapped), so the task record holds only the id.
    if (fileKey !== undefined && !(await this.#c.keystore.has(fileIdHex))) {
      await this.#c.keystore.put(fileIdHex, fileKey)
    }
    const params: DownloadParams = {
      ref: fileIdHex,
      ...(owner !== undefined ? { owner: ownerIdOf(owner) } : {}),
      destination: resolve(destination),
      ...(options.range !== undefined ? { range: options.range } : {})
    }
    return this.#c.tasks.submit('download', params)
  }

  async *read(ref: FileRef, options: ReadOptions = {}): AsyncIterable<Uint8Array> {
    yield* (await this.open(ref)).read(options)
  }

  async open(ref: FileRef): Promise<OpenFile> {
    const c = this.#c
    const fileKey = await fileKeyOf(c, ref)
    const file = await resolveManifest(c, ref)
    const info = await fileInfo(c, file.fileIdHex, file.manifest, fileKey)
    return {
      info,
      async *read(options: ReadOptions = {}) {
        const readable = { ...(await locate(c, file)), fileKey }
        const stats = newReadStats()
        let bytes = 0
        for await (const chunk of readFileSlices(c, readable, options.range, stats, { reuse: false })) {
          bytes += chunk.length
          yield chunk
        }
        options.onResult?.({
          fileId: file.fileIdHex,
          bytes,
          slicesRead: stats.slicesRead,
          shardsFetched: stats.shardsFetched,
          slicesReconstructed: stats.slicesReconstructed,
          badPeers: [...stats.badPeers]
        })
      }
    }
  }

  async stat(ref: FileRef): Promise<FileInfo> {
    const file = await resolveManifest(this.#c, ref)
    return fileInfo(this.#c, file.fileIdHex, file.manifest, parseFileRef(ref).fileKey)
  }

  async list(): Promise<FileInfo[]> {
    const out: FileInfo[] = []
    const mirrored = await this.#mirrored()
    const repairs = repairsInProgress(this.#c.tasks.list())
    for await (const { fileIdHex, envelope } of this.#c.meta.manifests()) {
      const manifest = await verify(decodeEnvelope(envelope), 'manifest')
      const info = await fileInfo(this.#c, fileIdHex, manifest, undefined, repairs)
      const owner = ownerIdOf(manifest.owner)
      out.push(mirrored.has(owner) ? { ...info, mirrored: owner } : info)
    }
    return out.sort((a, b) => a.created - b.created)
  }

  async check(ref: FileRef): Promise<FileHealth> {
    // The records too: a shard a repairer rebuilt is on a peer our placement never named.
    return checkFile(this.#c, await locate(this.#c, await resolveManifest(this.#c, ref), { records: true }))
  }

  async rm(
    ref: FileRef,
    options: { owner?: SigningKey } = {}
  ): Promise<{ fileId: string; shardsDeleted: number }> {
    const c = this.#c
    c.lifecycle.admitChange('deletes')
    const file = await resolveFile(c, ref)
    const owner = options.owner ?? c.userKey
    if (!sameOwner(file.manifest.owner, owner.publicKey)) {
      throw new NotOwnerError(`file ${file.fileIdHex} belongs to another user; only its owner can delete it`)
    }
    const shards = file.manifest.slices.flatMap((s, i) =>
      s.shards.map((id, j) => ({ id: toHex(id), holders: file.holders[i]![j] ?? [] }))
    )
    const outcome = await deleteShards(c, file.manifest.fileId, shards, owner)
    await c.meta.tombstone(file.fileIdHex)
    return { fileId: file.fileIdHex, shardsDeleted: outcome.deleted }
  }
}
