// The node's libp2p identity: an Ed25519 key created on first start and kept in <dir>/identity,
// so a restarted node comes back under the same peer id and its pair and records still point at it.
import { readFile } from 'node:fs/promises'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { IdentityError } from '../errors.ts'
import { writeFileAtomic } from './atomic-file.ts'

export async function loadOrCreateIdentity(path: string): Promise<{ key: PrivateKey; created: boolean }> {
  let bytes: Uint8Array | undefined
  try {
    bytes = await readFile(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  if (bytes !== undefined) {
    try {
      return { key: privateKeyFromProtobuf(bytes), created: false }
    } catch (err) {
      // Never silently replace an identity: peers and pair partners know this node by it.
      throw new IdentityError(
        `identity file ${path} is unreadable (${(err as Error).message}); restore it or remove it to start as a new node`
      )
    }
  }
  const key = await generateKeyPair('Ed25519')
  await writeFileAtomic(path, privateKeyToProtobuf(key), { mode: 0o600 })
  return { key, created: true }
}
