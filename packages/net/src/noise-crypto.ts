// Noise's default crypto calls node:crypto's chacha20-poly1305 on Node-like runtimes; Bun's
// node:crypto (BoringSSL) has no such cipher and throws on the first handshake, so on Bun the AEAD
// is noise's own pure-JS one and the rest (SHA-256, X25519) stays native.
import type { ICryptoInterface } from '@chainsafe/libp2p-noise'
import { defaultCrypto, pureJsCrypto } from '@chainsafe/libp2p-noise/crypto'

const isBun = (globalThis as { Bun?: unknown }).Bun !== undefined

export const noiseCrypto: ICryptoInterface = isBun
  ? {
      ...defaultCrypto,
      chaCha20Poly1305Encrypt: pureJsCrypto.chaCha20Poly1305Encrypt,
      chaCha20Poly1305Decrypt: pureJsCrypto.chaCha20Poly1305Decrypt
    }
  : defaultCrypto
