// Wrapping a file key (or any secret up to 4 KiB) so it can be stored or sent: under a passphrase
// (argon2id), under a 32-byte key, or to the holder of a signing key (ephemeral ECDH + HKDF).
import { argon2id } from 'hash-wasm'
import { assertBytes, concatBytes, utf8 } from './bytes.ts'
import { InvalidKeyError, KdfParametersError, MalformedWrappedKeyError } from './errors.ts'
import { hkdfSha256 } from './hkdf.ts'
import { agreeAsRecipient, agreeWith, ephemeralLength } from './key-agreement.ts'
import { randomBytes } from './random.ts'
import type { PublicKey, SignatureAlgorithm, SigningKey } from './signature-types.ts'
import { schemeOf } from './signing.ts'
import { HeaderReader, headerStart, maxWrappedSecret, open, seal } from './wrapped-key.ts'

export interface Argon2idParams {
  /** KiB of memory, 8 * parallelism .. 1 GiB; default 64 MiB. */
  memoryKiB?: number
  /** Passes, 1..64; default 3. */
  iterations?: number
  /** Lanes, 1..16; default 1 (hash-wasm computes lanes one after another). */
  parallelism?: number
}

/** Bounds on parameters read from a blob: a forged blob must not make us spend more than 1 GiB. */
export const argon2idLimits = { maxMemoryKiB: 1 << 20, maxIterations: 64, maxParallelism: 16 } as const
export const defaultArgon2idParams = { memoryKiB: 65536, iterations: 3, parallelism: 1 } as const

function checkParams(memoryKiB: number, iterations: number, parallelism: number): void {
  const ok = (v: number, min: number, max: number): boolean => Number.isInteger(v) && v >= min && v <= max
  if (!ok(parallelism, 1, argon2idLimits.maxParallelism)) {
    throw new KdfParametersError(
      `parallelism must be 1..${argon2idLimits.maxParallelism}, got ${parallelism}`
    )
  }
  if (!ok(memoryKiB, 8 * parallelism, argon2idLimits.maxMemoryKiB)) {
    throw new KdfParametersError(
      `memoryKiB must be ${8 * parallelism}..${argon2idLimits.maxMemoryKiB}, got ${memoryKiB}`
    )
  }
  if (!ok(iterations, 1, argon2idLimits.maxIterations)) {
    throw new KdfParametersError(`iterations must be 1..${argon2idLimits.maxIterations}, got ${iterations}`)
  }
}

function checkSecret(secret: Uint8Array): void {
  assertBytes('secret', secret)
  if (secret.length < 1 || secret.length > maxWrappedSecret) {
    throw new RangeError(`secret must be 1..${maxWrappedSecret} bytes, got ${secret.length}`)
  }
}

function passphraseBytes(passphrase: string | Uint8Array): Uint8Array {
  if (typeof passphrase === 'string') return utf8(passphrase.normalize('NFC'))
  assertBytes('passphrase', passphrase)
  return passphrase
}

async function argon2Kek(
  passphrase: Uint8Array,
  salt: Uint8Array,
  memoryKiB: number,
  iterations: number,
  parallelism: number
): Promise<Uint8Array> {
  return argon2id({
    password: passphrase,
    salt,
    memorySize: memoryKiB,
    iterations,
    parallelism,
    hashLength: 32,
    outputType: 'binary'
  })
}

/** `secret` sealed under a key derived from `passphrase` by argon2id; the parameters travel in the blob. */
export async function wrapKeyWithPassphrase(
  secret: Uint8Array,
  passphrase: string | Uint8Array,
  params: Argon2idParams = {}
): Promise<Uint8Array> {
  checkSecret(secret)
  const { memoryKiB, iterations, parallelism } = { ...defaultArgon2idParams, ...params }
  checkParams(memoryKiB, iterations, parallelism)
  const salt = randomBytes(16)
  const fields = new Uint8Array(9)
  const view = new DataView(fields.buffer)
  view.setUint32(0, memoryKiB)
  view.setUint32(4, iterations)
  view.setUint8(8, parallelism)
  const header = concatBytes(headerStart('passphrase'), fields, salt)
  const kek = await argon2Kek(passphraseBytes(passphrase), salt, memoryKiB, iterations, parallelism)
  return seal(header, kek, secret)
}

/** The secret of a passphrase blob. AuthenticationError: wrong passphrase or altered blob. */
export async function unwrapKeyWithPassphrase(
  blob: Uint8Array,
  passphrase: string | Uint8Array
): Promise<Uint8Array> {
  assertBytes('blob', blob)
  const reader = new HeaderReader(blob, 'passphrase')
  const memoryKiB = reader.u32()
  const iterations = reader.u32()
  const parallelism = reader.u8()
  checkParams(memoryKiB, iterations, parallelism)
  const salt = reader.bytes(16)
  const kek = await argon2Kek(passphraseBytes(passphrase), salt, memoryKiB, iterations, parallelism)
  return open(reader, kek, 'passphrase')
}

const keyWrapInfo = utf8('defs/wrap/key/v1')

/** `secret` sealed under a 32-byte key (a user's master key), through a per-blob HKDF salt. */
export async function wrapKeyWithKey(secret: Uint8Array, key: Uint8Array): Promise<Uint8Array> {
  checkSecret(secret)
  assertBytes('key', key, 32)
  const salt = randomBytes(16)
  return seal(concatBytes(headerStart('key'), salt), await hkdfSha256(key, salt, keyWrapInfo, 32), secret)
}

export async function unwrapKeyWithKey(blob: Uint8Array, key: Uint8Array): Promise<Uint8Array> {
  assertBytes('blob', blob)
  assertBytes('key', key, 32)
  const reader = new HeaderReader(blob, 'key')
  const salt = reader.bytes(16)
  return open(reader, await hkdfSha256(key, salt, keyWrapInfo, 32), 'key')
}

const algorithmCodes: Record<SignatureAlgorithm, number> = { ed25519: 1, secp256k1: 2, p256: 3 }

function recipientKek(
  algorithm: SignatureAlgorithm,
  shared: Uint8Array,
  ephemeral: Uint8Array,
  recipient: Uint8Array
): Promise<Uint8Array> {
  const info = concatBytes(utf8('defs/wrap/recipient/v1/'), utf8(algorithm))
  return hkdfSha256(shared, concatBytes(ephemeral, recipient), info, 32)
}

/** `secret` sealed so only the holder of `recipient`'s signing key can open it (ECIES-style). */
export async function wrapKeyForRecipient(secret: Uint8Array, recipient: PublicKey): Promise<Uint8Array> {
  checkSecret(secret)
  const scheme = schemeOf(recipient?.algorithm)
  assertBytes('recipient.bytes', recipient.bytes, scheme.publicKeyLength)
  const { ephemeralPublicKey, sharedSecret } = agreeWith(recipient)
  const header = concatBytes(
    headerStart('recipient'),
    Uint8Array.of(algorithmCodes[scheme.algorithm]),
    ephemeralPublicKey
  )
  return seal(
    header,
    await recipientKek(scheme.algorithm, sharedSecret, ephemeralPublicKey, recipient.bytes),
    secret
  )
}

/** The secret of a recipient blob, opened with the recipient's signing key. */
export async function unwrapKeyWithSigningKey(blob: Uint8Array, signingKey: SigningKey): Promise<Uint8Array> {
  assertBytes('blob', blob)
  const reader = new HeaderReader(blob, 'recipient')
  const code = reader.u8()
  const { algorithm } = signingKey
  if (code !== algorithmCodes[algorithm]) {
    throw new InvalidKeyError(
      `blob is wrapped to a key of algorithm code ${code}, not to this ${algorithm} key`
    )
  }
  const ephemeral = reader.bytes(ephemeralLength(algorithm))
  const shared = agreeAsRecipient(algorithm, signingKey.exportPrivate(), ephemeral)
  if (shared === undefined) throw new MalformedWrappedKeyError('blob holds an invalid ephemeral public key')
  return open(
    reader,
    await recipientKek(algorithm, shared, ephemeral, signingKey.publicKey.bytes),
    'signing key'
  )
}
