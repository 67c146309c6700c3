// A user account on a node: a name, the user's Ed25519 key and that key wrapped under the user's
// passphrase (argon2id, as @defs/crypto wraps every passphrase secret). The node keeps only the
// wrapped key; the passphrase opens it for one login. The wrapped key is also what a mirror copies,
// so a user can log in at a mirror after moving home.
import {
  type Argon2idParams,
  decodePublicKey,
  encodePublicKey,
  fromHex,
  generateSigningKey,
  importSigningKey,
  type PublicKey,
  type SigningKey,
  toHex,
  unwrapKeyWithPassphrase,
  wrapKeyWithPassphrase
} from '@defs/crypto'
import { InvalidAccountError, WrongPassphraseError } from './errors.ts'

export interface UserAccount {
  name: string
  publicKey: PublicKey
  /** The private key under the passphrase (a @defs/crypto passphrase blob). */
  wrappedKey: Uint8Array
}

const NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/
/** A wrapped 32-byte key with its header is ~100 bytes; a file far larger is not an account. */
const MAX_ACCOUNT_BYTES = 4096

export function checkUserName(name: string): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new InvalidAccountError(
      `user name must be 1..32 of a-z, 0-9, '-', '_' starting with a letter or digit, got ${JSON.stringify(name)}`
    )
  }
  return name
}

/** A new account with a fresh Ed25519 key, and the key itself (the caller's first session). */
export async function createAccount(
  name: string,
  passphrase: string,
  kdf: Argon2idParams = {}
): Promise<{ account: UserAccount; key: SigningKey }> {
  checkUserName(name)
  if (typeof passphrase !== 'string' || passphrase.length === 0) {
    throw new InvalidAccountError('passphrase must be a non-empty string')
  }
  const key = await generateSigningKey('ed25519')
  const wrappedKey = await wrapKeyWithPassphrase(key.exportPrivate(), passphrase, kdf)
  return { account: { name, publicKey: key.publicKey, wrappedKey }, key }
}

/** The account's signing key; WrongPassphraseError if the passphrase does not open it. */
export async function unlockAccount(account: UserAccount, passphrase: string): Promise<SigningKey> {
  let secret: Uint8Array
  try {
    secret = await unwrapKeyWithPassphrase(account.wrappedKey, passphrase)
  } catch (err) {
    if ((err as Error).name === 'AuthenticationError') {
      throw new WrongPassphraseError(`wrong passphrase for user ${account.name}`)
    }
    throw err
  }
  const key = await importSigningKey(account.publicKey.algorithm, secret)
  if (toHex(encodePublicKey(key.publicKey)) !== toHex(encodePublicKey(account.publicKey))) {
    throw new InvalidAccountError(`account ${account.name}: the wrapped key is not the account's key`)
  }
  return key
}

/** The account as the JSON a node keeps on disk. */
export function encodeAccount(account: UserAccount): string {
  return `${JSON.stringify({
    name: account.name,
    publicKey: toHex(encodePublicKey(account.publicKey)),
    wrappedKey: toHex(account.wrappedKey)
  })}\n`
}

export function decodeAccount(text: string): UserAccount {
  if (typeof text !== 'string' || text.length > MAX_ACCOUNT_BYTES) {
    throw new InvalidAccountError(`an account file is at most ${MAX_ACCOUNT_BYTES} bytes`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new InvalidAccountError('account file is not JSON')
  }
  const { name, publicKey, wrappedKey } = (value ?? {}) as Record<string, unknown>
  const hex = /^(?:[0-9a-f]{2})+$/
  if (
    typeof publicKey !== 'string' ||
    !hex.test(publicKey) ||
    typeof wrappedKey !== 'string' ||
    !hex.test(wrappedKey)
  ) {
    throw new InvalidAccountError('account file needs publicKey and wrappedKey as hex')
  }
  return {
    name: checkUserName(name as string),
    publicKey: decodePublicKey(fromHex(publicKey)),
    wrappedKey: fromHex(wrappedKey)
  }
}

/** The text a node names a user by: the multikey of their public key, in hex. */
export function userIdOf(user: PublicKey): string {
  return toHex(encodePublicKey(user))
}
