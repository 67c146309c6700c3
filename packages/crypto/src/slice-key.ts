// File keys and the per-slice keys derived from them (encrypt, then encode: doc/architecture.md).
// Every (file, slice, version) gets its own AES key by HKDF, so a random 96-bit nonce is drawn
// under a key that seals one slice once: no (key, nonce) pair repeats even across billions of slices.
import { assertBytes, assertUint, concatBytes, utf8 } from './bytes.ts'
import { hkdfSha256 } from './hkdf.ts'
import { randomBytes } from './random.ts'

/** A file key: 32 random bytes that never leave the owner's keystore unwrapped. */
export type FileKey = Uint8Array

export const fileKeyLength = 32

export function generateFileKey(): FileKey {
  return randomBytes(fileKeyLength)
}

/** A fresh random 96-bit AES-GCM nonce. */
export function generateNonce(): Uint8Array {
  return randomBytes(12)
}

const sliceKeyLabel = utf8('defs/slice-key/v1')
const sliceAadLabel = utf8('defs/slice-aad/v1')

/** fileId (length-prefixed), slice index (u32 BE) and version (u64 BE) after a domain label. */
function sliceContext(
  label: Uint8Array,
  fileId: Uint8Array,
  sliceIndex: number,
  version: number
): Uint8Array {
  assertBytes('fileId', fileId)
  if (fileId.length < 1 || fileId.length > 255)
    throw new RangeError(`fileId must be 1..255 bytes, got ${fileId.length}`)
  assertUint('sliceIndex', sliceIndex, 0xffffffff)
  assertUint('version', version, Number.MAX_SAFE_INTEGER)
  const tail = new Uint8Array(12)
  const view = new DataView(tail.buffer)
  view.setUint32(0, sliceIndex)
  view.setUint32(4, Math.floor(version / 2 ** 32))
  view.setUint32(8, version >>> 0)
  return concatBytes(label, Uint8Array.of(fileId.length), fileId, tail)
}

/**
 * The AES-256 key of one slice: HKDF-SHA256(ikm = fileKey, salt = empty,
 * info = "defs/slice-key/v1" || len(fileId) || fileId || u32be(sliceIndex) || u64be(version)).
 */
export async function deriveSliceKey(
  fileKey: FileKey,
  fileId: Uint8Array,
  sliceIndex: number,
  version: number
): Promise<Uint8Array> {
  assertBytes('fileKey', fileKey, fileKeyLength)
  return hkdfSha256(fileKey, new Uint8Array(0), sliceContext(sliceKeyLabel, fileId, sliceIndex, version), 32)
}

/** The AAD that binds a slice's ciphertext to its file, index and version (same layout, its own label). */
export function sliceAad(fileId: Uint8Array, sliceIndex: number, version: number): Uint8Array {
  return sliceContext(sliceAadLabel, fileId, sliceIndex, version)
}
