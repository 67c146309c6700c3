// Where a user's passphrase comes from: DEFS_PASSPHRASE, else the first line of stdin (a pipe, or
// typed at the terminal). Never a flag: flags end up in shell history and process lists.
import { createInterface } from 'node:readline'
import { UserError } from './user-error.ts'

export async function readPassphrase(what: string): Promise<string> {
  const fromEnv = process.env.DEFS_PASSPHRASE
  if (fromEnv !== undefined && fromEnv.length > 0) return fromEnv
  if (process.stdin.isTTY) process.stderr.write(`${what}: `)
  const lines = createInterface({ input: process.stdin })
  for await (const line of lines) {
    lines.close()
    if (line.length > 0) return line
    break
  }
  throw new UserError(`${what}: none given (set DEFS_PASSPHRASE or pass it on stdin)`)
}
