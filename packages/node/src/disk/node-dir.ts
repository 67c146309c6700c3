// The layout of one node's directory. Everything a node keeps lives under it, so two nodes never
// share state and wiping the directory wipes the node.
//
//   <dir>/identity   the libp2p private key (protobuf), created once, mode 0600
//   <dir>/config     the node's options (CBOR, with a schema version)
//   <dir>/lock       the pid of the process that runs the node
//   <dir>/meta/      datastore-level: manifests, location records, tasks, keystore
//   <dir>/shards/    one file per shard: header + bytes, written temp + fsync + rename
//   <dir>/tombstones/ claims deleted at their owners' word lately (tombstones.ts)
//   <dir>/tmp/       scratch on the same filesystem as shards/, cleared at every start
import { chmod, mkdir, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'

export interface NodeDir {
  readonly root: string
  readonly identity: string
  readonly config: string
  readonly lock: string
  readonly meta: string
  readonly shards: string
  readonly tombstones: string
  readonly tmp: string
}

export function nodeDir(root: string): NodeDir {
  const abs = resolve(root)
  return {
    root: abs,
    identity: join(abs, 'identity'),
    config: join(abs, 'config'),
    lock: join(abs, 'lock'),
    meta: join(abs, 'meta'),
    shards: join(abs, 'shards'),
    tombstones: join(abs, 'tombstones'),
    tmp: join(abs, 'tmp')
  }
}

/**
 * Creates the node's root, readable by its owner only: it holds the identity, the user key and
 * the keystore. A directory that existed with wider rights is tightened, not trusted as it is.
 */
export async function ensureNodeRoot(dir: NodeDir): Promise<void> {
  await mkdir(dir.root, { recursive: true, mode: 0o700 })
  await chmod(dir.root, 0o700)
}

/** Creates the directories, and empties tmp/: what is there was left by a process that died mid-write. */
export async function prepareNodeDir(dir: NodeDir): Promise<void> {
  await rm(dir.tmp, { recursive: true, force: true })
  await Promise.all([dir.meta, dir.shards, dir.tombstones, dir.tmp].map((d) => mkdir(d, { recursive: true })))
}
