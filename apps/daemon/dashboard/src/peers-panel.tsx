// Connected peers with their standing and score (the factors behind the score: not yet exposed by
// the node's API beyond round-trip time).
import type { PeerInfo } from '@defs/client'
import { shortId } from './format.ts'

export function PeersPanel(props: { peers: PeerInfo[] }) {
  const peers = [...props.peers].sort((a, b) => b.score - a.score)
  return (
    <section id="peers" class="card">
      <h2>
        Peers <span id="peer-count">{peers.length}</span>
      </h2>
      <table>
        <thead>
          <tr>
            <th>Peer</th>
            <th>Standing</th>
            <th>Score</th>
            <th>RTT</th>
          </tr>
        </thead>
        <tbody>
          {peers.map((p) => (
            <tr key={p.peerId} data-peer={p.peerId}>
              <td title={p.peerId}>
                <code>{shortId(p.peerId)}</code>
              </td>
              <td>{p.standing}</td>
              <td>{p.score.toFixed(2)}</td>
              <td>{p.rttMs === undefined ? '–' : `${Math.round(p.rttMs)} ms`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
