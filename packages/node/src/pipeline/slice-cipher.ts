// AES-256-GCM of one slice, straight between the plaintext and the shard memory, in pieces.
// @defs/crypto's Aead hands the whole slice to one Cipher.update, which returns a fresh buffer of
// the slice's size: at 64 MiB that is a page-faulted allocation and a cold copy, and measured here
// runs at a third of the speed of 256 KiB pieces, whose output stays in cache for the copy and the
// hash that follows. The bytes are the same as Aead's (ciphertext || 16-byte tag), so either opens
// the other's output; the pipeline runs in Node worker threads, so node:crypto is always there.
import { createCipheriv, createDecipheriv } from 'node:crypto'
import { AuthenticationError } from '@defs/crypto'
import { freeBytes } from './free-memory.ts'
import { SEAL_OVERHEAD } from './layout.ts'

/** Bytes per Cipher.update: the output and the hash over it stay in L2. */
export const CIPHER_PIECE = 256 * 1024

export interface SliceCipherKey {
  key: Uint8Array
  nonce: Uint8Array
  aad: Uint8Array
}

/**
 * Encrypts `plain` into `out` (at least plain.length + 16 bytes): ciphertext then tag. After each
 * piece is written, `written(start, end)` is called with its range in `out`, so the caller can hash
 * it while it is still in cache.
 */
export function encryptInto(
  k: SliceCipherKey,
  plain: Uint8Array,
  out: Uint8Array,
  written?: (start: number, end: number) => void
): void {
  if (out.length < plain.length + SEAL_OVERHEAD) {
    throw new RangeError(`out must be at least ${plain.length + SEAL_OVERHEAD} bytes, got ${out.length}`)
  }
  const cipher = createCipheriv('aes-256-gcm', k.key, k.nonce)
  cipher.setAAD(k.aad)
  for (let at = 0; at < plain.length; at += CIPHER_PIECE) {
    const end = Math.min(plain.length, at + CIPHER_PIECE)
    const piece = cipher.update(plain.subarray(at, end))
    out.set(piece, at)
    freeBytes(piece)
    written?.(at, end)
  }
  cipher.final()
  out.set(cipher.getAuthTag(), plain.length)
  written?.(plain.length, plain.length + SEAL_OVERHEAD)
}

/**
 * Decrypts the ciphertext || tag that runs across `pieces` (the data shards, in order; only the
 * first `plainLength + 16` bytes count, the rest is padding) into `out`. On a bad tag `out` is
 * zeroed, so unauthenticated plaintext never leaves, and AuthenticationError is thrown.
 */
export function decryptFrom(
  k: SliceCipherKey,
  pieces: Uint8Array[],
  plainLength: number,
  out: Uint8Array
): void {
  if (out.length < plainLength)
    throw new RangeError(`out must be at least ${plainLength} bytes, got ${out.length}`)
  const decipher = createDecipheriv('aes-256-gcm', k.key, k.nonce, { authTagLength: SEAL_OVERHEAD })
  decipher.setAAD(k.aad)
  const tag = new Uint8Array(SEAL_OVERHEAD)
  let at = 0
  for (const piece of pieces) {
    for (let from = 0; from < piece.length && at < plainLength + SEAL_OVERHEAD; ) {
      if (at >= plainLength) {
        // The tag may straddle two shards: gather its bytes.
        const n = Math.min(piece.length - from, plainLength + SEAL_OVERHEAD - at)
        tag.set(piece.subarray(from, from + n), at - plainLength)
        at += n
        from += n
        continue
      }
      const n = Math.min(piece.length - from, plainLength - at, CIPHER_PIECE)
      const plain = decipher.update(piece.subarray(from, from + n))
      out.set(plain, at)
      freeBytes(plain)
      at += n
      from += n
    }
  }
  if (at < plainLength + SEAL_OVERHEAD) {
    throw new AuthenticationError(`slice ciphertext is ${at} bytes, short of ${plainLength + SEAL_OVERHEAD}`)
  }
  decipher.setAuthTag(tag)
  try {
    decipher.final()
  } catch {
    out.fill(0, 0, plainLength)
    throw new AuthenticationError(
      'slice does not authenticate (wrong key, nonce or slice, or tampered shards)'
    )
  }
}
