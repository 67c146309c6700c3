// The node as the dashboard sees it: one snapshot (status, peers, tasks, files) loaded through the
// typed client, then kept current by the daemon's event stream rather than by polling. A stream
// that breaks (the daemon restarting) is opened again after a pause that grows to 10 s.
import {
  type DaemonEvent,
  type DaemonStatus,
  DefsClient,
  type FileInfo,
  type PairReport,
  type PeerInfo,
  type TaskLine,
  type ThroughputSample
} from '@defs/client'

export interface Snapshot {
  status?: DaemonStatus
  peers: PeerInfo[]
  tasks: Map<string, TaskLine>
  files: FileInfo[]
  /** The node's pair, read again with each status event. */
  pair?: PairReport
  /** Throughput samples of the last hour, oldest first. */
  throughput: ThroughputSample[]
  /** Whether the event stream is open right now. */
  live: boolean
  error?: string
}

export const client = new DefsClient()

export class LiveNode {
  snapshot: Snapshot = { peers: [], tasks: new Map(), files: [], throughput: [], live: false }
  readonly #listeners = new Set<(s: Snapshot) => void>()
  readonly #stop = new AbortController()

  subscribe(listener: (s: Snapshot) => void): () => void {
    this.#listeners.add(listener)
    listener(this.snapshot)
    return () => this.#listeners.delete(listener)
  }

  async start(): Promise<void> {
    await this.refresh()
    void this.#follow()
  }

  stop(): void {
    this.#stop.abort()
  }

  async refresh(): Promise<void> {
    const [status, peers, tasks, files, throughput] = await Promise.all([
      client.status(),
      client.peers(),
      client.tasks(),
      client.files(),
      client.throughput()
    ])
    this.#set({
      status,
      peers,
      tasks: new Map(tasks.map((t) => [t.id, t])),
      files,
      throughput: throughput.samples
    })
  }

  #set(change: Partial<Snapshot>): void {
    this.snapshot = { ...this.snapshot, ...change }
    for (const l of this.#listeners) l(this.snapshot)
  }

  async #follow(): Promise<void> {
    for (let pause = 500; !this.#stop.signal.aborted; pause = Math.min(pause * 2, 10_000)) {
      try {
        for await (const e of client.events({ signal: this.#stop.signal })) {
          pause = 500
          if (!this.snapshot.live) this.#set({ live: true })
          await this.#apply(e)
        }
      } catch {
        // the stream broke: the daemon stopped or restarted
      }
      this.#set({ live: false })
      await new Promise((r) => setTimeout(r, pause))
      await this.refresh().catch(() => {})
    }
  }

  async #apply(e: DaemonEvent): Promise<void> {
    switch (e.type) {
      case 'status':
        this.#set({
          status: { ...e.data, quota: { usedBytes: e.data.storedBytes, maxBytes: e.data.maxStorage } },
          pair: await client.pair().catch(() => this.snapshot.pair)
        })
        break
      case 'task': {
        const was = this.snapshot.tasks.get(e.data.id)?.state
        const tasks = new Map(this.snapshot.tasks)
        tasks.set(e.data.id, e.data)
        this.#set({ tasks })
        // A finished upload is a new file, and a repair's state is shown beside its file: list
        // them again.
        const newFile = e.data.kind === 'upload' && e.data.state === 'done'
        if (newFile || (e.data.kind === 'repair' && was !== e.data.state))
          this.#set({ files: await client.files() })
        break
      }
      case 'throughput':
        // 720 samples (an hour at 5 s) kept, as the daemon keeps them.
        this.#set({ throughput: [...this.snapshot.throughput, e.data].slice(-720) })
        break
      case 'peer:connect':
      case 'peer:disconnect':
        this.#set({ peers: await client.peers() })
        break
      case 'lifecycle':
      case 'maintenance':
        this.#set({ status: await client.status() })
        break
      default:
        break
    }
  }
}
