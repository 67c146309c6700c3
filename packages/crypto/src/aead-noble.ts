// AES-256-GCM in pure TypeScript (@noble/ciphers): the fallback where no native AES exists, and the
// reference the native backends are checked against. About 60x slower than native.
import { gcm } from '@noble/ciphers/aes.js'
import type { Aead } from './aead.ts'
import { copyingAead } from './aead-copying.ts'

export function nobleAead(): Aead {
  return copyingAead(
    'noble',
    (key, nonce, plaintext, aad) => gcm(key, nonce, aad).encrypt(plaintext),
    (key, nonce, sealed, aad) => gcm(key, nonce, aad).decrypt(sealed)
  )
}
