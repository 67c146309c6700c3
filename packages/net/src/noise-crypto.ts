// Noise's default crypto calls node:crypto's chacha20-poly1305 on Node-like runtimes; Bun's
// node:crypto (BoringSSL) has no such cipher and throws on the first handshake, so on Bun noise
// runs on its pure-JS crypto. Elsewhere noise picks its own (node:crypto on Node, JS in browsers:
// imported from noise's main entry, whose browser mapping bundlers follow).
import { type ICryptoInterface, pureJsCrypto } from '@chainsafe/libp2p-noise'

const isBun = (globalThis as { Bun?: unknown }).Bun !== undefined

export const noiseInit: { crypto?: ICryptoInterface } = isBun ? { crypto: pureJsCrypto } : {}
