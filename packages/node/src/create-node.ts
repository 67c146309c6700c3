// createNode: open a node's directory (locked to this process), its stores and identity, start
// its libp2p host serving shards from disk, and resume the tasks a previous run left.
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { PeerScorer } from '@defs/kbucket'
import { createHost, type Host } from '@defs/net'
import { CONFIG_SCHEMA_VERSION, encodeNodeConfig } from '@defs/segment'
import { DefsNodeImpl } from './defs-node.ts'
import { writeFileAtomic } from './disk/atomic-file.ts'
import { lockDirectory } from './disk/dir-lock.ts'
import { loadOrCreateIdentity } from './disk/identity.ts'
import { MetaStore } from './disk/meta-store.ts'
import { nodeDir, prepareNodeDir } from './disk/node-dir.ts'
import { DiskShardStore } from './disk/shard-store.ts'
import { DownloadRunner } from './download-task.ts'
import { holdingsOf } from './network-index.ts'
import type { NodeContext } from './node-context.ts'
import type { DefsNode } from './node-types.ts'
import { type NodeOptions, resolveNodeOptions } from './options.ts'
import { SlicePool } from './pipeline/index.ts'
import { TaskQueue } from './tasks/task-queue.ts'
import { UploadRunner } from './upload.ts'
import { loadOrCreateUserKey } from './user-key.ts'

export async function createNode(options: NodeOptions): Promise<DefsNode> {
  const o = resolveNodeOptions(options)
  const dir = nodeDir(o.dataDir)
  await mkdir(dir.root, { recursive: true, mode: 0o700 })
  const lock = await lockDirectory(dir.root, dir.lock)
  const opened: { close(): Promise<void> }[] = []
  try {
    await prepareNodeDir(dir)
    const identity = await loadOrCreateIdentity(dir.identity)
    const userKey = await loadOrCreateUserKey(join(dir.root, 'user-key'))
    await writeFileAtomic(
      dir.config,
      encodeNodeConfig({ schemaVersion: CONFIG_SCHEMA_VERSION, ...configOf(o) })
    )
    const meta = await MetaStore.open(dir.meta)
    opened.push(meta)
    const shards = await DiskShardStore.open(dir.shards, dir.tmp, o.maxStorage)
    const scorer = new PeerScorer()
    let maintenance = false
    const host: Host = await createHost({
      privateKey: identity.key,
      host: o.host,
      port: o.port,
      maxConnections: o.maxConnections,
      dialTimeout: o.dialTimeout,
      ...(o.libp2pMetrics !== undefined ? { metrics: o.libp2pMetrics } : {}),
      bootstrap: { peers: o.bootstrap },
      // A node listening on loopback or a LAN address lives in a devnet or a private network:
      // keep those addresses in the DHT and do not treat peers on one IP as a sybil swarm.
      privateAddresses: !isPublicListen(o.host),
      index: { holdings: holdingsOf(meta, shards) },
      nat: o.nat,
      shards: {
        // a relay client reaches some peers only through relays: shards must pass over them
        runOnLimitedConnection: o.nat.relayClient === true,
        store: shards,
        limits: { maxStoredBytes: o.maxStorage },
        accepting: () => !maintenance,
        onPeerMisbehaved: (peer) => scorer.observe(peer.toString(), { audit: 'fail' })
      }
    })
    opened.push({ close: async () => await host.stop() })
    // Worker threads start on the first upload or download: a node that only stores shards for
    // others never pays their memory.
    let pool: SlicePool | undefined
    opened.push({ close: async () => await pool?.close() })
    const ctx: NodeContext = {
      options: o,
      dir,
      meta,
      shards,
      host,
      peerId: host.peerId.toString(),
      userKey,
      scorer,
      get pool() {
        pool ??= new SlicePool({ workers: Math.min(o.workerNum, 4) })
        return pool
      }
    }
    const uploads = new UploadRunner(ctx)
    const tasks = new TaskQueue({
      store: meta,
      workerNum: o.workerNum,
      runners: { upload: uploads, download: new DownloadRunner(ctx) }
    })
    const node = new DefsNodeImpl(ctx, tasks, uploads, {
      setMaintenance: (on) => {
        maintenance = on
      },
      close: async () => {
        for (const c of opened.reverse()) await c.close()
        await lock.release()
      }
    })
    await tasks.restore()
    return node
  } catch (err) {
    for (const c of opened.reverse()) await c.close().catch(() => {})
    await lock.release()
    throw err
  }
}

function configOf(o: ReturnType<typeof resolveNodeOptions>) {
  return {
    storageMode: o.storageMode,
    dataShards: o.dataShards,
    parityShards: o.parityShards,
    maxSliceSize: o.maxSliceSize,
    minSliceSize: o.minSliceSize,
    shardSize: o.shardSize,
    port: o.port,
    bootstrap: o.bootstrap,
    maxConnections: o.maxConnections,
    dialTimeout: o.dialTimeout,
    dataDir: o.dataDir,
    logDir: o.logDir,
    workerNum: o.workerNum,
    bufferSize: o.bufferSize,
    maxStorage: o.maxStorage
  }
}

function isPublicListen(host: string): boolean {
  return (
    host === '0.0.0.0' ||
    host === '::' ||
    !/^(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|::1$|f[cd])/.test(host)
  )
}
