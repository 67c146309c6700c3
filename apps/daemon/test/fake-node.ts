// An in-memory DefsNode for tests of the HTTP layer (routing, auth, ranges, error mapping) and
// of the CLI against a daemon. It keeps whole files in memory and invents placements; it is not
// a model of the network.
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import type {
  DefsNode,
  FileApi,
  FileHealth,
  FileInfo,
  FileSource,
  GetOptions,
  GetResult,
  MaintenanceApi,
  NodeEvents,
  NodeStatus,
  OpenFile,
  PairShards,
  PeerApi,
  PeerInfo,
  PutOptions,
  PutResult,
  TaskApi,
  TaskRecord
} from '@defs/node'
import { TypedEventEmitter } from 'main-event'

function named(name: string, message: string): Error {
  const err = new Error(message)
  err.name = name
  return err
}

interface StoredFile {
  info: FileInfo
  bytes: Uint8Array
  /** Live shards per slice; below k the file no longer reads. */
  live: number
  /** m + 1 shards of each slice on its first pair (`crowd`). */
  crowded?: boolean
}

export class FakeNode implements DefsNode {
  readonly peerId = '12D3KooWFakeNodeOne'
  readonly dataDir: string
  readonly stored = new Map<string, StoredFile>()
  readonly events: NodeEvents = new TypedEventEmitter()
  readonly services = {}
  readonly files: FileApi = {
    put: (source, options) => this.#put(source, options),
    get: (ref, destination, options) => this.#get(ref, destination, options),
    download: async () => {
      throw named('TaskStateError', 'the fake node runs no download tasks')
    },
    read: (ref, options) => this.#read(ref, options),
    open: async (ref) => this.#open(ref),
    stat: async (ref) => this.#file(ref).info,
    list: async () => [...this.stored.values()].map((f) => f.info),
    check: async (ref) => this.#check(ref),
    rm: async (ref) => this.#rm(ref)
  }
  readonly tasks: TaskApi = {
    list: () => this.taskList,
    get: (id) => this.#task(id),
    pause: async (id) => this.#move(id, ['queued', 'running'], 'paused'),
    resume: async (id) => this.#move(id, ['paused'], 'queued'),
    cancel: async (id) => this.#move(id, ['queued', 'running', 'paused'], 'cancelled'),
    settled: async (id) => this.#task(id)
  }
  readonly maintenance: MaintenanceApi = {
    on: async () => ({ state: 'on', since: 0, paused: [] }),
    off: async () => ({ state: 'off', since: 0, paused: [] }),
    status: async () => ({ state: 'off', since: 0, paused: [] })
  }
  readonly peers: PeerApi = {
    list: async () => this.fakePeers,
    connect: async (multiaddr) => {
      this.connected.push(multiaddr)
    },
    trust: async () => {},
    pairing: async () => undefined
  }
  readonly taskList: TaskRecord[] = []
  readonly fakePeers: PeerInfo[] = [
    {
      peerId: '12D3KooWPeerA',
      addresses: ['/ip4/127.0.0.1/tcp/4002'],
      score: 0.9,
      factors: { latency: 0.99, bandwidth: 0.8, capacity: 0.9, stability: 0.95, audit: 0.75, diversity: 1 },
      standing: 'known',
      rttMs: 1
    },
    {
      peerId: '12D3KooWPeerB',
      addresses: ['/ip4/127.0.0.1/tcp/4003'],
      score: 0.5,
      factors: { latency: 0.5, bandwidth: 0.5, capacity: 0.5, stability: 0.5, audit: 0.5, diversity: 0.5 },
      standing: 'stranger'
    }
  ]
  connected: string[] = []
  stopped = false
  #next = 1

  constructor(dataDir = '/tmp/fake') {
    this.dataDir = dataDir
  }

  addresses(): string[] {
    return [`/ip4/127.0.0.1/tcp/4001/p2p/${this.peerId}`]
  }

  async #put(source: FileSource, options: PutOptions = {}): Promise<PutResult> {
    const k = options.dataShards ?? 4
    const m = options.parityShards ?? 2
    if (k + m > 8)
      throw named('NotEnoughPeersError', `rs-proportion ${k}+${m} needs ${k + m} peers, the network has 8`)
    const bytes = await collect(source)
    options.onProgress?.({
      bytesDone: bytes.length,
      bytesTotal: bytes.length,
      slicesDone: 1,
      shardsDone: k + m,
      rate: 1
    })
    const fileId = (this.#next++).toString(16).padStart(32, '0')
    const taskId = `task-${fileId.slice(-4)}`
    const sliceSize = 1 << 20
    const slices = Math.max(1, Math.ceil(bytes.length / sliceSize))
    const info: FileInfo = {
      fileId,
      name: options.name ?? (typeof source === 'string' ? basename(source) : 'upload'),
      size: bytes.length,
      mode: options.mode === undefined || options.mode === 'auto' ? 'rs-proportion' : options.mode,
      dataShards: k,
      parityShards: m,
      slices,
      seq: 1,
      created: Date.now(),
      readable: true
    }
    this.stored.set(fileId, { info, bytes, live: k + m })
    const now = Date.now()
    this.taskList.push({
      id: taskId,
      kind: 'upload',
      state: 'done',
      priority: options.priority ?? 0,
      created: now,
      updated: now,
      params: { name: info.name },
      progress: {
        bytesDone: bytes.length,
        bytesTotal: bytes.length,
        slicesDone: slices,
        shardsDone: slices * (k + m),
        rate: 0
      }
    })
    const placement = Array.from({ length: slices }, (_, slice) => ({
      slice,
      shards: Array.from({ length: k + m }, (_, index) => ({ index, peerId: `12D3KooWPeer${index % 3}` }))
    }))
    return {
      fileId,
      capability: `defs:${fileId}:${'ab'.repeat(32)}`,
      taskId,
      size: bytes.length,
      mode: info.mode,
      dataShards: k,
      parityShards: m,
      sliceSize,
      placement
    }
  }

  #file(ref: string): StoredFile {
    const id = ref.startsWith('defs:') ? (ref.split(':')[1] ?? '') : ref
    const file = this.stored.get(id)
    if (file === undefined) throw named('FileNotFoundError', `file ${id} not found`)
    return file
  }

  async #get(ref: string, _destination: string, options: GetOptions = {}): Promise<GetResult> {
    let bytes = 0
    for await (const chunk of this.#read(ref, options)) bytes += chunk.length
    return {
      fileId: this.#file(ref).info.fileId,
      bytes,
      slicesRead: 1,
      shardsFetched: 4,
      slicesReconstructed: 0,
      badPeers: []
    }
  }

  async *#read(ref: string, options: GetOptions = {}): AsyncIterable<Uint8Array> {
    const file = this.#file(ref)
    if (file.live < file.info.dataShards) {
      throw named('TooFewShardsError', `slice 0: have ${file.live} shards, need ${file.info.dataShards}`)
    }
    const offset = options.range?.offset ?? 0
    const end = options.range ? offset + options.range.length : file.bytes.length
    for (let at = offset; at < end; at += 1000) yield file.bytes.slice(at, Math.min(end, at + 1000))
  }

  #open(ref: string): OpenFile {
    const info = this.#file(ref).info
    return { info, read: (options) => this.#read(ref, options) }
  }

  #check(ref: string): FileHealth {
    const file = this.#file(ref)
    const { dataShards, parityShards } = file.info
    // the live shards two to a pair (PeerA+PeerB hold 0 and 1, ...), or m + 1 on the first pair
    // of a file crowded by the test
    const onFirst = file.crowded ? parityShards + 1 : 2
    const pairs: PairShards[] = []
    for (let from = 0, j = 0; from < file.live; j++) {
      const shards = Array.from(
        { length: Math.min(j === 0 ? onFirst : 2, file.live - from) },
        (_, i) => from + i
      )
      const peers = [
        `12D3KooWPeer${'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[2 * j]}`,
        `12D3KooWPeer${'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[2 * j + 1]}`
      ]
      pairs.push({ peers, shards, count: shards.length, overBound: shards.length > parityShards })
      from += shards.length
    }
    const slices = Array.from({ length: file.info.slices }, (_, slice) => ({
      slice,
      live: file.live,
      dataShards,
      totalShards: dataShards + parityShards,
      holders: pairs.flatMap((p) => p.peers),
      pairs
    }))
    return { fileId: file.info.fileId, slices, minLive: file.live, readable: file.live >= dataShards }
  }

  /** Test hook: m + 1 of every slice's shards on one pair (what placement never does). */
  crowd(fileId: string): void {
    this.#file(fileId).crowded = true
  }

  /** Test hook: lose shards of a file so that reads fail. */
  lose(fileId: string, live: number): void {
    this.#file(fileId).live = live
  }

  #rm(ref: string): { fileId: string; shardsDeleted: number } {
    const file = this.#file(ref)
    this.stored.delete(file.info.fileId)
    return {
      fileId: file.info.fileId,
      shardsDeleted: file.info.slices * (file.info.dataShards + file.info.parityShards)
    }
  }

  #task(id: string): TaskRecord {
    const task = this.taskList.find((t) => t.id === id)
    if (task === undefined) throw named('TaskNotFoundError', `no task ${id}`)
    return task
  }

  #move(id: string, from: TaskRecord['state'][], to: TaskRecord['state']): TaskRecord {
    const task = this.#task(id)
    if (!from.includes(task.state))
      throw named('TaskStateError', `task ${id} is ${task.state}, cannot become ${to}`)
    task.state = to
    return task
  }

  async status(): Promise<NodeStatus> {
    const tasks = { queued: 0, running: 0, paused: 0, done: 0, failed: 0, cancelled: 0 }
    for (const t of this.taskList) tasks[t.state]++
    let storedBytes = 0
    for (const f of this.stored.values()) storedBytes += f.bytes.length
    return {
      peerId: this.peerId,
      addresses: this.addresses(),
      peers: this.fakePeers.length,
      storedBytes,
      storedShards: this.stored.size * 6,
      maxStorage: 10 * 2 ** 30,
      tasks,
      disk: {
        shardBytes: storedBytes,
        metaBytes: 0,
        logBytes: 0,
        freeBytes: 50 * 2 ** 30,
        maxStorage: 10 * 2 ** 30,
        minFreeDisk: 2 ** 28
      },
      leases: {
        held: { shards: this.stored.size * 6, bytes: storedBytes },
        leased: { shards: this.stored.size * 6, bytes: storedBytes },
        expired: { shards: 0, bytes: 0 },
        collected: { shards: 0, bytes: 0 }
      },
      state: 'running',
      stateSince: 0
    }
  }

  async retire(): Promise<{ peerId: string; retired: number }> {
    throw named('TaskStateError', 'the fake node cannot retire')
  }

  async stop(): Promise<void> {
    this.stopped = true
  }
}

async function collect(source: FileSource): Promise<Uint8Array> {
  if (typeof source === 'string') return new Uint8Array(await readFile(source))
  const chunks: Uint8Array[] = []
  for await (const chunk of source as AsyncIterable<Uint8Array>) chunks.push(chunk)
  return new Uint8Array(Buffer.concat(chunks))
}
