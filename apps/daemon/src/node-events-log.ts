// What the node says of itself goes to the daemon's log, one line per event, so an operator reading
// the log sees a rotted shard dropped, a lifecycle change or the files announced after a start
// without asking the API. Task progress is not logged: it repeats, and `defs tasks` shows it.
import type { DefsNode } from '@defs/node'
import type { DaemonLog } from './daemon-log.ts'

export function logNodeEvents(node: DefsNode, log: DaemonLog): void {
  node.events.addEventListener('shard:rotted', (e) => log.info('shard_rotted', { ...e.detail }))
  node.events.addEventListener('lifecycle', (e) => log.info('lifecycle', { ...e.detail }))
  node.events.addEventListener('republish', (e) => log.info('republished', { ...e.detail }))
}
