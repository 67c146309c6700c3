// ECDH toward a user's signing key, for wrapping keys to them: X25519 for Ed25519 keys (through the
// birational map of RFC 7748, noble's toMontgomery), plain ECDH on secp256k1 and P-256.
import { ed25519, x25519 } from '@noble/curves/ed25519.js'
import { p256 } from '@noble/curves/nist.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { InvalidKeyError } from './errors.ts'
import type { PublicKey, SignatureAlgorithm } from './signature-types.ts'

export interface Agreement {
  /** The ephemeral public key to send along. */
  ephemeralPublicKey: Uint8Array
  sharedSecret: Uint8Array
}

interface Curve {
  readonly ephemeralLength: number
  /** A fresh ephemeral key and its shared secret with `recipient` (the signing public key bytes). */
  send(recipient: Uint8Array): Agreement
  /** The same shared secret, from the recipient's signing private key and the ephemeral public key. */
  receive(privateKey: Uint8Array, ephemeralPublicKey: Uint8Array): Uint8Array
}

type Weierstrass = typeof p256

function weierstrass(curve: Weierstrass): Curve {
  // The x-coordinate of the shared point (SEC 1 ECDH), without the compressed-point prefix byte.
  const x = (secret: Uint8Array, publicKey: Uint8Array): Uint8Array =>
    curve.getSharedSecret(secret, publicKey, true).slice(1)
  return {
    ephemeralLength: 33,
    send(recipient) {
      const secret = curve.utils.randomSecretKey()
      return { ephemeralPublicKey: curve.getPublicKey(secret, true), sharedSecret: x(secret, recipient) }
    },
    receive: x
  }
}

const montgomery: Curve = {
  ephemeralLength: 32,
  send(recipient) {
    const { secretKey, publicKey } = x25519.keygen()
    return {
      ephemeralPublicKey: publicKey,
      sharedSecret: x25519.getSharedSecret(secretKey, ed25519.utils.toMontgomery(recipient))
    }
  },
  receive(privateKey, ephemeralPublicKey) {
    return x25519.getSharedSecret(ed25519.utils.toMontgomerySecret(privateKey), ephemeralPublicKey)
  }
}

const curves: Record<SignatureAlgorithm, Curve> = {
  ed25519: montgomery,
  secp256k1: weierstrass(secp256k1 as unknown as Weierstrass),
  p256: weierstrass(p256)
}

export function ephemeralLength(algorithm: SignatureAlgorithm): number {
  return curves[algorithm].ephemeralLength
}

/** Agree on a secret with the holder of `recipient`; InvalidKeyError if its bytes are not a point. */
export function agreeWith(recipient: PublicKey): Agreement {
  try {
    return curves[recipient.algorithm].send(recipient.bytes)
  } catch (cause) {
    throw new InvalidKeyError(`recipient is not a valid ${recipient.algorithm} public key`, { cause })
  }
}

export function agreeAsRecipient(
  algorithm: SignatureAlgorithm,
  privateKey: Uint8Array,
  ephemeralPublicKey: Uint8Array
): Uint8Array | undefined {
  try {
    return curves[algorithm].receive(privateKey, ephemeralPublicKey)
  } catch {
    return undefined // a malformed ephemeral key: the caller reports the blob as malformed
  }
}
