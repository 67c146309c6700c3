// The files of one stored shard: `<shard id>` holds the first claim then the body; when the shard
// has more owners (or lost its first one), `<shard id>.claims` beside it holds every claim, and
// is the one that counts. Reads here touch only the bytes asked for.
import { type FileHandle, open, readFile } from 'node:fs/promises'
import { createCrc32c } from '@defs/crypto'
import { decodeShardClaims, limits, peekShardClaim, type ShardClaim, ShardCorruptError } from '@defs/segment'
import { plainBytes } from './bytes.ts'

export const CLAIMS_SUFFIX = '.claims'

/** The first claim and where the body starts, from the file's first bytes; undefined if it is gone. */
export async function readHead(
  path: string
): Promise<{ claim: ShardClaim; bodyOffset: number; size: number } | undefined> {
  const handle = await openIfThere(path)
  if (handle === undefined) return undefined
  try {
    const head = new Uint8Array(limits.maxBytes.shardClaim)
    const [{ bytesRead }, { size }] = await Promise.all([handle.read(head, 0, head.length, 0), handle.stat()])
    return { ...peekShardClaim(head.subarray(0, bytesRead)), size }
  } finally {
    await handle.close()
  }
}

/** Every claim of a shard whose claims live beside it; undefined when there is no such file. */
export async function readClaimsFile(path: string): Promise<ShardClaim[] | undefined> {
  try {
    return decodeShardClaims(plainBytes(await readFile(path)))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/** `length` bytes of the body from `offset`, one positioned read. */
export async function readRange(path: string, at: number, length: number): Promise<Uint8Array | undefined> {
  const handle = await openIfThere(path)
  if (handle === undefined) return undefined
  try {
    const bytes = new Uint8Array(length)
    const { bytesRead } = await handle.read(bytes, 0, length, at)
    if (bytesRead !== length) throw new ShardCorruptError(`${path} ends ${length - bytesRead} bytes short`)
    return bytes
  } finally {
    await handle.close()
  }
}

/**
 * The body (`whole`) or a range of it in pieces of `chunkSize`, one file handle, one chunk in
 * memory at a time. A whole body is CRC32C-checked as it goes, and a mismatch is thrown before
 * the last piece leaves, so rotted bytes never reach a reader complete.
 */
export async function* readPieces(
  path: string,
  start: number,
  length: number,
  chunkSize: number,
  check?: { crc32c: number; shardId: string }
): AsyncGenerator<Uint8Array> {
  const handle = await openIfThere(path)
  if (handle === undefined) return
  try {
    const crc = createCrc32c()
    for (let at = 0; at < length; at += chunkSize) {
      const n = Math.min(chunkSize, length - at)
      const piece = new Uint8Array(n)
      const { bytesRead } = await handle.read(piece, 0, n, start + at)
      if (bytesRead !== n)
        throw new ShardCorruptError(`shard ${check?.shardId ?? path} ends ${n - bytesRead} bytes short`, {
          ...(check ? { shardId: check.shardId } : {})
        })
      if (check !== undefined) {
        crc.update(piece)
        if (at + n === length && crc.value() !== check.crc32c) {
          throw new ShardCorruptError(
            `shard ${check.shardId} body CRC32C is ${crc.value()}, its header says ${check.crc32c}`,
            { shardId: check.shardId }
          )
        }
      }
      yield piece
    }
  } finally {
    await handle.close()
  }
}

async function openIfThere(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}
