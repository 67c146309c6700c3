// The manifest: the owner-signed index of one file version. It names every shard of every slice
// by content (SHA-256), so a reader can fetch shards from anyone and still detect a lie.
import type { PublicKey } from '@defs/crypto'
import { decodeWith, encodeWith } from './codec.ts'
import { fileIdField, publicKeyField, shardIdsField } from './fields.ts'
import { limits, NONCE_BYTES } from './limits.ts'
import { bytes, list, oneOf, uint } from './schema.ts'
import { struct } from './struct.ts'

export const storageModes = ['file', 'slice', 'rs-size', 'rs-proportion'] as const
/** How a file is stored: one replicated object, replicated slices, or Reed-Solomon slices. */
export type StorageMode = (typeof storageModes)[number]

/** What a user may ask for: a storage mode, or `auto` (the node picks one by size and network). */
export const storageModeChoices = ['auto', ...storageModes] as const
export type StorageModeChoice = (typeof storageModeChoices)[number]

export const MANIFEST_VERSION = 1

export interface ManifestSlice {
  /** Plaintext bytes of the slice. */
  plainLength: number
  /** Ciphertext bytes (plaintext plus the AEAD tag): what is cut into shards. */
  cipherLength: number
  /** The 12-byte AES-GCM nonce of the slice. */
  nonce: Uint8Array
  /** SHA-256 ids of the slice's shards: data shards then parity shards (see `sliceLayout`). */
  shards: Uint8Array[]
}

export interface Manifest {
  /** Random 16-byte id of the file. */
  fileId: Uint8Array
  /** Version of the file: each new manifest for a fileId has a higher seq (no rollback). */
  seq: number
  /** The owner's public key; the manifest envelope must be signed by it. */
  owner: PublicKey
  mode: StorageMode
  /** k: data shards of a full slice (1 for the replicated modes). */
  dataShards: number
  /** m: parity shards per slice; in the replicated modes, the extra copies of each slice. */
  parityShards: number
  /** Plaintext bytes of the file. */
  size: number
  /** Plaintext bytes of every slice but the last. */
  sliceSize: number
  /** Fixed shard bytes, `rs-size` mode only (k then grows with the slice). */
  shardSize?: number
  /** One entry per slice, in order: the array position is the slice index. */
  slices: ManifestSlice[]
  /** The file's name and metadata, encrypted by the owner (opaque here). */
  meta: Uint8Array
  /** Creation time of this version, ms since the epoch. */
  created: number
}

/** How one slice is cut: `dataShards + parityShards` ids in the manifest, each `shardSize` bytes. */
export interface SliceLayout {
  dataShards: number
  parityShards: number
  shardSize: number
  /** Copies of each shard the store keeps (m + 1 in the replicated modes, else 1). */
  replicas: number
}

/** The coding fields of a manifest or an upload's layout: all that decides how a slice is cut. */
export interface SliceCoding {
  /** Default rs-proportion. */
  mode?: StorageMode
  dataShards: number
  parityShards: number
  /** rs-size only. */
  shardSize?: number
}

/** The layout of slice `index`: the rule every mode follows, checked by the codec on both sides. */
export function sliceLayout(manifest: Manifest, index: number): SliceLayout {
  const slice = manifest.slices[index]
  if (slice === undefined)
    throw new RangeError(`slice index must be 0..${manifest.slices.length - 1}, got ${index}`)
  return shardShape(manifest, slice.cipherLength)
}

/**
 * How a slice of `cipherLength` sealed bytes is cut: the one rule, used by the uploader that seals
 * it, the manifest check and every reader. Replicated modes store the slice as one shard (copies
 * are the store's business); rs-size has fixed shards and k grows with the slice; rs-proportion
 * has fixed k and the shard grows. A shard is never empty.
 */
export function shardShape(coding: SliceCoding, cipherLength: number): SliceLayout {
  if (coding.mode === 'file' || coding.mode === 'slice') {
    return {
      dataShards: 1,
      parityShards: 0,
      shardSize: Math.max(1, cipherLength),
      replicas: coding.parityShards + 1
    }
  }
  if (coding.mode === 'rs-size') {
    if (coding.shardSize === undefined) throw new RangeError('rs-size mode needs a shardSize')
    const dataShards = Math.max(1, Math.ceil(cipherLength / coding.shardSize))
    return { dataShards, parityShards: coding.parityShards, shardSize: coding.shardSize, replicas: 1 }
  }
  return {
    dataShards: coding.dataShards,
    parityShards: coding.parityShards,
    shardSize: Math.max(1, Math.ceil(cipherLength / coding.dataShards)),
    replicas: 1
  }
}

/** Slices a file of `size` bytes has: at least one, so an empty file still has an authenticated slice. */
export function sliceCount(size: number, sliceSize: number): number {
  return Math.max(1, Math.ceil(size / sliceSize))
}

function checkManifest(m: Manifest): string | undefined {
  const { dataShards: k, parityShards: p } = m
  if (k + p > limits.maxShardsPerSlice) return `dataShards + parityShards must be <= 256, got ${k} + ${p}`
  const replicated = m.mode === 'file' || m.mode === 'slice'
  if (replicated && k !== 1) return `dataShards must be 1 in ${m.mode} mode, got ${k}`
  if ((m.mode === 'rs-size') !== (m.shardSize !== undefined))
    return 'shardSize must be given in rs-size mode only'
  const count = sliceCount(m.size, m.sliceSize)
  if (m.slices.length !== count)
    return `slices must have ${count} entries for size ${m.size}, got ${m.slices.length}`
  if (m.mode === 'file' && count !== 1) return `file mode stores one slice, size ${m.size} needs ${count}`
  const lastLength = m.size - (count - 1) * m.sliceSize
  for (let i = 0; i < count; i++) {
    const s = m.slices[i]!
    const plain = i === count - 1 ? lastLength : m.sliceSize
    if (s.plainLength !== plain) return `slices[${i}].plainLength must be ${plain}, got ${s.plainLength}`
    const overhead = s.cipherLength - s.plainLength
    if (overhead < 0 || overhead > limits.maxSealOverhead) {
      return `slices[${i}].cipherLength must be plainLength + 0..${limits.maxSealOverhead}, got ${s.cipherLength}`
    }
    const layout = shardShape(m, s.cipherLength)
    if (layout.dataShards > k)
      return `slices[${i}] needs ${layout.dataShards} data shards, over dataShards ${k}`
    const ids = layout.dataShards + layout.parityShards
    if (s.shards.length !== ids) return `slices[${i}].shards must have ${ids} ids, got ${s.shards.length}`
  }
  return undefined
}

const sliceSchema = struct<ManifestSlice>([
  { key: 1, name: 'plainLength', schema: uint(0, limits.maxSliceSize) },
  { key: 2, name: 'cipherLength', schema: uint(0, limits.maxSliceSize + limits.maxSealOverhead) },
  { key: 3, name: 'nonce', schema: bytes(NONCE_BYTES) },
  { key: 4, name: 'shards', schema: shardIdsField(1, limits.maxShardsPerSlice) }
])

const manifestSchema = struct<Manifest>(
  [
    { key: 1, name: 'fileId', schema: fileIdField },
    { key: 2, name: 'seq', schema: uint() },
    { key: 3, name: 'owner', schema: publicKeyField },
    { key: 4, name: 'mode', schema: oneOf(storageModes) },
    { key: 5, name: 'dataShards', schema: uint(1, limits.maxShardsPerSlice) },
    { key: 6, name: 'parityShards', schema: uint(0, limits.maxShardsPerSlice - 1) },
    { key: 7, name: 'size', schema: uint(0, limits.maxSlices * limits.maxSliceSize) },
    { key: 8, name: 'sliceSize', schema: uint(1, limits.maxSliceSize) },
    {
      key: 9,
      name: 'shardSize',
      schema: uint(1, limits.maxSliceSize + limits.maxSealOverhead),
      optional: true
    },
    { key: 10, name: 'slices', schema: list(sliceSchema, 1, limits.maxSlices) },
    { key: 11, name: 'meta', schema: bytes(0, limits.maxMetaBytes) },
    { key: 12, name: 'created', schema: uint() }
  ],
  { version: MANIFEST_VERSION, check: checkManifest }
)

export function encodeManifest(manifest: Manifest): Uint8Array {
  return encodeWith(manifestSchema, manifest, limits.maxBytes.manifest, 'manifest')
}

export function decodeManifest(bytes: Uint8Array): Manifest {
  return decodeWith(manifestSchema, bytes, limits.maxBytes.manifest, 'manifest')
}
