// AES-256-GCM on node:crypto (OpenSSL, AES-NI): Node and Bun. Cipher.update always returns a new
// buffer, so ciphertext || tag cannot come for free. With `out` the one copy is the one the caller
// needed anyway (into its shard arena) and the cost matches raw node:crypto. Without it, on Node the
// ciphertext's own ArrayBuffer is grown by 16 bytes with ArrayBuffer.transfer (realloc, often in
// place); elsewhere it is copied into unzeroed memory.
import type { Aead, AeadBackend } from './aead.ts'
import { checkOpenArgs, checkSealArgs, notAuthentic, outputView, tagLength } from './aead-checks.ts'
import { type NodeCrypto, runtimeName } from './runtime.ts'

interface BufferConstructorLike {
  allocUnsafeSlow(size: number): Uint8Array
}

const NodeBuffer = (globalThis as { Buffer?: BufferConstructorLike }).Buffer
// Bun's transfer copies (and its update output already carries a spare byte): there, copy directly.
// (ES2024's ArrayBuffer.transfer; the project's lib is ES2023, hence the local type.)
type Growable = ArrayBuffer & { transfer?: (length: number) => ArrayBuffer }
const growInPlace =
  runtimeName === 'node' && typeof (ArrayBuffer.prototype as Growable).transfer === 'function'

/** ciphertext || tag as one plain Uint8Array, copying the ciphertext only when it cannot be grown. */
function appendTag(ciphertext: Uint8Array, tag: Uint8Array): Uint8Array {
  const n = ciphertext.length // read before transfer: a detached view reads as empty
  let sealed: Uint8Array | undefined
  // Only a buffer that is exactly this view's own (never a slice of Node's shared pool) is grown.
  const own =
    ciphertext.buffer instanceof ArrayBuffer &&
    ciphertext.byteOffset === 0 &&
    ciphertext.buffer.byteLength === n
  if (growInPlace && own) {
    try {
      sealed = new Uint8Array((ciphertext.buffer as Growable).transfer!(n + tagLength))
    } catch {
      sealed = undefined // a buffer Node marked non-detachable: copy below
    }
  }
  if (sealed === undefined) {
    const b = NodeBuffer?.allocUnsafeSlow(n + tagLength) ?? new Uint8Array(n + tagLength)
    sealed = new Uint8Array(b.buffer, b.byteOffset, n + tagLength)
    sealed.set(ciphertext)
  }
  sealed.set(tag, n)
  return sealed
}

export function nodeAead(nc: NodeCrypto): Aead {
  return {
    backend: 'node' satisfies AeadBackend,
    async encrypt(key, nonce, plaintext, aad, out) {
      checkSealArgs(key, nonce, plaintext, aad)
      const dst = outputView(out, plaintext.length + tagLength)
      const cipher = nc.createCipheriv('aes-256-gcm', key, nonce)
      if (aad !== undefined) cipher.setAAD(aad)
      const ciphertext = cipher.update(plaintext)
      cipher.final()
      if (dst === undefined) return appendTag(ciphertext, cipher.getAuthTag())
      dst.set(ciphertext)
      dst.set(cipher.getAuthTag(), plaintext.length)
      return dst
    },
    async decrypt(key, nonce, input, aad, out) {
      const length = checkOpenArgs(key, nonce, input, aad)
      const dst = outputView(out, length)
      const decipher = nc.createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: tagLength })
      decipher.setAuthTag(input.subarray(length))
      if (aad !== undefined) decipher.setAAD(aad)
      const plaintext = decipher.update(input.subarray(0, length))
      try {
        decipher.final()
      } catch {
        throw notAuthentic()
      }
      if (dst === undefined) return new Uint8Array(plaintext.buffer, plaintext.byteOffset, plaintext.length)
      dst.set(plaintext)
      return dst
    }
  }
}
