// The user's signing key: it signs manifests and deletes, and file keys are wrapped to it in the
// keystore. Kept in <dir>/user-key (mode 0600) as "<algorithm>:<hex private key>", created once.
import { readFile } from 'node:fs/promises'
import { generateSigningKey, importSigningKey, type SignatureAlgorithm, type SigningKey } from '@defs/crypto'
import { IdentityError } from '../errors.ts'
import { writeFileAtomic } from './atomic-file.ts'
import { fromHex, toHex } from './hex.ts'

const algorithms: readonly SignatureAlgorithm[] = ['ed25519', 'secp256k1', 'p256']

export async function loadOrCreateUserKey(path: string): Promise<SigningKey> {
  let text: string | undefined
  try {
    text = (await readFile(path, 'utf8')).trim()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  if (text === undefined) {
    const key = await generateSigningKey('ed25519')
    await writeFileAtomic(path, `${key.algorithm}:${toHex(key.exportPrivate())}\n`, { mode: 0o600 })
    return key
  }
  const [algorithm, hex] = text.split(':')
  if (
    !algorithms.includes(algorithm as SignatureAlgorithm) ||
    hex === undefined ||
    !/^[0-9a-f]{64}$/.test(hex)
  ) {
    throw new IdentityError(
      `user key file ${path} is not "<algorithm>:<64 hex chars>"; restore it from a backup`
    )
  }
  return importSigningKey(algorithm as SignatureAlgorithm, fromHex(hex))
}
