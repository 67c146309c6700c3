// createNode, the composition root: open a node's directory (locked to this process), its stores
// and identity, start its libp2p host serving shards from disk, build the components every part
// shares, start the services it was given in dependency order, and resume the tasks a previous
// run left. Nothing else wires libp2p, disk and timers together.
import { join } from 'node:path'
import { PeerScorer } from '@defs/kbucket'
import { createHost, type Host } from '@defs/net'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { NodeComponents } from './components.ts'
import { checkDirectory, claimDirectory } from './disk/data-status.ts'
import { lockDirectory } from './disk/dir-lock.ts'
import { DiskBudget } from './disk/disk-budget.ts'
import { loadOrCreateIdentity } from './disk/identity.ts'
import { MetaStore } from './disk/meta-store.ts'
import { mergeNodeConfig, writeNodeConfig } from './disk/node-config.ts'
import { ensureNodeRoot, nodeDir, prepareNodeDir } from './disk/node-dir.ts'
import { DiskShardStore } from './disk/shard-store.ts'
import { Tombstones } from './disk/tombstones.ts'
import { loadOrCreateUserKey } from './disk/user-key.ts'
import { createNodeEvents, type NodeEvents } from './events.ts'
import { Files } from './files/files.ts'
import { createKeystore } from './keystore.ts'
import { type LeaseService, leases } from './leases/index.ts'
import { ShardLeases } from './leases/shard-leases.ts'
import { Lifecycle } from './lifecycle.ts'
import { Maintenance } from './maintenance/maintenance.ts'
import { type MirrorServices, mirroredUsers, mirrorNodeService } from './mirror/mirror-service.ts'
import { Node } from './node.ts'
import type { DefsNode } from './node-types.ts'
import { type NodeOptions, type ResolvedNodeOptions, resolveNodeOptions } from './options.ts'
import { PairView } from './pairing/pair-view.ts'
import { observePeers, recordFreeBytes } from './peers/observations.ts'
import { PeerStanding } from './peers/standing.ts'
import { SlicePool } from './pipeline/index.ts'
import { type RepairService, repair } from './repair/index.ts'
import { Retirement } from './retirement.ts'
import { leaseOptionsOf, repairOptionsOf } from './service-options.ts'
import { type ServiceFactories, startServices } from './services.ts'
import { holdingsOf } from './steps/network-index.ts'
import { republishOnStart } from './steps/republish.ts'
import { dropRottedShards } from './steps/rotted-shard.ts'
import { TaskQueue } from './tasks/task-queue.ts'
import { keepTasksFor } from './tasks/task-retention.ts'
import { DownloadRunner } from './transfers/download-task.ts'
import { UploadRunner } from './transfers/upload-task.ts'

export interface CreateNodeOptions<S extends object> extends NodeOptions {
  /** Services to add (pairing, repair, ...), by name; each declares the services it needs. */
  services?: ServiceFactories<S>
}

/** What every node runs unless `services` replaces it under the same name. */
export interface BuiltInServices extends MirrorServices {
  /** Keeps the files this node holds shards of at full health (network repair). */
  repair: RepairService
  /** Renews the leases of this node's files (and, as their repairer, of files it keeps); collects expired claims. */
  leases: LeaseService
}

// biome-ignore lint/complexity/noBannedTypes: a node without services has none
export async function createNode<S extends object = {}>(
  options: CreateNodeOptions<S>
): Promise<DefsNode<BuiltInServices & S>> {
  const { services: factories, ...nodeOptions } = options
  // Checked before anything is touched, then again over the stored config once the directory is ours.
  const dir = nodeDir(resolveNodeOptions(nodeOptions).dataDir)
  await ensureNodeRoot(dir)
  const lock = await lockDirectory(dir.root, dir.lock)
  // Closed in reverse order on stop, or on a failed start.
  const opened: { close(): Promise<void> }[] = []
  const closeAll = async (): Promise<void> => {
    for (const c of opened.splice(0).reverse()) await c.close().catch(() => {})
    await lock.release()
  }
  try {
    await prepareNodeDir(dir)
    const o = await mergeNodeConfig({ ...nodeOptions, dataDir: dir.root })
    await writeNodeConfig(o)
    const directory = await checkDirectory(dir)
    const identity = await loadOrCreateIdentity(dir.identity)
    await claimDirectory(dir, peerIdFromPrivateKey(identity.key).toString(), directory)
    const userKey = await loadOrCreateUserKey(join(dir.root, 'user-key'))
    const meta = await MetaStore.open(dir.meta)
    opened.push(meta)
    const shards = await DiskShardStore.open(dir.shards, dir.tmp, o.maxStorage)
    shards.tombstones = await Tombstones.open(dir.tombstones, dir.tmp)
    const disk = new DiskBudget({
      root: dir.root,
      metaDir: dir.meta,
      logDir: o.logDir,
      maxStorage: o.maxStorage,
      minFreeDisk: o.minFreeDisk,
      shardBytes: () => shards.usedBytes
    })
    await disk.start()
    opened.push({ close: async () => disk.stop() })
    shards.room = (bytes) => disk.refusal(bytes)
    const events = createNodeEvents()
    const lifecycle = new Lifecycle(events)
    const scorer = new PeerScorer()
    const standing = new PeerStanding({ trustedPeers: o.trustedPeers, probationMs: o.probationMs, scorer })
    const host = await startHost(o, identity.key, { meta, shards, disk, lifecycle, scorer, standing, events })
    opened.push({ close: async () => await host.stop() })
    // Worker threads start on the first upload, download or rebuild: a node that only stores
    // shards for others never pays their memory.
    let pool: SlicePool | undefined
    opened.push({ close: async () => await pool?.close() })
    const tasks = new TaskQueue({
      store: meta,
      workerNum: o.workerNum,
      admit: (k) => lifecycle.admitTask(k),
      mayStart: (k) => lifecycle.mayStart(k)
    })
    // Leaving maintenance releases the tasks it held.
    events.addEventListener('lifecycle', () => tasks.poke())
    tasks.addEventListener('task', (e) =>
      events.dispatchEvent(new CustomEvent('task', { detail: (e as CustomEvent).detail }))
    )
    const leaseBook = await ShardLeases.load(meta)
    const components: NodeComponents = {
      options: o,
      dir,
      peerId: host.peerId.toString(),
      host,
      logger: host.logger,
      meta,
      shards,
      disk,
      keystore: createKeystore(meta, userKey),
      userKey,
      scorer,
      get pool() {
        pool ??= new SlicePool({ workers: Math.min(o.workerNum, 4) })
        return pool
      },
      tasks,
      lifecycle,
      events,
      standing,
      pairs: new PairView(host.services.index.routing),
      leases: leaseBook,
      get retired() {
        return retirement
      }
    }
    const retirement: Retirement = new Retirement(components, identity.key)
    await retirement.start()
    opened.push({ close: () => retirement.stop() })
    forwardPeerEvents(host, components)
    opened.push(await observePeers(components))
    const uploads = new UploadRunner(components)
    tasks.register('upload', uploads)
    tasks.register('download', new DownloadRunner(components))
    // A node stopped in maintenance comes back in it, before anything could start work.
    const maintenance = new Maintenance(components)
    await maintenance.restore()
    // Built in: network repair, leases and their collector, and serving and keeping mirrors of user accounts (@defs/mirror;
    // see mirrorOf), with the options the node keeps for them. A service given under the same name replaces one.
    const builtin: ServiceFactories<BuiltInServices> = {
      repair: repair(repairOptionsOf(o)),
      leases: leases(leaseOptionsOf(o)),
      mirror: mirrorNodeService({ intervalMs: o.mirrorInterval })
    }
    const started = await startServices(
      { ...builtin, ...(factories ?? {}) } as ServiceFactories<BuiltInServices & S>,
      components
    )
    opened.push({ close: started.stop })
    const node = new Node(components, {
      files: new Files(components, uploads, () => mirroredUsers(started.services)),
      maintenance,
      retirement,
      services: started.services,
      close: closeAll
    })
    await tasks.restore()
    opened.push(await keepTasksFor(tasks, o.taskRetention))
    opened.push(republishOnStart(components))
    return node
  } catch (err) {
    await closeAll()
    throw err
  }
}

async function startHost(
  o: ResolvedNodeOptions,
  privateKey: Awaited<ReturnType<typeof loadOrCreateIdentity>>['key'],
  parts: {
    meta: MetaStore
    shards: DiskShardStore
    disk: DiskBudget
    lifecycle: Lifecycle
    scorer: PeerScorer
    standing: PeerStanding
    events: NodeEvents
  }
): Promise<Host> {
  const { meta, shards, disk, lifecycle, scorer, standing, events } = parts
  return createHost({
    privateKey,
    host: o.host,
    port: o.port,
    ...(o.announce.length > 0 ? { announce: o.announce } : {}),
    // WebSockets too, on the same interface, so a browser can read straight from this node.
    transports: ['tcp', 'websockets'],
    wsPort: o.wsPort,
    maxConnections: o.maxConnections,
    dialTimeout: o.dialTimeout,
    ...(o.libp2pMetrics !== undefined ? { metrics: o.libp2pMetrics } : {}),
    bootstrap: { peers: o.bootstrap },
    // A node listening on loopback or a LAN address lives in a devnet or a private network:
    // keep those addresses in the DHT and do not treat peers on one IP as a sybil swarm.
    privateAddresses: !isPublicListen(o.host),
    // A node bound to loopback serves only this machine's own processes (a devnet, tests): its
    // peers all dial from 127.0.0.1, so the per-address inbound rate limit would only refuse them.
    ...(isLoopback(o.host) ? { limits: { allow: ['/ip4/127.0.0.0/ipcidr/8', '/ip6/::1/ipcidr/128'] } } : {}),
    index: { holdings: holdingsOf(meta, shards) },
    nat: o.nat,
    shards: {
      // a relay client reaches some peers only through relays: shards must pass over them
      runOnLimitedConnection: o.nat.relayClient === true,
      store: shards,
      limits: { maxStoredBytes: o.maxStorage },
      accepting: () => lifecycle.putRefusal() === undefined,
      // Strangers (not trusted, still on probation) get net's small quotas.
      standing: (peer) => standing.of(peer.toString()),
      onPeerMisbehaved: (peer) => scorer.observe(peer.toString(), { audit: 'fail' }),
      // what this node can still store goes out in its has and put answers; peers' claims come in
      freeBytes: () => disk.room(),
      onPeerFreeBytes: (peer, bytes) => recordFreeBytes(scorer, peer.toString(), bytes),
      onCorruptShard: dropRottedShards(shards, events)
    }
  })
}

function forwardPeerEvents(host: Host, c: NodeComponents): void {
  host.addEventListener('peer:connect', (e) => {
    c.standing.seen(e.detail.toString())
    c.events.safeDispatchEvent('peer:connect', { detail: { peerId: e.detail.toString() } })
  })
  host.addEventListener('peer:disconnect', (e) =>
    c.events.safeDispatchEvent('peer:disconnect', { detail: { peerId: e.detail.toString() } })
  )
}

function isLoopback(host: string): boolean {
  return host.startsWith('127.') || host === '::1'
}

function isPublicListen(host: string): boolean {
  return (
    host === '0.0.0.0' ||
    host === '::' ||
    !/^(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|::1$|f[cd])/.test(host)
  )
}
