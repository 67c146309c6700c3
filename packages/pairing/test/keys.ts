// Real libp2p identities for tests: the peer id and the @defs/crypto key that signs as it.
import type { SigningKey } from '@defs/crypto'
import { signingKeyOf } from '@defs/net'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'

export interface Identity {
  peer: PeerId
  key: SigningKey
}

export async function identity(): Promise<Identity> {
  const privateKey = await generateKeyPair('Ed25519')
  return { peer: peerIdFromPrivateKey(privateKey), key: await signingKeyOf(privateKey) }
}
