// The bearer token that guards the HTTP API. Anyone who can read it controls the node, so it is
// kept beside the node's identity, readable by the owner only, and compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomic } from '@defs/node/config'

export const apiTokenFile = 'api-token'

export class TokenFileError extends Error {
  override name = 'TokenFileError'
}

export function apiTokenPath(dir: string): string {
  return join(dir, apiTokenFile)
}

/** Creates `<dir>/api-token` (32 random bytes, hex, mode 0600) unless it exists; returns the token. */
export async function ensureApiToken(dir: string): Promise<string> {
  const existing = await readApiToken(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined
    throw err
  })
  if (existing !== undefined) return existing
  const token = randomBytes(32).toString('hex')
  await writeFileAtomic(apiTokenPath(dir), `${token}\n`, { mode: 0o600 })
  return token
}

/** Reads the token; refuses a file others can read, as ssh does with a private key. */
export async function readApiToken(dir: string): Promise<string> {
  const path = apiTokenPath(dir)
  const info = await stat(path)
  if ((info.mode & 0o077) !== 0) {
    throw new TokenFileError(
      `${path} is readable by others (mode ${(info.mode & 0o777).toString(8)}); run: chmod 600 ${path}`
    )
  }
  const token = (await readFile(path, 'utf8')).trim()
  if (!/^[0-9a-f]{64}$/.test(token)) throw new TokenFileError(`${path} does not hold a 64-hex-digit token`)
  return token
}

/**
 * True when an `Authorization` header carries the token. Both sides are hashed first so the
 * comparison takes the same time whatever the length or content of what was sent.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const sent = header?.startsWith('Bearer ') ? header.slice(7).trim() : ''
  const a = createHash('sha256').update(sent).digest()
  const b = createHash('sha256').update(token).digest()
  return timingSafeEqual(a, b) && sent.length > 0
}
