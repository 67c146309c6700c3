/**
 * @packageDocumentation
 *
 * AEAD, key derivation, hashing, signatures, threshold key sharing and key wrapping for DeFS, on
 * the fastest native backend of each runtime (node:crypto on Node and Bun, WebCrypto on Deno and
 * in browsers) with @noble as the portable fallback.
 *
 * @example
 * ```ts
 * import { createAead, deriveSliceKey, generateFileKey, generateNonce, generateSigningKey, randomBytes, sliceAad, verifySignature } from '@defs/crypto'
 *
 * const fileKey = generateFileKey() // 32 random bytes; keep it wrapped (wrapKeyWithPassphrase)
 * const fileId = randomBytes(16)
 * const sliceKey = await deriveSliceKey(fileKey, fileId, 0, 1) // slice 0, version 1: its own key
 * const aead = await createAead() // node:crypto on Node and Bun, WebCrypto on Deno and in browsers
 * const nonce = generateNonce()
 * const sealed = await aead.encrypt(sliceKey, nonce, new TextEncoder().encode('hello'), sliceAad(fileId, 0, 1))
 * const opened = await aead.decrypt(sliceKey, nonce, sealed, sliceAad(fileId, 0, 1)) // AuthenticationError if altered
 * const owner = await generateSigningKey() // Ed25519
 * console.log(new TextDecoder().decode(opened), await verifySignature(owner.publicKey, sealed, await owner.sign(sealed)))
 * ```
 */

export { type Aead, type AeadBackend, type AeadOptions, aeadBackends, createAead } from './aead.ts'
export { type Blake3Backend, blake3, createBlake3 } from './blake3.ts'
export { concatBytes, constantTimeEqual, fromHex, toHex } from './bytes.ts'
export { crc32c, createCrc32c } from './crc32c.ts'
export {
  AuthenticationError,
  BackendUnavailableError,
  DuplicateShareError,
  InvalidKeyError,
  KdfParametersError,
  MalformedWrappedKeyError,
  NotEnoughSharesError,
  ShareCommitmentError,
  UnsupportedAlgorithmError
} from './errors.ts'
export type { Hasher } from './hasher.ts'
export { type HkdfBackend, hkdfSha256 } from './hkdf.ts'
export {
  type Argon2idParams,
  argon2idLimits,
  defaultArgon2idParams,
  unwrapKeyWithKey,
  unwrapKeyWithPassphrase,
  unwrapKeyWithSigningKey,
  wrapKeyForRecipient,
  wrapKeyWithKey,
  wrapKeyWithPassphrase
} from './key-wrap.ts'
export { decodePublicKey, encodePublicKey, publicKeyId } from './public-key-id.ts'
export { randomBytes } from './random.ts'
export { createSha256, sha256, sha256Sync } from './sha256.ts'
export {
  combineShares,
  type Share,
  type ShareCommitment,
  type SplitOptions,
  splitSecret,
  verifyShare
} from './shamir.ts'
export type {
  PublicKey,
  SignatureAlgorithm,
  SignatureBackend,
  SignatureOptions,
  SigningKey
} from './signature-types.ts'
export {
  generateSigningKey,
  importSigningKey,
  signatureAlgorithms,
  signatureBackends,
  verifySignature
} from './signing.ts'
export {
  deriveSliceKey,
  type FileKey,
  fileKeyLength,
  generateFileKey,
  generateNonce,
  sliceAad
} from './slice-key.ts'
