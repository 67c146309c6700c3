// HKDF-SHA256 (RFC 5869): node:crypto's hkdfSync where present (one native call, no promise
// round-trip to a thread pool), WebCrypto on Deno and in browsers, @noble/hashes elsewhere.
import { hkdf as nobleHkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { assertBytes } from './bytes.ts'
import { BackendUnavailableError } from './errors.ts'
import { nodeCrypto, subtle } from './runtime.ts'

export type HkdfBackend = 'node' | 'webcrypto' | 'noble'

/** HKDF-SHA256 of `ikm` with `salt` and `info`: `length` (1..8160) bytes of output keying material. */
export async function hkdfSha256(
  ikm: Uint8Array,
  salt: Uint8Array,
  info: Uint8Array,
  length: number,
  backend: 'auto' | HkdfBackend = 'auto'
): Promise<Uint8Array> {
  assertBytes('ikm', ikm)
  assertBytes('salt', salt)
  assertBytes('info', info)
  if (!Number.isInteger(length) || length < 1 || length > 255 * 32) {
    throw new RangeError(`length must be an integer in 1..8160, got ${length}`)
  }
  const use = backend === 'auto' ? (nodeCrypto ? 'node' : subtle ? 'webcrypto' : 'noble') : backend
  if ((use === 'node' && !nodeCrypto) || (use === 'webcrypto' && !subtle)) {
    throw new BackendUnavailableError(`backend ${use} is not available for HKDF in this runtime`)
  }
  if (use === 'node' && nodeCrypto !== undefined) {
    // Node's hkdf rejects info over 1024 bytes; that bound is far above any info we build.
    return new Uint8Array(nodeCrypto.hkdfSync('sha256', ikm, salt, info, length))
  }
  if (use === 'webcrypto' && subtle !== undefined) {
    const key = await subtle.importKey('raw', ikm as Uint8Array<ArrayBuffer>, 'HKDF', false, ['deriveBits'])
    const params = {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: salt as Uint8Array<ArrayBuffer>,
      info: info as Uint8Array<ArrayBuffer>
    }
    return new Uint8Array(await subtle.deriveBits(params, key, length * 8))
  }
  return nobleHkdf(sha256, ikm, salt, info, length)
}
