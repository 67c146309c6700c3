// The keystore: file keys this node's user owns (or was given), wrapped to the user's key in the
// meta store. A file key is never written in the clear: not here, not in a task record.
import { type SigningKey, unwrapKeyWithSigningKey, wrapKeyForRecipient } from '@defs/crypto'
import type { MetaStore } from './disk/meta-store.ts'

export interface Keystore {
  /** Keeps `fileKey` for `fileIdHex`, wrapped to the user's key. */
  put(fileIdHex: string, fileKey: Uint8Array): Promise<void>
  /** The file key, unwrapped, or undefined when this node holds none for the file. */
  get(fileIdHex: string): Promise<Uint8Array | undefined>
  has(fileIdHex: string): Promise<boolean>
}

export function createKeystore(meta: MetaStore, userKey: SigningKey): Keystore {
  return {
    async put(fileIdHex, fileKey) {
      await meta.putFileKey(fileIdHex, await wrapKeyForRecipient(fileKey, userKey.publicKey))
    },
    async get(fileIdHex) {
      const wrapped = await meta.getFileKey(fileIdHex)
      return wrapped === undefined ? undefined : unwrapKeyWithSigningKey(wrapped, userKey)
    },
    async has(fileIdHex) {
      return (await meta.getFileKey(fileIdHex)) !== undefined
    }
  }
}
