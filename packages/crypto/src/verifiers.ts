// Signature checks on the native backends, shared by Ed25519 and P-256: the public key is imported
// once (into a bounded cache) and anything malformed answers false.
import type { KeyObject } from 'node:crypto'
import { concatBytes, toHex } from './bytes.ts'
import { KeyCache } from './key-cache.ts'
import type { NodeCrypto } from './runtime.ts'
import type { SignatureEngine } from './signature-types.ts'

type Verify = SignatureEngine['verify']
type Bytes = Uint8Array<ArrayBuffer>

/** node:crypto: keys from SPKI DER (`spkiPrefix` || key bytes); `digest` null for Ed25519. */
export function nodeVerifier(nc: NodeCrypto, spkiPrefix: Uint8Array, digest: 'sha256' | null): Verify {
  const publicKeys = new KeyCache<KeyObject>()
  return async (publicKey, message, signature) => {
    try {
      const key = publicKeys.get(toHex(publicKey), () =>
        nc.createPublicKey({ key: concatBytes(spkiPrefix, publicKey) as Buffer, format: 'der', type: 'spki' })
      )
      // ECDSA signatures are r || s (IEEE P1363), not DER.
      return nc.verify(digest, message, digest === null ? key : { key, dsaEncoding: 'ieee-p1363' }, signature)
    } catch {
      return false
    }
  }
}

/** WebCrypto: keys imported as `raw` (after `toRaw`, for formats WebCrypto will not take). */
export function webCryptoVerifier(
  subtle: SubtleCrypto,
  importParams: AlgorithmIdentifier | EcKeyImportParams,
  verifyParams: AlgorithmIdentifier | EcdsaParams,
  toRaw: (publicKey: Uint8Array) => Uint8Array = (k) => k
): Verify {
  const publicKeys = new KeyCache<Promise<CryptoKey>>()
  return async (publicKey, message, signature) => {
    try {
      const key = await publicKeys.get(toHex(publicKey), () =>
        subtle.importKey('raw', toRaw(publicKey) as Bytes, importParams, false, ['verify'])
      )
      return await subtle.verify(verifyParams, key, signature as Bytes, message as Bytes)
    } catch {
      return false
    }
  }
}
