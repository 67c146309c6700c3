// Shamir t-of-n secret sharing over GF(2^8) (polynomial 0x11B), byte by byte, with a hash
// commitment: plain Shamir has no integrity, and a wrong share would silently give a wrong key.
// The commitment (kept beside the shares' metadata, e.g. in the signed manifest) holds a salted
// hash of the secret and of every share, so combineShares names the share that does not match.
import { assertBytes, concatBytes, constantTimeEqual, utf8 } from './bytes.ts'
import { DuplicateShareError, NotEnoughSharesError, ShareCommitmentError } from './errors.ts'
import { gfEval, gfMul, lagrangeAtZero } from './gf256.ts'
import { randomBytes } from './random.ts'
import { sha256 } from './sha256.ts'

export interface Share {
  /** The x-coordinate, 1..n. */
  readonly index: number
  /** One byte of the polynomial's value per byte of the secret. */
  readonly bytes: Uint8Array
}

export interface ShareCommitment {
  readonly threshold: number
  /** 32 random bytes, fresh per split: a share of another split never matches. */
  readonly salt: Uint8Array
  /** SHA-256("defs/shamir/secret/v1" || salt || secret). */
  readonly secretHash: Uint8Array
  /** shareHashes[i - 1] commits to the share with index i. */
  readonly shareHashes: readonly Uint8Array[]
}

export interface SplitOptions {
  /** Shares needed to recover the secret, 1..255. */
  threshold: number
  /** Shares made, threshold..255. */
  shares: number
}

const secretLabel = utf8('defs/shamir/secret/v1')
const shareLabel = utf8('defs/shamir/share/v1')
export const maxSecretLength = 4096

async function hashShare(
  commitment: Omit<ShareCommitment, 'shareHashes'>,
  share: Share
): Promise<Uint8Array> {
  const header = Uint8Array.of(commitment.threshold, share.index)
  return sha256(concatBytes(shareLabel, commitment.salt, commitment.secretHash, header, share.bytes))
}

/** Split `secret` into `shares` shares, any `threshold` of which recover it. */
export async function splitSecret(
  secret: Uint8Array,
  options: SplitOptions
): Promise<{ shares: Share[]; commitment: ShareCommitment }> {
  assertBytes('secret', secret)
  if (secret.length < 1 || secret.length > maxSecretLength) {
    throw new RangeError(`secret must be 1..${maxSecretLength} bytes, got ${secret.length}`)
  }
  const { threshold, shares: count } = options
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > 255) {
    throw new RangeError(`threshold must be 1..255, got ${threshold}`)
  }
  if (!Number.isInteger(count) || count < threshold || count > 255) {
    throw new RangeError(`shares must be ${threshold}..255 (at least threshold), got ${count}`)
  }
  const ys = Array.from({ length: count }, () => new Uint8Array(secret.length))
  const coefficients = new Uint8Array(threshold)
  for (let j = 0; j < secret.length; j++) {
    coefficients[0] = secret[j]!
    coefficients.set(randomBytes(threshold - 1), 1)
    for (let i = 0; i < count; i++) ys[i]![j] = gfEval(coefficients, i + 1)
  }
  coefficients.fill(0)
  const salt = randomBytes(32)
  const secretHash = await sha256(concatBytes(secretLabel, salt, secret))
  const shares = ys.map((bytes, i) => ({ index: i + 1, bytes }))
  const base = { threshold, salt, secretHash }
  const shareHashes = await Promise.all(shares.map((share) => hashShare(base, share)))
  return { shares, commitment: { ...base, shareHashes } }
}

/** A commitment can come from a peer: check its shape before trusting any field of it. */
function checkCommitment(commitment: ShareCommitment): void {
  const { threshold, salt, secretHash, shareHashes } = commitment
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > 255) {
    throw new RangeError(`commitment.threshold must be 1..255, got ${threshold}`)
  }
  assertBytes('commitment.salt', salt, 32)
  assertBytes('commitment.secretHash', secretHash, 32)
  if (!Array.isArray(shareHashes) || shareHashes.length < threshold || shareHashes.length > 255) {
    throw new RangeError(`commitment.shareHashes must hold threshold..255 hashes, got ${shareHashes?.length}`)
  }
  for (const [i, hash] of shareHashes.entries()) assertBytes(`commitment.shareHashes[${i}]`, hash, 32)
}

/** True when `share` is the one the commitment names at its index. */
export async function verifyShare(share: Share, commitment: ShareCommitment): Promise<boolean> {
  const expected = commitment.shareHashes[share.index - 1]
  if (expected === undefined || !(share.bytes instanceof Uint8Array)) return false
  return constantTimeEqual(await hashShare(commitment, share), expected)
}

/**
 * The secret from at least `threshold` shares. Every share is checked against the commitment
 * first: ShareCommitmentError names the first that does not match (filter with verifyShare to
 * recover from the rest), NotEnoughSharesError and DuplicateShareError say what is missing.
 */
export async function combineShares(
  shares: readonly Share[],
  commitment: ShareCommitment
): Promise<Uint8Array> {
  checkCommitment(commitment)
  const seen = new Set<number>()
  for (const share of shares) {
    if (seen.has(share.index)) throw new DuplicateShareError(`share ${share.index} was given twice`)
    seen.add(share.index)
    if (!(await verifyShare(share, commitment))) {
      throw new ShareCommitmentError(`share ${share.index} does not match the commitment`)
    }
  }
  const { threshold } = commitment
  if (shares.length < threshold) {
    throw new NotEnoughSharesError(`need ${threshold} shares, got ${shares.length}`)
  }
  const used = shares.slice(0, threshold)
  const basis = lagrangeAtZero(used.map((s) => s.index))
  const secret = new Uint8Array(used[0]!.bytes.length)
  for (let j = 0; j < secret.length; j++) {
    let value = 0
    for (let i = 0; i < used.length; i++) value ^= gfMul(basis[i]!, used[i]!.bytes[j]!)
    secret[j] = value
  }
  const secretHash = await sha256(concatBytes(secretLabel, commitment.salt, secret))
  if (!constantTimeEqual(secretHash, commitment.secretHash)) {
    // Unreachable with shares that match their hashes, unless the commitment itself is inconsistent.
    throw new ShareCommitmentError('the recovered secret does not match the commitment')
  }
  return secret
}
