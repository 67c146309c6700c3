// defs maintenance on|off|status: stop the node's background work for an upgrade and get exactly
// that work back afterwards. `on` waits for tasks to reach consistent points and pauses them;
// `off` resumes the ones it paused. Reads keep working meanwhile.
import type { MaintenanceRecord } from '@defs/node'
import { defineCommand } from 'citty'
import { clientArgs } from '../cli-args.ts'
import { connect } from '../connect.ts'
import { formatDuration } from '../format.ts'
import { printJson, printLine } from '../output.ts'
import { UserError } from '../user-error.ts'

const actions = ['on', 'off', 'status'] as const

export default defineCommand({
  meta: {
    name: 'maintenance',
    description: 'Switch maintenance mode on or off (background work paused and resumed), or show it'
  },
  args: {
    action: {
      type: 'positional',
      required: true,
      description: 'on, off or status',
      valueHint: 'on|off|status'
    },
    ...clientArgs
  },
  async run({ args }) {
    const action = String(args.action)
    if (!(actions as readonly string[]).includes(action)) {
      throw new UserError(`maintenance takes on, off or status, got ${JSON.stringify(action)}`)
    }
    const client = await connect(args)
    const record =
      action === 'status'
        ? await client.json<MaintenanceRecord>('GET', '/v1/maintenance')
        : await client.json<MaintenanceRecord>('POST', '/v1/maintenance', { on: action === 'on' })
    if (args.json) return printJson(record)
    printLine(describe(record))
    for (const t of record.paused) printLine(`  paused ${t.kind} ${t.id} at ${t.progress.slicesDone} slices`)
  }
})

function describe(r: MaintenanceRecord): string {
  if (r.state === 'off') {
    const resumed = r.restored?.length ?? 0
    return `maintenance off${resumed > 0 ? `: ${resumed} task(s) resumed` : ''}`
  }
  const since = r.since > 0 ? ` for ${formatDuration(Date.now() - r.since)}` : ''
  if (r.state === 'on')
    return `maintenance on${since}: ${r.paused.length} task(s) paused, new work refused, reads go on`
  return `maintenance ${r.state}${since} (interrupted: run the same command again to finish it)`
}
