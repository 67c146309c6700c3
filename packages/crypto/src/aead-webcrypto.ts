// AES-256-GCM on WebCrypto: Deno (where node:crypto's GCM is 10x slower) and browsers. WebCrypto
// returns a fresh buffer, so `out` costs one copy here.
import type { Aead } from './aead.ts'
import { copyingAead } from './aead-copying.ts'
import { constantTimeEqual } from './bytes.ts'

type Bytes = Uint8Array<ArrayBuffer>

export function webCryptoAead(subtle: SubtleCrypto): Aead {
  // Importing a key costs about as much as sealing 16 KiB; a caller that reuses one key pays it once.
  let lastKeyBytes: Uint8Array | undefined
  let lastKey: Promise<CryptoKey> | undefined
  const importKey = (key: Uint8Array): Promise<CryptoKey> => {
    if (lastKey === undefined || !constantTimeEqual(lastKeyBytes!, key)) {
      lastKeyBytes = key.slice()
      lastKey = subtle.importKey('raw', lastKeyBytes as Bytes, 'AES-GCM', false, ['encrypt', 'decrypt'])
    }
    return lastKey
  }
  const params = (nonce: Uint8Array, aad: Uint8Array | undefined): AesGcmParams => ({
    name: 'AES-GCM',
    iv: nonce as Bytes,
    tagLength: 128,
    ...(aad !== undefined && { additionalData: aad as Bytes })
  })
  return copyingAead(
    'webcrypto',
    async (key, nonce, plaintext, aad) =>
      new Uint8Array(await subtle.encrypt(params(nonce, aad), await importKey(key), plaintext as Bytes)),
    async (key, nonce, sealed, aad) =>
      new Uint8Array(await subtle.decrypt(params(nonce, aad), await importKey(key), sealed as Bytes))
  )
}
