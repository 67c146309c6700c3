// node:crypto for a browser bundle: the createHash('sha256') the erasure vectors check with.
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'

export function createHash(algorithm: string) {
  if (algorithm !== 'sha256') throw new Error(`createHash: only sha256 in the browser shim, got ${algorithm}`)
  const hash = sha256.create()
  const hasher = {
    update(data: Uint8Array) {
      hash.update(data)
      return hasher
    },
    digest(encoding?: 'hex') {
      const out = hash.digest()
      return encoding === 'hex' ? bytesToHex(out) : out
    }
  }
  return hasher
}
