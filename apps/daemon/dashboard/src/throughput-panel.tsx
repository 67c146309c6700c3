// Transfer and repair throughput of the last hour, as the daemon sampled it every 5 s: uploads and
// downloads (what the tasks measure) and repair with migration (the network keeping redundancy),
// each a line of an inline SVG chart (no chart library: two polylines and an axis).
import type { ThroughputSample } from '@defs/client'
import { bytes } from './format.ts'

const width = 600
const height = 140
const hourMs = 3600_000

function line(
  samples: ThroughputSample[],
  value: (s: ThroughputSample) => number,
  top: number,
  now: number
): string {
  return samples
    .map((s) => {
      const x = width - ((now - s.at) / hourMs) * width
      const y = height - (value(s) / top) * (height - 10)
      return `${x.toFixed(1)},${y.toFixed(1)}`
    })
    .join(' ')
}

export function ThroughputPanel(props: { samples: ThroughputSample[] }) {
  const now = props.samples.at(-1)?.at ?? Date.now()
  const samples = props.samples.filter((s) => now - s.at <= hourMs)
  const transfer = (s: ThroughputSample) => s.upload + s.download
  const repair = (s: ThroughputSample) => s.repair + s.migrate
  const top = Math.max(1, ...samples.map(transfer), ...samples.map(repair))
  const last = samples.at(-1)
  return (
    <section id="throughput" class="card">
      <h2>Throughput, last hour</h2>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        class="chart"
        role="img"
        aria-label="throughput over the last hour"
      >
        <line x1="0" y1={height} x2={width} y2={height} class="axis" />
        <polyline id="transfer-line" class="transfer" points={line(samples, transfer, top, now)} />
        <polyline id="repair-line" class="repair" points={line(samples, repair, top, now)} />
      </svg>
      <p class="legend">
        <span class="transfer">■</span> uploads + downloads{' '}
        <span id="transfer-now">{bytes(last === undefined ? 0 : transfer(last))}/s</span> ·{' '}
        <span class="repair">■</span> repair + migration {bytes(last === undefined ? 0 : repair(last))}/s ·
        top {bytes(top)}/s · {samples.length} samples
      </p>
    </section>
  )
}
