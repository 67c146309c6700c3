// A public key's id: SHA-256 over the key tagged with its multicodec code (the multikey encoding:
// unsigned varint of ed25519-pub 0xed, secp256k1-pub 0xe7 or p256-pub 0x1200, then the key bytes),
// so keys of different algorithms never share an id and the tag is a published standard.
import { assertBytes, concatBytes, toHex } from './bytes.ts'
import { UnsupportedAlgorithmError } from './errors.ts'
import { sha256 } from './sha256.ts'
import type { PublicKey, SignatureAlgorithm } from './signature-types.ts'
import { schemeOf } from './signing.ts'

const multicodecPrefix: Record<SignatureAlgorithm, Uint8Array> = {
  ed25519: Uint8Array.of(0xed, 0x01),
  secp256k1: Uint8Array.of(0xe7, 0x01),
  p256: Uint8Array.of(0x80, 0x24)
}

/** The multikey bytes of a public key: multicodec varint, then the key. */
export function encodePublicKey(publicKey: PublicKey): Uint8Array {
  const scheme = schemeOf(publicKey?.algorithm)
  assertBytes('publicKey.bytes', publicKey.bytes, scheme.publicKeyLength)
  return concatBytes(multicodecPrefix[scheme.algorithm], publicKey.bytes)
}

/** 32-byte id of a public key: SHA-256 of its multikey encoding. */
export async function publicKeyId(publicKey: PublicKey): Promise<Uint8Array> {
  return sha256(encodePublicKey(publicKey))
}

/** The public key of multikey bytes (the inverse of `encodePublicKey`). */
export function decodePublicKey(bytes: Uint8Array): PublicKey {
  assertBytes('bytes', bytes)
  for (const [algorithm, prefix] of Object.entries(multicodecPrefix) as [SignatureAlgorithm, Uint8Array][]) {
    if (bytes[0] === prefix[0] && bytes[1] === prefix[1]) {
      const key = bytes.slice(2)
      assertBytes(`${algorithm} public key`, key, schemeOf(algorithm).publicKeyLength)
      return { algorithm, bytes: key }
    }
  }
  throw new UnsupportedAlgorithmError(
    `bytes do not start with a known multicodec key prefix, got ${toHex(bytes.subarray(0, 2))}`
  )
}
