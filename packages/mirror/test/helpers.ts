// Small values the tests share: a cheap KDF (argon2id's cost is not what these tests check) and
// peer ids of the binary form records carry.
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'

export const cheapKdf = { memoryKiB: 64, iterations: 1 } as const

export async function peerBytes(): Promise<Uint8Array> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toMultihash().bytes
}
