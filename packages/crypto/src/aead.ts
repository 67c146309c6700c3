// AES-256-GCM with 96-bit nonces and 128-bit tags, on the fastest backend of the runtime.

import { nobleAead } from './aead-noble.ts'
import { nodeAead } from './aead-node.ts'
import { webCryptoAead } from './aead-webcrypto.ts'
import { BackendUnavailableError } from './errors.ts'
import { nodeCrypto, subtle } from './runtime.ts'

export type AeadBackend = 'node' | 'webcrypto' | 'noble'

export interface Aead {
  readonly backend: AeadBackend
  /**
   * Encrypt `plaintext` under (key, nonce), binding `aad`: ciphertext || 16-byte tag. With `out`
   * (at least plaintext.length + 16 bytes) the result is written there and a view of it returned;
   * `out` may not overlap `plaintext`.
   */
  encrypt(
    key: Uint8Array,
    nonce: Uint8Array,
    plaintext: Uint8Array,
    aad?: Uint8Array,
    out?: Uint8Array
  ): Promise<Uint8Array>
  /**
   * Decrypt ciphertext || tag. Throws AuthenticationError when the ciphertext, tag, nonce, key or
   * AAD is not the one sealed, and then writes nothing to `out`.
   */
  decrypt(
    key: Uint8Array,
    nonce: Uint8Array,
    ciphertextWithTag: Uint8Array,
    aad?: Uint8Array,
    out?: Uint8Array
  ): Promise<Uint8Array>
}

export interface AeadOptions {
  /** `auto` (default): node:crypto on Node and Bun, WebCrypto on Deno and in browsers, else noble. */
  backend?: 'auto' | AeadBackend
}

/** The AEAD backends this runtime has, fastest first. */
export function aeadBackends(): AeadBackend[] {
  const have: AeadBackend[] = []
  if (nodeCrypto !== undefined) have.push('node')
  if (subtle !== undefined) have.push('webcrypto')
  have.push('noble')
  return have
}

export async function createAead(options?: AeadOptions): Promise<Aead> {
  const wanted = options?.backend ?? 'auto'
  const backend = wanted === 'auto' ? aeadBackends()[0]! : wanted
  if (!aeadBackends().includes(backend)) {
    throw new BackendUnavailableError(
      `backend ${backend} is not available here (have: ${aeadBackends().join(', ')})`
    )
  }
  if (backend === 'node') return nodeAead(nodeCrypto!)
  if (backend === 'webcrypto') return webCryptoAead(subtle!)
  return nobleAead()
}
