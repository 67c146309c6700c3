// How users name files. A file id (32 hex) names a file on a node that already holds its manifest
// and key. A read capability `defs:<file id>:<file key, 64 hex>:<owner>` carries the key, so whoever
// holds it can read the file (Tahoe-style), and the owner's public key (multikey hex: `ed01` and
// 64 hex for Ed25519), so a reader takes the manifest of that owner only, from whoever serves it.
// A capability without the owner (the form before owners were bound) reads only where the
// manifest is held already: from the network it would be a guess. Capabilities are secrets: they
// never go into logs.
import { decodePublicKey, encodePublicKey, fromHex, type PublicKey, toHex } from '@defs/crypto'

/** A file ref that is neither a file id nor a capability. */
export class InvalidFileRefError extends Error {
  static override name = 'InvalidFileRefError'
  override name = 'InvalidFileRefError'
}

export interface ParsedRef {
  fileId: Uint8Array
  fileIdHex: string
  /** The file key, when the ref is a capability. */
  fileKey?: Uint8Array
  /** The owner whose manifest counts, when the capability names one. */
  owner?: PublicKey
}

const ID = /^[0-9a-f]{32}$/
const CAP = /^defs:([0-9a-f]{32}):([0-9a-f]{64})(?::([0-9a-f]{68,70}))?$/

export function parseFileRef(ref: string): ParsedRef {
  const text = typeof ref === 'string' ? ref.trim().toLowerCase() : ''
  if (ID.test(text)) return { fileId: fromHex(text), fileIdHex: text }
  const cap = CAP.exec(text)
  if (cap !== null) {
    const parsed: ParsedRef = { fileId: fromHex(cap[1]!), fileIdHex: cap[1]!, fileKey: fromHex(cap[2]!) }
    if (cap[3] !== undefined) {
      try {
        parsed.owner = decodePublicKey(fromHex(cap[3]))
      } catch {
        throw new InvalidFileRefError('capability names no public key as its owner (defs:…:…:<owner>)')
      }
    }
    return parsed
  }
  const shown =
    typeof ref === 'string'
      ? ref.startsWith('defs:')
        ? 'defs:…'
        : JSON.stringify(ref.slice(0, 40))
      : String(ref)
  throw new InvalidFileRefError(
    `not a file id (32 hex characters) or a capability (defs:<file id>:<64 hex key>:<owner key>): ${shown}`
  )
}

export function formatCapability(fileId: Uint8Array, fileKey: Uint8Array, owner: PublicKey): string {
  return `defs:${toHex(fileId)}:${toHex(fileKey)}:${toHex(encodePublicKey(owner))}`
}
