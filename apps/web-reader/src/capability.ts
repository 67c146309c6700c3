// A capability `defs:<file id, 32 hex>:<file key, 64 hex>` names a file and carries its key: who
// holds it can read the file. It is the format `defs put` prints.
import { fromHex } from '@defs/crypto'

export interface Capability {
  fileId: Uint8Array
  fileIdHex: string
  fileKey: Uint8Array
}

export class InvalidCapabilityError extends Error {
  override name = 'InvalidCapabilityError'
}

const CAPABILITY = /^defs:([0-9a-f]{32}):([0-9a-f]{64})$/

export function parseCapability(text: string): Capability {
  const match = CAPABILITY.exec(String(text).trim().toLowerCase())
  if (match === null)
    throw new InvalidCapabilityError('capability must be defs:<file id, 32 hex>:<key, 64 hex>')
  return { fileId: fromHex(match[1]!), fileIdHex: match[1]!, fileKey: fromHex(match[2]!) }
}
