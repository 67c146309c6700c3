// How users name files: a file id (32 hex chars) names a file this node knows the key of; a
// capability `defs:<fileId>:<key>` carries the key too, so it lets anyone holding it read the file
// (Tahoe-style). Capabilities are secrets: they never go into logs.
import { fromHex, toHex } from '../disk/hex.ts'
import { InvalidFileRefError } from '../errors.ts'

export interface ParsedRef {
  fileId: Uint8Array
  fileIdHex: string
  /** The file key, when the ref is a capability. */
  fileKey?: Uint8Array
}

const ID = /^[0-9a-f]{32}$/
const CAP = /^defs:([0-9a-f]{32}):([0-9a-f]{64})$/

export function parseFileRef(ref: string): ParsedRef {
  const text = typeof ref === 'string' ? ref.trim().toLowerCase() : ''
  if (ID.test(text)) return { fileId: fromHex(text), fileIdHex: text }
  const cap = CAP.exec(text)
  if (cap !== null) return { fileId: fromHex(cap[1]!), fileIdHex: cap[1]!, fileKey: fromHex(cap[2]!) }
  const shown =
    typeof ref === 'string'
      ? ref.startsWith('defs:')
        ? 'defs:…'
        : JSON.stringify(ref.slice(0, 40))
      : String(ref)
  throw new InvalidFileRefError(
    `not a file id (32 hex characters) or a capability (defs:<file id>:<64 hex key>): ${shown}`
  )
}

export function formatCapability(fileId: Uint8Array, fileKey: Uint8Array): string {
  return `defs:${toHex(fileId)}:${toHex(fileKey)}`
}
