// An Aead over a primitive that returns ciphertext || tag (or the plaintext) in a buffer of its own,
// as WebCrypto and @noble/ciphers do: `out`, when given, is filled by one copy.
import type { Aead, AeadBackend } from './aead.ts'
import { checkOpenArgs, checkSealArgs, notAuthentic, outputView, tagLength } from './aead-checks.ts'

type Primitive = (
  key: Uint8Array,
  nonce: Uint8Array,
  input: Uint8Array,
  aad: Uint8Array | undefined
) => Promise<Uint8Array> | Uint8Array

function deliver(dst: Uint8Array | undefined, bytes: Uint8Array): Uint8Array {
  if (dst === undefined) return bytes
  dst.set(bytes)
  return dst
}

export function copyingAead(backend: AeadBackend, seal: Primitive, open: Primitive): Aead {
  return {
    backend,
    async encrypt(key, nonce, plaintext, aad, out) {
      checkSealArgs(key, nonce, plaintext, aad)
      const dst = outputView(out, plaintext.length + tagLength)
      return deliver(dst, await seal(key, nonce, plaintext, aad))
    },
    async decrypt(key, nonce, input, aad, out) {
      const dst = outputView(out, checkOpenArgs(key, nonce, input, aad))
      let plaintext: Uint8Array
      try {
        plaintext = await open(key, nonce, input, aad)
      } catch {
        throw notAuthentic()
      }
      return deliver(dst, plaintext)
    }
  }
}
