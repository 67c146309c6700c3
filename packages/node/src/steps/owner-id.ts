// An owner as a key in the meta store and in capabilities: the multikey hex of its public key
// (`ed01` and 64 hex for Ed25519), so keys of different algorithms never meet.
import { encodePublicKey, type PublicKey, toHex } from '@defs/crypto'

export function ownerIdOf(owner: PublicKey): string {
  return toHex(encodePublicKey(owner))
}

export function sameOwner(a: PublicKey, b: PublicKey): boolean {
  return a.algorithm === b.algorithm && ownerIdOf(a) === ownerIdOf(b)
}
