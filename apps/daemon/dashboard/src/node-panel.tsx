// The node: who it is, where it listens, its lifecycle state, and the maintenance switch (which
// pauses background work at consistent points and brings exactly it back).
import type { DaemonStatus } from '@defs/client'
import { useState } from 'preact/hooks'
import { bytes, since } from './format.ts'
import { client } from './live-node.ts'

export function NodePanel(props: { status: DaemonStatus; live: boolean }) {
  const { status } = props
  const [switching, setSwitching] = useState<string | undefined>()
  const maintenance = status.state === 'maintenance'
  const toggle = async () => {
    setSwitching(maintenance ? 'leaving maintenance…' : 'entering maintenance…')
    try {
      await client.setMaintenance(!maintenance, (p) =>
        setSwitching(`${p.phase}: ${p.paused ?? 0} of ${p.tasks} tasks paused`)
      )
      setSwitching(undefined)
    } catch (err) {
      setSwitching((err as Error).message)
    }
  }
  const disk = status.disk
  return (
    <section id="node" class="card">
      <h2>Node</h2>
      <dl>
        <dt>Peer id</dt>
        <dd id="peer-id">{status.peerId}</dd>
        <dt>State</dt>
        <dd>
          <span id="state" class={`badge ${status.state}`} data-state={status.state}>
            {status.state}
          </span>{' '}
          for {since(status.stateSince)}
          {!props.live && <span class="badge stale"> events reconnecting</span>}
        </dd>
        <dt>Addresses</dt>
        <dd>
          <ul class="addresses">
            {status.addresses.map((a) => (
              <li key={a}>
                <code>{a}</code>
              </li>
            ))}
          </ul>
        </dd>
        <dt>Storage</dt>
        <dd id="storage">
          {bytes(status.storedBytes)} in {status.storedShards} shards of{' '}
          <span id="quota" data-bytes={status.maxStorage}>
            {bytes(status.maxStorage)}
          </span>{' '}
          quota
          {disk !== undefined && (
            <>
              {' '}
              ·{' '}
              <span id="free-disk" data-bytes={disk.freeBytes}>
                {bytes(disk.freeBytes)}
              </span>{' '}
              free on disk (metadata {bytes(disk.metaBytes)}, logs {bytes(disk.logBytes)})
            </>
          )}
          <LeaseTable leases={status.leases} />
        </dd>
      </dl>
      <label class="switch">
        <input
          id="maintenance"
          type="checkbox"
          checked={maintenance}
          disabled={switching !== undefined}
          onChange={toggle}
        />
        Maintenance mode
      </label>
      {switching !== undefined && <p id="maintenance-progress">{switching}</p>}
    </section>
  )
}

/** The shards held here by their leases: renewed by their owners, run out, or already collected. */
function LeaseTable(props: { leases: DaemonStatus['leases'] }) {
  const rows = [
    ['held', 'held'],
    ['leased', 'leased'],
    ['expired', 'expired (collected after the grace period)'],
    ['collected', 'collected since start']
  ] as const
  return (
    <table id="leases">
      <tbody>
        {rows.map(([key, label]) => {
          const count = props.leases[key]
          return (
            <tr key={key} data-lease={key} data-shards={count.shards} data-bytes={count.bytes}>
              <th>{label}</th>
              <td>{count.shards} shards</td>
              <td>{bytes(count.bytes)}</td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}
