// Connected peers with their standing, score and the measured factors it is made of (each in
// [0, 1]; 0.5 where nothing was measured yet), and the last round-trip time.
import type { PeerInfo } from '@defs/client'
import { shortId } from './format.ts'

const factorNames = [
  ['latency', 'lat'],
  ['bandwidth', 'bw'],
  ['capacity', 'cap'],
  ['stability', 'stab'],
  ['audit', 'audit']
] as const

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
            <th title="latency, bandwidth, capacity, stability, audits">Factors</th>
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
              <td class="factors">
                {factorNames.map(([name, label]) => (
                  <span key={name} data-factor={name} title={name}>
                    {label} {p.factors[name].toFixed(2)}{' '}
                  </span>
                ))}
              </td>
              <td>{p.rttMs === undefined ? '–' : `${Math.round(p.rttMs)} ms`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
