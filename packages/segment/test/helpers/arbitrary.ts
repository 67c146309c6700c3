// Random valid values of every type, for round-trip and fuzz tests.
import type { PublicKey } from '@defs/crypto'
import {
  type AuditChallenge,
  type AuditResponse,
  CONFIG_SCHEMA_VERSION,
  type DeleteRequest,
  type Envelope,
  type FriendsList,
  type HomeRecord,
  type IndexAnswer,
  type IndexQuery,
  type LeaseRenewal,
  type LocationRecord,
  type Manifest,
  type ManifestSlice,
  type MirrorRequest,
  type MirrorResponse,
  type NodeConfig,
  type RecordType,
  type RepairReport,
  type ShardClaim,
  type ShardHeader,
  type ShardRequest,
  type ShardResponse,
  ShardStatus,
  sliceCount,
  storageModes,
  type UserRoot,
  type UserTree
} from '@defs/segment'
import type { Random } from './random.ts'

export function publicKey(r: Random): PublicKey {
  const algorithm = r.pick(['ed25519', 'secp256k1', 'p256'] as const)
  return { algorithm, bytes: r.bytes(algorithm === 'ed25519' ? 32 : 33) }
}

/** A manifest obeying every layout rule, small enough to fuzz quickly. */
export function manifest(r: Random, maxSlices = 6): Manifest {
  const mode = r.pick(storageModes)
  const replicated = mode === 'file' || mode === 'slice'
  const dataShards = replicated ? 1 : r.int(1, 20)
  const parityShards = r.int(0, replicated ? 4 : 8)
  const sliceSize = r.bool(0.2) ? r.int(1, 2 ** 32) : r.int(1, 4096)
  const slicesWanted = mode === 'file' ? 1 : r.int(1, maxSlices)
  const size = r.bool(0.1) ? 0 : r.int((slicesWanted - 1) * sliceSize + 1, slicesWanted * sliceSize)
  const shardSize = mode === 'rs-size' ? Math.ceil((sliceSize + 64) / dataShards) + r.int(0, 100) : undefined
  const m: Manifest = {
    fileId: r.bytes(16),
    seq: r.int(0, 2 ** 40),
    owner: publicKey(r),
    mode,
    dataShards,
    parityShards,
    size,
    sliceSize,
    slices: [],
    meta: r.bytes(r.int(0, 64)),
    created: r.int(0, 2 ** 42)
  }
  if (shardSize !== undefined) m.shardSize = shardSize
  const count = sliceCount(size, sliceSize)
  for (let i = 0; i < count; i++) {
    const plainLength = i === count - 1 ? size - (count - 1) * sliceSize : sliceSize
    const cipherLength = plainLength + r.pick([0, 16, 16, r.int(0, 64)])
    const data =
      mode === 'rs-size'
        ? Math.max(1, Math.ceil(cipherLength / shardSize!))
        : mode === 'rs-proportion'
          ? dataShards
          : 1
    const ids = replicated ? 1 : data + parityShards
    const slice: ManifestSlice = { plainLength, cipherLength, nonce: r.bytes(12), shards: [] }
    for (let j = 0; j < ids; j++) slice.shards.push(r.bytes(32))
    m.slices.push(slice)
  }
  return m
}

export function shardIds(r: Random, min: number, max: number): Uint8Array[] {
  return Array.from({ length: r.int(min, max) }, () => r.bytes(32))
}

export function leaseRenewal(r: Random): LeaseRenewal {
  return {
    fileId: r.bytes(16),
    owner: publicKey(r),
    shards: shardIds(r, 1, 40),
    until: r.int(0, 2 ** 48),
    recipient: r.bytes(r.int(1, 64))
  }
}

export function repairReport(r: Random): RepairReport {
  return { fileId: r.bytes(16), owner: publicKey(r), slice: r.int(0, 262_143) }
}

export function shardHeader(r: Random): ShardHeader {
  const dataShards = r.int(1, 200)
  const parityShards = r.int(0, 256 - dataShards)
  return {
    fileId: r.bytes(16),
    slice: r.int(0, 262_143),
    index: r.int(0, dataShards + parityShards - 1),
    dataShards,
    parityShards,
    length: r.int(0, 2 ** 32),
    crc32c: r.int(0, 0xffffffff),
    owner: publicKey(r),
    signature: r.bytes(64)
  }
}

export function shardClaim(r: Random): ShardClaim {
  const claim: ShardClaim = shardHeader(r)
  if (r.int(0, 2) === 0) return claim
  const uploader = { peer: `12D3KooW${r.int(0, 2 ** 40)}` }
  return {
    ...claim,
    uploader: r.int(0, 1) === 0 ? uploader : { ...uploader, group: 'ip4:198.18.0.0/24', stranger: true }
  }
}

export function locationRecord(r: Random): LocationRecord {
  const issued = r.int(0, 2 ** 41)
  return {
    peer: r.bytes(r.int(1, 40)),
    fileId: r.bytes(16),
    shards: shardIds(r, 1, 20),
    issued,
    expires: issued + r.int(0, 2 ** 30)
  }
}

export function deleteRequest(r: Random): DeleteRequest {
  return {
    fileId: r.bytes(16),
    shards: shardIds(r, 0, 20),
    nonce: r.bytes(16),
    time: r.int(0, 2 ** 42),
    recipient: r.bytes(r.int(1, 40))
  }
}

export function auditChallenge(r: Random): AuditChallenge {
  const ranges = Array.from({ length: r.int(1, 16) }, () => ({
    offset: r.int(0, 2 ** 20),
    length: r.int(1, 2 ** 20)
  }))
  return { shard: r.bytes(32), nonce: r.bytes(16), ranges }
}

export function auditResponse(r: Random): AuditResponse {
  return { nonce: r.bytes(16), digest: r.bytes(32) }
}

/** An envelope with a valid payload and a random (unverifiable) signature: the codec does not verify. */
export function envelope<T extends RecordType>(r: Random, type: T, payload: Uint8Array): Envelope<T> {
  return { type, payload, publicKey: publicKey(r), signature: r.bytes(64) }
}

export function shardRequest(r: Random, encodeDelete: (d: DeleteRequest) => Uint8Array): ShardRequest {
  switch (r.int(0, 4)) {
    case 0:
      return { kind: 'put', header: shardHeader(r), id: r.bytes(32) }
    case 1: {
      const get: ShardRequest = { kind: 'get', id: r.bytes(32) }
      if (r.bool()) get.offset = r.int(0, 2 ** 30)
      if (r.bool()) get.length = r.int(0, 2 ** 30)
      return get
    }
    case 2:
      return { kind: 'has', ids: shardIds(r, 1, 30) }
    case 3:
      return { kind: 'delete', request: envelope(r, 'delete', encodeDelete(deleteRequest(r))) }
    default:
      return { kind: 'audit', challenge: auditChallenge(r) }
  }
}

export function shardResponse(r: Random): ShardResponse {
  switch (r.int(0, 4)) {
    case 0:
      return r.bool() ? { kind: 'ok' } : { kind: 'ok', copies: r.int(1, 255), freeBytes: r.int(0, 2 ** 50) }
    case 1:
      return { kind: 'data', length: r.int(0, 2 ** 32) }
    case 2: {
      const have = Array.from({ length: r.int(1, 40) }, () => r.bool())
      return r.bool() ? { kind: 'has', have } : { kind: 'has', have, freeBytes: r.int(0, 2 ** 50) }
    }
    case 3:
      return { kind: 'audit', response: auditResponse(r) }
    default:
      return {
        kind: 'error',
        status: r.pick(Object.values(ShardStatus)),
        message: r.pick(['', 'no space left', 'shard not found: 3f2a', 'überlastet ✓'])
      }
  }
}

export function indexQuery(r: Random): IndexQuery {
  return {
    queryId: r.bytes(16),
    fileId: r.bytes(16),
    requester: r.bytes(38),
    want: r.pick(['manifest', 'shards'])
  }
}

export function indexAnswer(
  r: Random,
  encodeLocation: (l: LocationRecord) => Uint8Array,
  encodeManifest: (m: Manifest) => Uint8Array
): IndexAnswer {
  const answer: IndexAnswer = {
    queryId: r.bytes(16),
    fileId: r.bytes(16),
    locations: Array.from({ length: r.int(0, 4) }, () =>
      envelope(r, 'location', encodeLocation(locationRecord(r)))
    )
  }
  if (r.bool()) answer.manifest = envelope(r, 'manifest', encodeManifest(manifest(r, 3)))
  return answer
}

export function nodeConfig(r: Random): NodeConfig {
  const maxSliceSize = r.int(1024, 4 * 2 ** 30)
  const config: NodeConfig = {
    schemaVersion: CONFIG_SCHEMA_VERSION,
    storageMode: r.pick(['auto', ...storageModes]),
    dataShards: r.int(1, 100),
    parityShards: r.int(1, 100),
    maxSliceSize,
    minSliceSize: r.int(1, maxSliceSize),
    shardSize: r.int(1, maxSliceSize),
    port: r.int(0, 65535),
    bootstrap: Array.from(
      { length: r.int(0, 3) },
      (_, i) => `/ip4/10.0.0.${i}/tcp/${r.int(1, 65535)}/p2p/12D3KooW`
    ),
    maxConnections: r.int(1, 100_000),
    dialTimeout: r.int(100, 600_000),
    dataDir: r.pick(['/var/lib/defs', 'C:\\defs\\data', '/home/ünï/.defs']),
    logDir: '/var/log/defs',
    workerNum: r.int(1, 64),
    bufferSize: r.int(2 ** 20, 2 ** 34),
    maxStorage: r.int(0, 2 ** 50)
  }
  // the tuning record (key 23), each part or none
  if (r.bool()) config.probationMs = r.int(0, 2 ** 40)
  if (r.bool()) config.mirrorInterval = r.int(0, 86_400_000)
  if (r.bool()) config.repairCheckInterval = r.int(100, 86_400_000)
  if (r.bool()) config.repairBandwidth = r.int(65_536, 2 ** 40)
  if (r.bool()) config.repairAudits = r.bool()
  if (r.bool()) config.leaseDuration = r.int(400, 365 * 86_400_000)
  if (r.bool()) config.leaseGrace = r.int(0, 365 * 86_400_000)
  if (r.bool()) config.pairFailureTimeout = r.int(1, 2 ** 40)
  if (r.bool()) config.pairMaintenanceMax = r.int(1, 2 ** 40)
  if (r.bool()) config.pairMigrationBandwidth = r.int(65_536, 2 ** 40)
  return config
}

export function userRoot(r: Random): UserRoot {
  const seq = r.int(1, 2 ** 40)
  const root: UserRoot = {
    user: publicKey(r),
    seq,
    tree: r.bytes(32),
    files: Array.from({ length: r.int(0, 40) }, () => r.bytes(16)),
    time: r.int(0, 2 ** 41)
  }
  if (seq > 1) root.previous = r.bytes(32)
  if (r.bool()) root.friends = r.bytes(32)
  if (r.bool()) root.keystore = r.bytes(32)
  return root
}

export function homeRecord(r: Random): HomeRecord {
  return { user: publicKey(r), home: r.bytes(r.int(1, 40)), seq: r.int(1, 2 ** 40), time: r.int(0, 2 ** 41) }
}

export function userTree(r: Random): UserTree {
  const count = r.int(0, 20)
  return {
    entries: Array.from({ length: count }, (_, i) => ({
      name: `dir/${i}-${r.int(0, 1000)}.txt`,
      fileId: r.bytes(16),
      wrappedKey: r.bytes(r.int(1, 120))
    }))
  }
}

export function friendsList(r: Random): FriendsList {
  const list: FriendsList = {
    friends: Array.from({ length: r.int(0, 6) }, () => {
      const friend: FriendsList['friends'][number] = {
        key: publicKey(r),
        grants: Array.from({ length: r.int(0, 4) }, () => r.bytes(r.int(1, 200)))
      }
      if (r.bool()) friend.recoveryShare = r.bytes(r.int(1, 200))
      return friend
    })
  }
  if (r.bool()) {
    const threshold = r.int(1, 5)
    list.recovery = {
      threshold,
      salt: r.bytes(32),
      secretHash: r.bytes(32),
      shareHashes: Array.from({ length: threshold + r.int(0, 3) }, () => r.bytes(32))
    }
  }
  return list
}

export function mirrorRequest(r: Random, encodeHome?: (home: HomeRecord) => Uint8Array): MirrorRequest {
  const user = publicKey(r)
  switch (r.int(0, encodeHome === undefined ? 3 : 4)) {
    case 4:
      return { kind: 'home', home: envelope(r, 'home', encodeHome!(homeRecord(r))) }
    case 0:
      return { kind: 'state', user }
    case 1:
      return { kind: 'blob', user, id: r.bytes(32) }
    case 2:
      return { kind: 'manifest', user, fileId: r.bytes(16) }
    default:
      return { kind: 'shard', user, fileId: r.bytes(16), id: r.bytes(32) }
  }
}

export function mirrorResponse(
  r: Random,
  encodeRoot: (root: UserRoot) => Uint8Array,
  encodeHome: (home: HomeRecord) => Uint8Array
): MirrorResponse {
  switch (r.int(0, 4)) {
    case 0: {
      const state: MirrorResponse = { kind: 'state' }
      if (r.bool()) state.home = envelope(r, 'home', encodeHome(homeRecord(r)))
      if (r.bool()) state.root = envelope(r, 'root', encodeRoot(userRoot(r)))
      return state
    }
    case 1:
      return { kind: 'blob', bytes: r.bytes(r.int(0, 300)) }
    case 2:
      return { kind: 'shard', header: shardHeader(r), bytes: r.bytes(r.int(0, 300)) }
    case 3:
      return {
        kind: 'error',
        code: r.pick(['not-found', 'refused', 'busy'] as const),
        message: 'no such blob'
      }
    default:
      return { kind: 'blob', bytes: new Uint8Array(0) }
  }
}
