// <dir>/config: the node's options, CBOR with a schema version (@defs/segment's NodeConfig), the
// one place a node's settings live. createNode reads it back at start, lays the options it was
// given over it, checks the result (resolveNodeOptions: unknown keys and bad values refused,
// naming them) and writes it again. A config of an older schema is migrated, the old file kept
// beside it as config.v<N>; one of a newer schema is refused, never guessed at.
import { copyFile, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  CONFIG_SCHEMA_VERSION,
  decodeNodeConfig,
  decodeOlderNodeConfig,
  encodeNodeConfig,
  migrateConfig,
  type NodeConfig
} from '@defs/segment'
import { ConfigFileError } from '../errors.ts'
import { type NodeOptions, type ResolvedNodeOptions, resolveNodeOptions } from '../options.ts'
import { serviceOptionsOf } from '../service-options.ts'
import { writeFileAtomic } from './atomic-file.ts'
import { nodeDir } from './node-dir.ts'

/** Options kept in the config: all but what only lives as long as the process. */
export type StoredNodeOptions = Omit<NodeOptions, 'libp2pMetrics'>

/** The stored options of the node in `dataDir`, or undefined when it has no config yet. */
export async function readNodeConfig(dataDir: string): Promise<StoredNodeOptions | undefined> {
  const path = nodeDir(dataDir).config
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  // The layout before schema versions was JSON: migrate it, keeping the old file.
  if (bytes[0] === 0x7b) {
    let config: NodeConfig
    try {
      config = migrateConfig(JSON.parse(new TextDecoder().decode(bytes)))
    } catch (err) {
      throw new ConfigFileError(
        `config ${path} (a JSON config of schema 0) cannot be migrated: ${(err as Error).message}`
      )
    }
    await copyFile(path, `${path}.v0`)
    await writeFileAtomic(path, encodeNodeConfig(config))
    return optionsOf(config)
  }
  try {
    return optionsOf(decodeNodeConfig(bytes))
  } catch (err) {
    const name = (err as Error).name
    const older = name === 'UnknownVersionError' ? olderConfig(bytes) : undefined
    if (older !== undefined) {
      await copyFile(path, `${path}.v${older.version}`)
      await writeFileAtomic(path, encodeNodeConfig(older.config))
      return optionsOf(older.config)
    }
    if (name === 'UnknownVersionError') {
      throw new ConfigFileError(
        `config ${path} was written by a newer DeFS (${(err as Error).message}; this one reads schema ${CONFIG_SCHEMA_VERSION}): upgrade DeFS, or move the file away to start from defaults`
      )
    }
    throw new ConfigFileError(`config ${path} is not a valid node config: ${(err as Error).message}`)
  }
}

/** Checks `options` as a start would and writes them as the node's config; returns them resolved. */
export async function writeNodeConfig(options: NodeOptions): Promise<ResolvedNodeOptions> {
  const o = resolveNodeOptions(options)
  await writeFileAtomic(nodeDir(o.dataDir).config, encodeNodeConfig(configOf(o)))
  return o
}

/** The stored options laid under `given` (given wins; undefined means "not given"), checked. */
export async function mergeNodeConfig(given: NodeOptions): Promise<ResolvedNodeOptions> {
  const stored = await readNodeConfig(given.dataDir)
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined))
  const { dataDir: storedDir, logDir, ...rest } = stored ?? {}
  // A log directory that was the default follows the node directory (moved with it); a chosen one stays.
  const chosen = logDir !== undefined && storedDir !== undefined && logDir !== join(storedDir, 'logs')
  return resolveNodeOptions({ ...rest, ...(chosen ? { logDir } : {}), ...defined } as NodeOptions)
}

/** A config of an older CBOR schema, migrated; undefined when it is of none (a newer one). */
function olderConfig(bytes: Uint8Array): ReturnType<typeof decodeOlderNodeConfig> | undefined {
  try {
    return decodeOlderNodeConfig(bytes)
  } catch (err) {
    if ((err as Error).name === 'UnknownVersionError') return undefined
    throw err
  }
}

function configOf(o: ResolvedNodeOptions): NodeConfig {
  return {
    schemaVersion: CONFIG_SCHEMA_VERSION,
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
    maxStorage: o.maxStorage,
    host: o.host,
    announce: o.announce,
    minFreeDisk: o.minFreeDisk,
    taskRetention: o.taskRetention,
    wsPort: o.wsPort,
    nat: o.nat,
    trustedPeers: o.trustedPeers,
    probationMs: o.probationMs,
    mirrorInterval: o.mirrorInterval,
    // unset service options stay out of the file, so their services' defaults apply
    ...serviceOptionsOf(o)
  }
}

function optionsOf(c: NodeConfig): StoredNodeOptions {
  const { schemaVersion: _, ...options } = c
  return options
}
