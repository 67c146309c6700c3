// The capability the reader is given: @defs/segment's format (`defs put` prints it), which names
// the file, carries its key and names the owner whose manifest to take. The browser takes only
// that owner's: without one it would take whatever a node answered first.

import type { PublicKey } from '@defs/crypto'
import { InvalidFileRefError, parseFileRef } from '@defs/segment'

export interface Capability {
  fileId: Uint8Array
  fileIdHex: string
  fileKey: Uint8Array
  owner: PublicKey
}

export class InvalidCapabilityError extends Error {
  override name = 'InvalidCapabilityError'
}

export function parseCapability(text: string): Capability {
  try {
    const ref = parseFileRef(String(text))
    if (ref.fileKey !== undefined && ref.owner !== undefined) {
      return { fileId: ref.fileId, fileIdHex: ref.fileIdHex, fileKey: ref.fileKey, owner: ref.owner }
    }
  } catch (err) {
    if (!(err instanceof InvalidFileRefError)) throw err
  }
  throw new InvalidCapabilityError('capability must be defs:<file id>:<key>:<owner>, as defs put prints it')
}
