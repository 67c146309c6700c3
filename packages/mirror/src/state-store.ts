// Where the mirror keeps what must survive a restart: each user's newest home record and root,
// the sealed blobs roots point at, and sync progress. The mirror package does no disk I/O of its
// own: the node passes in a store that writes temp + fsync + rename; memory stores serve tests and
// in-memory nodes.

import { toHex } from '@defs/crypto'
import { type Envelope, verify } from '@defs/segment'
import type { ManifestStore } from './content.ts'

export interface StateStore {
  /** The bytes kept under `key`, or undefined. */
  get(key: string): Promise<Uint8Array | undefined>
  /** Replaces the bytes under `key` so a crash leaves the old bytes or the new, never a mix. */
  put(key: string, value: Uint8Array): Promise<void>
  delete(key: string): Promise<void>
  /** Keys that start with `prefix`. */
  keys(prefix: string): Promise<string[]>
}

/** Content-addressed blobs (sealed trees, friends lists), named by the hex SHA-256 of their bytes. */
export interface BlobStore {
  has(id: string): Promise<boolean>
  get(id: string): Promise<Uint8Array | undefined>
  /** Stores `bytes` under `id`; the caller has checked that they hash to it. */
  put(id: string, bytes: Uint8Array): Promise<void>
}

export function memoryStateStore(): StateStore {
  const values = new Map<string, Uint8Array>()
  return {
    get: async (key) => values.get(key)?.slice(),
    put: async (key, value) => void values.set(key, value.slice()),
    delete: async (key) => void values.delete(key),
    keys: async (prefix) => [...values.keys()].filter((k) => k.startsWith(prefix))
  }
}

export function memoryBlobStore(): BlobStore {
  const blobs = new Map<string, Uint8Array>()
  return {
    has: async (id) => blobs.has(id),
    get: async (id) => blobs.get(id)?.slice(),
    put: async (id, bytes) => void blobs.set(id, bytes.slice())
  }
}

/** Manifests in memory, by file and owner (a node passes its meta store instead). */
export function memoryManifestStore(): ManifestStore & { size(): number } {
  const held = new Map<string, Envelope<'manifest'>>()
  return {
    get: async (fileId, owner) => held.get(`${toHex(fileId)}:${toHex(owner.bytes)}`),
    put: async (envelope) => {
      const m = await verify(envelope, 'manifest')
      held.set(`${toHex(m.fileId)}:${toHex(m.owner.bytes)}`, envelope)
    },
    size: () => held.size
  }
}
