// Ed25519 (RFC 8032) on node:crypto, WebCrypto or @noble/curves. All three give byte-identical
// signatures (Ed25519 is deterministic); the test suite checks it.
import { ed25519 } from '@noble/curves/ed25519.js'
import { concatBytes, fromBase64Url, fromHex } from './bytes.ts'
import { randomBytes } from './random.ts'
import { nodeCrypto, subtle } from './runtime.ts'
import type { SignatureBackend, SignatureEngine, SignatureScheme } from './signature-types.ts'
import { nodeVerifier, webCryptoVerifier } from './verifiers.ts'

// DER prefixes of an Ed25519 PKCS#8 private key and SPKI public key (RFC 8410); the key follows.
const pkcs8Prefix = fromHex('302e020100300506032b657004220420')
const spkiPrefix = fromHex('302a300506032b6570032100')

function nodeEngine(): SignatureEngine | undefined {
  const nc = nodeCrypto
  if (nc === undefined) return undefined
  return {
    async loadPrivate(privateKey) {
      const key = nc.createPrivateKey({
        key: concatBytes(pkcs8Prefix, privateKey) as Buffer,
        format: 'der',
        type: 'pkcs8'
      })
      const spki = nc.createPublicKey(key).export({ type: 'spki', format: 'der' })
      return {
        publicKey: new Uint8Array(spki.subarray(spki.length - 32)),
        sign: async (message) => new Uint8Array(nc.sign(null, message, key))
      }
    },
    verify: nodeVerifier(nc, spkiPrefix, null)
  }
}

async function webCryptoEngine(): Promise<SignatureEngine | undefined> {
  const s = subtle
  if (s === undefined) return undefined
  try {
    await s.importKey(
      'raw',
      ed25519.getPublicKey(new Uint8Array(32)) as Uint8Array<ArrayBuffer>,
      'Ed25519',
      false,
      ['verify']
    )
  } catch {
    return undefined // no Ed25519 in this runtime's WebCrypto (older browsers)
  }
  return {
    async loadPrivate(privateKey) {
      const pkcs8 = concatBytes(pkcs8Prefix, privateKey) as Uint8Array<ArrayBuffer>
      const key = await s.importKey('pkcs8', pkcs8, 'Ed25519', true, ['sign'])
      const jwk = await s.exportKey('jwk', key)
      return {
        publicKey: fromBase64Url(jwk.x!),
        sign: async (message) =>
          new Uint8Array(await s.sign('Ed25519', key, message as Uint8Array<ArrayBuffer>))
      }
    },
    verify: webCryptoVerifier(s, 'Ed25519', 'Ed25519')
  }
}

const nobleEngine: SignatureEngine = {
  async loadPrivate(privateKey) {
    const secret = privateKey.slice()
    return {
      publicKey: ed25519.getPublicKey(secret),
      sign: async (message) => ed25519.sign(message, secret)
    }
  },
  async verify(publicKey, message, signature) {
    try {
      // RFC 8032 rules (not the laxer ZIP-215), as OpenSSL and WebCrypto apply them.
      return ed25519.verify(signature, message, publicKey, { zip215: false })
    } catch {
      return false
    }
  }
}

let engines: Promise<Partial<Record<SignatureBackend, SignatureEngine>>> | undefined

export const ed25519Scheme: SignatureScheme = {
  algorithm: 'ed25519',
  publicKeyLength: 32,
  signatureLength: 64,
  randomPrivate: () => randomBytes(32),
  engines() {
    engines ??= webCryptoEngine().then((webcrypto) => {
      const node = nodeEngine()
      return { ...(node && { node }), ...(webcrypto && { webcrypto }), noble: nobleEngine }
    })
    return engines
  }
}
