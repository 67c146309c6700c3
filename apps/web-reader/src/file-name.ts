// The file's name, which the manifest carries encrypted under the file key (nonce || AES-GCM of
// {"name": ...}, keyed like a slice at index 0xffffffff, which no slice has).
import { createAead, deriveSliceKey } from '@defs/crypto'
import type { Manifest } from '@defs/segment'
import type { Capability } from './capability.ts'

const META_SLICE_INDEX = 0xffffffff
const NONCE_BYTES = 12

export async function fileName(manifest: Manifest, cap: Capability): Promise<string> {
  const fallback = `${cap.fileIdHex}.bin`
  if (manifest.meta.length <= NONCE_BYTES) return fallback
  try {
    const key = await deriveSliceKey(cap.fileKey, cap.fileId, META_SLICE_INDEX, manifest.seq)
    const aead = await createAead()
    const plain = await aead.decrypt(
      key,
      manifest.meta.subarray(0, NONCE_BYTES),
      manifest.meta.subarray(NONCE_BYTES)
    )
    const { name } = JSON.parse(new TextDecoder().decode(plain)) as { name?: unknown }
    // a name, never a path
    return typeof name === 'string' && name !== '' ? (name.split(/[/\\]/).pop() ?? fallback) : fallback
  } catch {
    return fallback
  }
}
