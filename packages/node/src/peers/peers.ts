// node.peers: who this node is connected to, what it thinks of them, and manual joins.
import { multiaddr } from '@multiformats/multiaddr'
import type { NodeComponents } from '../components.ts'
import type { PeerApi, PeerInfo } from '../node-types.ts'

export function createPeerApi(c: NodeComponents): PeerApi {
  return {
    async list(): Promise<PeerInfo[]> {
      return c.host.getPeers().map((p) => {
        const id = p.toString()
        return {
          peerId: id,
          addresses: c.host.getConnections(p).map((conn) => conn.remoteAddr.toString()),
          score: c.scorer.has(id) ? c.scorer.score(id) : 0
        }
      })
    },
    async connect(address: string): Promise<void> {
      await c.host.dial(multiaddr(address), { signal: AbortSignal.timeout(c.options.dialTimeout) })
    }
  }
}
