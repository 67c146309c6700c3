// The file's name travels in the manifest encrypted under the file key, so storage peers (who see
// manifests) learn sizes and timing but not names. Key: the slice-key derivation at a slice index
// no slice can have (limits.maxSlices is far below it), so it never shares a key with a slice.
import { createAead, deriveSliceKey, generateNonce } from '@defs/crypto'

const META_SLICE_INDEX = 0xffffffff
const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder()

export interface FileMeta {
  name: string
}

export async function sealFileMeta(
  fileKey: Uint8Array,
  fileId: Uint8Array,
  seq: number,
  meta: FileMeta
): Promise<Uint8Array> {
  const key = await deriveSliceKey(fileKey, fileId, META_SLICE_INDEX, seq)
  const nonce = generateNonce()
  const sealed = await (await createAead()).encrypt(key, nonce, textEncoder.encode(JSON.stringify(meta)))
  const out = new Uint8Array(nonce.length + sealed.length)
  out.set(nonce)
  out.set(sealed, nonce.length)
  return out
}

export async function openFileMeta(
  fileKey: Uint8Array,
  fileId: Uint8Array,
  seq: number,
  bytes: Uint8Array
): Promise<FileMeta> {
  if (bytes.length < 12 + 16) return { name: '' }
  const key = await deriveSliceKey(fileKey, fileId, META_SLICE_INDEX, seq)
  const plain = await (await createAead()).decrypt(key, bytes.subarray(0, 12), bytes.subarray(12))
  const parsed = JSON.parse(textDecoder.decode(plain)) as Partial<FileMeta>
  return { name: typeof parsed.name === 'string' ? parsed.name : '' }
}
