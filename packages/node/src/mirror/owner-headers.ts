// The shard headers a user's upload was signed with, kept by their home. A mirror asks the home
// for every shard it lacks; the home holds some, the rest are on other peers, which hand out the
// bytes only. The node's own user signs such a header again (its key is always here), but a
// logged-in user's key is gone once their session ends, so the headers their key signed at upload
// are kept, one file per file id under <dir>/mirror/headers/ (temp + fsync + rename).
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeShardHeader, encodeShardHeader, type ShardHeader } from '@defs/segment'
import type { NodeComponents } from '../components.ts'
import { writeFileAtomic } from '../disk/atomic-file.ts'
import { fromHex, toHex } from '../disk/hex.ts'

const pathOf = (c: NodeComponents, fileIdHex: string): string => {
  if (!/^[0-9a-f]{32}$/.test(fileIdHex))
    throw new RangeError(`file id must be 32 hex chars, got ${fileIdHex}`)
  return join(c.dir.root, 'mirror', 'headers', fileIdHex)
}

/** Headers as an upload checkpoint keeps them: per slice, each shard's encoded header in hex. */
export function headersText(headers: readonly ShardHeader[]): string[] {
  return headers.map((h) => toHex(encodeShardHeader(h)))
}

/** Keeps the headers of every shard of `fileIdHex` (per slice, in shard order); durable on return. */
export async function keepOwnerHeaders(
  c: NodeComponents,
  fileIdHex: string,
  slices: string[][]
): Promise<void> {
  await writeFileAtomic(pathOf(c, fileIdHex), JSON.stringify({ slices }), { mode: 0o600 })
}

/** The kept header of shard `index` of `slice`, or undefined when none was kept for the file. */
export async function ownerHeader(
  c: NodeComponents,
  fileIdHex: string,
  slice: number,
  index: number
): Promise<ShardHeader | undefined> {
  let text: string
  try {
    text = await readFile(pathOf(c, fileIdHex), 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  const hex = (JSON.parse(text) as { slices?: string[][] }).slices?.[slice]?.[index]
  return typeof hex === 'string' ? decodeShardHeader(fromHex(hex)) : undefined
}
