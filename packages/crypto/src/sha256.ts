// SHA-256: node:crypto where present (SHA-NI, synchronous), WebCrypto on Deno and in browsers for
// the one-shot, @noble/hashes for the streaming and synchronous paths where no native one exists.
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import { assertBytes } from './bytes.ts'
import { type Hasher, hasherFrom } from './hasher.ts'
import { nodeCrypto, subtle } from './runtime.ts'

/** SHA-256 of `data` (32 bytes), the fastest native path of the runtime. */
export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  assertBytes('data', data)
  if (nodeCrypto !== undefined) return nodeSha256(data)
  if (subtle !== undefined)
    return new Uint8Array(await subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>))
  return nobleSha256(data)
}

/**
 * SHA-256 without a promise. Native (node:crypto) on Node and Bun; on Deno and in browsers
 * WebCrypto has no synchronous digest, so this falls back to @noble/hashes (about 7x slower).
 */
export function sha256Sync(data: Uint8Array): Uint8Array {
  assertBytes('data', data)
  return nodeCrypto !== undefined ? nodeSha256(data) : nobleSha256(data)
}

function nodeSha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(nodeCrypto!.createHash('sha256').update(data).digest())
}

/** A streaming SHA-256. */
export function createSha256(): Hasher {
  if (nodeCrypto !== undefined) {
    const hash = nodeCrypto.createHash('sha256')
    return hasherFrom(
      (data) => hash.update(data),
      () => new Uint8Array(hash.digest())
    )
  }
  const hash = nobleSha256.create()
  return hasherFrom(
    (data) => hash.update(data),
    () => hash.digest()
  )
}
