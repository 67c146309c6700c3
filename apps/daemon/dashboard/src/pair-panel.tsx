// The node's pair: its partner, the pairing epoch, how the partner's heartbeat looks (RTT, phi),
// the sync backlog (whether the inventories agree, what the partner lacks) and the migrations
// that copy shards to a new partner. Read again with every status event.
import type { PairReport } from '@defs/client'
import { bytes, shortId } from './format.ts'

export function PairPanel(props: { pair?: PairReport }) {
  const { pair } = props
  return (
    <section id="pair" class="card">
      <h2>Pair</h2>
      {pair === undefined ? (
        <p>…</p>
      ) : !pair.enabled ? (
        <p id="pair-disabled">This node runs without pairing (it was started with --no-pairing).</p>
      ) : (
        <dl>
          <dt>Partner</dt>
          <dd id="pair-partner" data-partner={pair.partner ?? ''} title={pair.partner}>
            {pair.partner === undefined ? 'none yet' : <code>{shortId(pair.partner)}</code>}
          </dd>
          <dt>Health</dt>
          <dd>
            <span id="pair-health" class={`badge ${pair.health}`} data-health={pair.health}>
              {pair.health}
            </span>
          </dd>
          <dt>Epoch</dt>
          <dd id="pair-epoch">{pair.epoch}</dd>
          <dt>Heartbeat</dt>
          <dd>
            {pair.rttMs === undefined ? '–' : `${Math.round(pair.rttMs)} ms`} · phi{' '}
            {Number.isFinite(pair.phi) ? pair.phi.toFixed(1) : '∞'}
          </dd>
          <dt>Sync</dt>
          <dd
            id="pair-sync"
            data-in-sync={pair.inSync === undefined ? '' : String(pair.inSync)}
            data-backlog={pair.backlog.shards}
          >
            {pair.inSync === undefined ? 'not compared yet' : pair.inSync ? 'in sync' : 'inventories differ'}
            {pair.backlog.shards > 0 &&
              ` · ${pair.backlog.shards} shards (${bytes(pair.backlog.bytes)}) to copy`}
          </dd>
          <dt>Migrations</dt>
          <dd id="pair-migrations">
            {pair.migrations.length === 0
              ? 'none'
              : pair.migrations
                  .map((m) => `${m.state}: ${m.shardsDone} shards to ${shortId(m.partner)}`)
                  .join(', ')}
          </dd>
        </dl>
      )}
    </section>
  )
}
