// node.peers: who this node is connected to, what it thinks of them, and manual joins.
import { multiaddr } from '@multiformats/multiaddr'
import type { NodeComponents } from '../components.ts'
import { writeNodeConfig } from '../disk/node-config.ts'
import type { PairingRecordInfo, PeerApi, PeerInfo } from '../node-types.ts'

export function createPeerApi(c: NodeComponents): PeerApi {
  return {
    async list(): Promise<PeerInfo[]> {
      return c.host.getPeers().map((p) => {
        const id = p.toString()
        const connections = c.host.getConnections(p)
        const rtt = connections.find((conn) => conn.rtt !== undefined)?.rtt
        const group = c.scorer.group(id)
        return {
          peerId: id,
          addresses: connections.map((conn) => conn.remoteAddr.toString()),
          score: c.scorer.has(id) ? c.scorer.score(id) : 0,
          factors: c.scorer.factors(id),
          standing: c.standing.of(id),
          ...(rtt !== undefined ? { rttMs: rtt } : {}),
          ...(group !== undefined ? { group } : {})
        }
      })
    },
    async trust(peerId: string, trusted = true): Promise<void> {
      if (trusted) c.standing.trust(peerId)
      else c.standing.untrust(peerId)
      // Kept in the node's config, so a restart trusts the same peers.
      await writeNodeConfig({ ...c.options, trustedPeers: c.standing.trusted })
    },
    async pairing(peerId: string): Promise<PairingRecordInfo | undefined> {
      const found = await c.pairs.lookup(peerId)
      if (found === undefined) return undefined
      const { epoch, created } = found.record
      return { peers: found.peers.map(String) as [string, string], epoch, created }
    },
    async connect(address: string): Promise<void> {
      await c.host.dial(multiaddr(address), { signal: AbortSignal.timeout(c.options.dialTimeout) })
    }
  }
}
