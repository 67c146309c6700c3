// Peer ids travel as binary multihashes in records; errors and status name them as text.
import { peerIdFromMultihash } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'

export function peerIdText(multihash: Uint8Array): string {
  try {
    return peerIdFromMultihash(Digest.decode(multihash)).toString()
  } catch {
    return `<not a peer id: ${multihash.length} bytes>`
  }
}
