// The running node: its subsystems as properties, and one stop that drains it in order (no new
// work, tasks paused at a consistent point, services stopped, then the host and the stores).

import type { NodeComponents } from './components.ts'
import type { FileApi } from './files/types.ts'
import type { DefsNode, MaintenanceApi, NodeStatus, PeerApi, TaskApi } from './node-types.ts'
import { createPeerApi } from './peers/peers.ts'
import type { Retirement } from './retirement.ts'
import { createTaskApi } from './tasks/task-api.ts'

export class Node<S extends object> implements DefsNode<S> {
  readonly files: FileApi
  readonly tasks: TaskApi
  readonly peers: PeerApi
  readonly maintenance: MaintenanceApi
  readonly services: S
  readonly #c: NodeComponents
  readonly #close: () => Promise<void>
  readonly #retirement: Retirement
  #stopped: Promise<void> | undefined

  constructor(
    c: NodeComponents,
    parts: {
      files: FileApi
      maintenance: MaintenanceApi
      retirement: Retirement
      services: S
      close: () => Promise<void>
    }
  ) {
    this.#retirement = parts.retirement
    this.#c = c
    this.files = parts.files
    this.maintenance = parts.maintenance
    this.tasks = createTaskApi(c.tasks, c.lifecycle)
    this.peers = createPeerApi(c)
    this.services = parts.services
    this.#close = parts.close
  }

  get peerId(): string {
    return this.#c.peerId
  }

  get dataDir(): string {
    return this.#c.dir.root
  }

  get events(): NodeComponents['events'] {
    return this.#c.events
  }

  addresses(): string[] {
    return this.#c.host.getMultiaddrs().map(String)
  }

  async status(): Promise<NodeStatus> {
    const c = this.#c
    const tasks: NodeStatus['tasks'] = { queued: 0, running: 0, paused: 0, done: 0, failed: 0, cancelled: 0 }
    for (const t of c.tasks.list()) tasks[t.state]++
    return {
      peerId: c.peerId,
      addresses: this.addresses(),
      peers: c.host.getPeers().length,
      storedBytes: c.shards.usedBytes,
      storedShards: c.shards.count,
      maxStorage: c.options.maxStorage,
      tasks,
      disk: c.disk.usage(),
      leases: await c.leases.status(c.shards),
      state: c.lifecycle.state,
      stateSince: c.lifecycle.since
    }
  }

  async retire(): Promise<{ peerId: string; retired: number }> {
    const { time } = await this.#retirement.retire()
    await this.stop()
    return { peerId: this.peerId, retired: time }
  }

  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      const life = this.#c.lifecycle
      if (life.state !== 'draining' && life.state !== 'stopped') life.enter('draining')
      await this.#c.tasks.stop()
      await this.#close()
      life.enter('stopped')
    })()
    return this.#stopped
  }
}
