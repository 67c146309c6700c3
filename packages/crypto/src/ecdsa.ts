// ECDSA with SHA-256 over secp256k1 (@noble/curves: node:crypto and WebCrypto either lack the curve
// or do not enforce low-S) and P-256 (node:crypto, WebCrypto, @noble/curves). Signatures are the
// 64-byte r||s form; public keys the 33-byte compressed point.
import { p256 } from '@noble/curves/nist.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { fromHex, toBase64Url } from './bytes.ts'
import { InvalidKeyError } from './errors.ts'
import { nodeCrypto, subtle } from './runtime.ts'
import type { SignatureBackend, SignatureEngine, SignatureScheme } from './signature-types.ts'
import { nodeVerifier, webCryptoVerifier } from './verifiers.ts'

type NobleEcdsa = typeof p256

function nobleEngine(curve: NobleEcdsa, lowS: boolean): SignatureEngine {
  return {
    async loadPrivate(privateKey) {
      if (!curve.utils.isValidSecretKey(privateKey))
        throw new InvalidKeyError('privateKey is not a valid scalar of the curve')
      const secret = privateKey.slice()
      return {
        publicKey: curve.getPublicKey(secret, true),
        sign: async (message) => curve.sign(message, secret)
      }
    },
    async verify(publicKey, message, signature) {
      try {
        return curve.verify(signature, message, publicKey, { lowS })
      } catch {
        return false
      }
    }
  }
}

/** x and y of the uncompressed point, base64url, for a JWK. */
function jwkPoint(uncompressed: Uint8Array): { x: string; y: string } {
  return { x: toBase64Url(uncompressed.subarray(1, 33)), y: toBase64Url(uncompressed.subarray(33, 65)) }
}

// SPKI DER prefix of a P-256 public key in compressed form; OpenSSL accepts compressed points.
const p256SpkiPrefix = fromHex('3039301306072a8648ce3d020106082a8648ce3d030107032200')

function p256NodeEngine(): SignatureEngine | undefined {
  const nc = nodeCrypto
  if (nc === undefined) return undefined
  return {
    async loadPrivate(privateKey) {
      if (!p256.utils.isValidSecretKey(privateKey))
        throw new InvalidKeyError('privateKey is not a valid P-256 scalar')
      const ecdh = nc.createECDH('prime256v1')
      ecdh.setPrivateKey(privateKey)
      const point = jwkPoint(ecdh.getPublicKey())
      const key = nc.createPrivateKey({
        key: { kty: 'EC', crv: 'P-256', d: toBase64Url(privateKey), ...point },
        format: 'jwk'
      })
      return {
        publicKey: new Uint8Array(ecdh.getPublicKey(null, 'compressed')),
        sign: async (message) =>
          new Uint8Array(nc.sign('sha256', message, { key, dsaEncoding: 'ieee-p1363' }))
      }
    },
    verify: nodeVerifier(nc, p256SpkiPrefix, 'sha256')
  }
}

const ecdsaP256 = { name: 'ECDSA', namedCurve: 'P-256' } as const
const ecdsaSha256 = { name: 'ECDSA', hash: 'SHA-256' } as const

function p256WebCryptoEngine(): SignatureEngine | undefined {
  const s = subtle
  if (s === undefined) return undefined
  return {
    async loadPrivate(privateKey) {
      if (!p256.utils.isValidSecretKey(privateKey))
        throw new InvalidKeyError('privateKey is not a valid P-256 scalar')
      const point = jwkPoint(p256.getPublicKey(privateKey, false))
      const jwk = { kty: 'EC', crv: 'P-256', d: toBase64Url(privateKey), ...point }
      const key = await s.importKey('jwk', jwk, ecdsaP256, false, ['sign'])
      return {
        publicKey: p256.getPublicKey(privateKey, true),
        sign: async (message) =>
          new Uint8Array(await s.sign(ecdsaSha256, key, message as Uint8Array<ArrayBuffer>))
      }
    },
    // WebCrypto's raw EC import takes the uncompressed point only.
    verify: webCryptoVerifier(s, ecdsaP256, ecdsaSha256, (k) => p256.Point.fromBytes(k).toBytes(false))
  }
}

let p256Engines: Promise<Partial<Record<SignatureBackend, SignatureEngine>>> | undefined

const p256Scheme: SignatureScheme = {
  algorithm: 'p256',
  publicKeyLength: 33,
  signatureLength: 64,
  randomPrivate: () => p256.utils.randomSecretKey(),
  engines() {
    p256Engines ??= Promise.resolve().then(() => {
      const node = p256NodeEngine()
      const webcrypto = p256WebCryptoEngine()
      // node:crypto and WebCrypto sign with either S; accept both halves, as they do.
      return { ...(node && { node }), ...(webcrypto && { webcrypto }), noble: nobleEngine(p256, false) }
    })
    return p256Engines
  }
}

const secp256k1Engines = Promise.resolve({ noble: nobleEngine(secp256k1 as unknown as NobleEcdsa, true) })

const secp256k1Scheme: SignatureScheme = {
  algorithm: 'secp256k1',
  publicKeyLength: 33,
  signatureLength: 64,
  randomPrivate: () => secp256k1.utils.randomSecretKey(),
  engines: () => secp256k1Engines
}

export const ecdsaSchemes = { secp256k1: secp256k1Scheme, p256: p256Scheme } as const
