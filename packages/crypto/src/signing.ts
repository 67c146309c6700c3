// Signing keys and signature checks over canonical bytes, whichever algorithm and backend.
import { assertBytes } from './bytes.ts'
import { ecdsaSchemes } from './ecdsa.ts'
import { ed25519Scheme } from './ed25519.ts'
import { BackendUnavailableError, UnsupportedAlgorithmError } from './errors.ts'
import type {
  PublicKey,
  SignatureAlgorithm,
  SignatureEngine,
  SignatureOptions,
  SignatureScheme,
  SigningKey
} from './signature-types.ts'

const schemes: Record<SignatureAlgorithm, SignatureScheme> = { ed25519: ed25519Scheme, ...ecdsaSchemes }

export const signatureAlgorithms: readonly SignatureAlgorithm[] = ['ed25519', 'secp256k1', 'p256']

export function schemeOf(algorithm: unknown): SignatureScheme {
  const scheme = Object.hasOwn(schemes, algorithm as string)
    ? schemes[algorithm as SignatureAlgorithm]
    : undefined
  if (scheme === undefined) {
    throw new UnsupportedAlgorithmError(
      `algorithm must be one of ${signatureAlgorithms.join(', ')}, got ${String(algorithm)}`
    )
  }
  return scheme
}

async function engineOf(
  scheme: SignatureScheme,
  options: SignatureOptions | undefined
): Promise<SignatureEngine> {
  const engines = await scheme.engines()
  const wanted = options?.backend ?? 'auto'
  const engine = wanted === 'auto' ? Object.values(engines)[0] : engines[wanted]
  if (engine === undefined) {
    const have = Object.keys(engines).join(', ')
    throw new BackendUnavailableError(
      `backend ${wanted} has no ${scheme.algorithm} in this runtime (have: ${have})`
    )
  }
  return engine
}

/** The signature backends this runtime has for `algorithm`, fastest first. */
export async function signatureBackends(algorithm: SignatureAlgorithm): Promise<string[]> {
  return Object.keys(await schemeOf(algorithm).engines())
}

class LocalSigningKey implements SigningKey {
  readonly algorithm: SignatureAlgorithm
  readonly publicKey: PublicKey
  readonly #privateKey: Uint8Array
  readonly #sign: (message: Uint8Array) => Promise<Uint8Array>

  constructor(
    algorithm: SignatureAlgorithm,
    privateKey: Uint8Array,
    publicKey: Uint8Array,
    sign: (m: Uint8Array) => Promise<Uint8Array>
  ) {
    this.algorithm = algorithm
    this.publicKey = Object.freeze({ algorithm, bytes: publicKey })
    this.#privateKey = privateKey
    this.#sign = sign
  }

  sign(message: Uint8Array): Promise<Uint8Array> {
    assertBytes('message', message)
    return this.#sign(message)
  }

  exportPrivate(): Uint8Array {
    return this.#privateKey.slice()
  }
}

/** A new random signing key; Ed25519 unless told otherwise. */
export async function generateSigningKey(
  algorithm: SignatureAlgorithm = 'ed25519',
  options?: SignatureOptions
): Promise<SigningKey> {
  return importSigningKey(algorithm, schemeOf(algorithm).randomPrivate(), options)
}

/** A signing key from its 32 raw private bytes (as `exportPrivate` gave them). */
export async function importSigningKey(
  algorithm: SignatureAlgorithm,
  privateKey: Uint8Array,
  options?: SignatureOptions
): Promise<SigningKey> {
  const scheme = schemeOf(algorithm)
  assertBytes('privateKey', privateKey, 32)
  const own = privateKey.slice()
  const loaded = await (await engineOf(scheme, options)).loadPrivate(own)
  return new LocalSigningKey(algorithm, own, loaded.publicKey, loaded.sign)
}

/**
 * True when `signature` is `publicKey`'s signature of `message`. A wrong, truncated or malformed
 * signature or public key gives false, never an exception (they arrive from peers); only an
 * unknown algorithm throws (UnsupportedAlgorithmError).
 */
export async function verifySignature(
  publicKey: PublicKey,
  message: Uint8Array,
  signature: Uint8Array,
  options?: SignatureOptions
): Promise<boolean> {
  const scheme = schemeOf(publicKey?.algorithm)
  if (!(publicKey.bytes instanceof Uint8Array) || publicKey.bytes.length !== scheme.publicKeyLength)
    return false
  if (!(signature instanceof Uint8Array) || signature.length !== scheme.signatureLength) return false
  assertBytes('message', message)
  return (await engineOf(scheme, options)).verify(publicKey.bytes, message, signature)
}
