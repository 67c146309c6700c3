// What a mirror copies into, and what a node serves from: the node's own manifest store and shard
// store, passed in (the mirror package cannot import the node). The shard store is net's
// `ShardStore` contract, so the node's disk store and net's memory store both fit.
import type { PublicKey } from '@defs/crypto'
import type { ShardStore } from '@defs/net'
import type { Envelope, Manifest, ShardHeader } from '@defs/segment'
import type { BlobStore } from './state-store.ts'

export interface ManifestStore {
  /** The manifest envelope of `fileId` owned by `owner`, if held. */
  get(fileId: Uint8Array, owner: PublicKey): Promise<Envelope<'manifest'> | undefined>
  /** Keeps a manifest envelope the caller verified (signature, owner, file id); durable on return. */
  put(envelope: Envelope<'manifest'>): Promise<void>
}

/**
 * Shard `index` of slice `slice` of `manifest` with its owner-signed header, from wherever the
 * node can get it when its own store lacks it (its peers), or undefined.
 */
export type ShardSource = (
  manifest: Manifest,
  slice: number,
  index: number
) => Promise<{ header: ShardHeader; bytes: Uint8Array } | undefined>

export interface MirrorContent {
  manifests: ManifestStore
  shards: ShardStore
  blobs: BlobStore
  /** Where a home finds the shards of its user that it placed on other peers. */
  remoteShards?: ShardSource
}
