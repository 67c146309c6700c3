/**
 * @packageDocumentation
 *
 * The codec of every DeFS persistent and wire format: manifests, shard headers, location
 * records, delete requests, audits, shard and index protocol messages, node config. Canonical
 * CBOR (cborg), a version in every type, strict capped decoders that throw only DecodeError,
 * signed envelopes with a domain per record type, and varint framing for streams.
 *
 * @example
 * ```ts
 * import { generateSigningKey, randomBytes } from '@defs/crypto'
 * import { assertFreshTime, decodeEnvelope, encodeEnvelope, sign, verify } from '@defs/segment'
 *
 * const owner = await generateSigningKey()
 * const req = { fileId: randomBytes(16), shards: [randomBytes(32)], nonce: randomBytes(16), time: Date.now(), recipient: randomBytes(38) }
 * const bytes = encodeEnvelope(await sign('delete', req, owner)) // what goes over the wire
 *
 * const received = await verify(decodeEnvelope(bytes), 'delete') // a DecodeError on anything wrong
 * assertFreshTime(received.time) // a ClockSkewError beyond 5 minutes
 * console.log(received.shards.length, bytes.length)
 * ```
 */

export {
  AUDIT_VERSION,
  type AuditChallenge,
  type AuditResponse,
  auditDigest,
  auditDigestOf,
  type ByteRange,
  decodeAuditChallenge,
  decodeAuditResponse,
  encodeAuditChallenge,
  encodeAuditResponse
} from './audit.ts'
export { compareBytes, equalBytes } from './bytes.ts'
export {
  assertFreshTime,
  DEFAULT_MAX_SKEW_MS,
  DELETE_REQUEST_VERSION,
  type DeleteRequest,
  decodeDeleteRequest,
  encodeDeleteRequest
} from './delete-request.ts'
export {
  decodeEnvelope,
  ENVELOPE_VERSION,
  type Envelope,
  encodeEnvelope,
  maxEnvelopeBytes,
  type RecordType,
  recordTypes,
  type SignedRecords,
  sign,
  signingDomain,
  verify
} from './envelope.ts'
export {
  AuditRangeError,
  ClockSkewError,
  ConfigError,
  DecodeError,
  EncodeError,
  FrameOverrunError,
  FrameTooLargeError,
  InvalidValueError,
  MalformedFrameError,
  MissingFieldError,
  OutOfRangeError,
  OversizeError,
  RollbackError,
  ShardCorruptError,
  SignatureError,
  TrailingBytesError,
  TruncatedFrameError,
  UnknownFieldError,
  UnknownVersionError,
  WrongRecordTypeError,
  WrongTypeError
} from './errors.ts'
export { publicKeyLength, SIGNATURE_BYTES, samePublicKey } from './fields.ts'
export { formatCapability, InvalidFileRefError, type ParsedRef, parseFileRef } from './file-ref.ts'
export {
  encodeFrame,
  type FrameChunk,
  FrameReader,
  frameHeader,
  MAX_FRAME_PREFIX_BYTES,
  type ReadFramesOptions,
  readFrames
} from './framing.ts'
export {
  decodeHomeRecord,
  encodeHomeRecord,
  HOME_RECORD_VERSION,
  type HomeRecord
} from './home-record.ts'
export {
  decodeIndexAnswer,
  decodeIndexQuery,
  encodeIndexAnswer,
  encodeIndexQuery,
  INDEX_MAX_FRAME,
  INDEX_MESSAGE_VERSION,
  INDEX_PROTOCOL,
  type IndexAnswer,
  type IndexQuery
} from './index-protocol.ts'
export {
  decodeLeaseRenewal,
  encodeLeaseRenewal,
  LEASE_RENEWAL_VERSION,
  type LeaseRenewal
} from './lease-renewal.ts'
export { FILE_ID_BYTES, limits, NONCE_BYTES, SHARD_ID_BYTES } from './limits.ts'
export {
  decodeLocationRecord,
  encodeLocationRecord,
  isExpired,
  LOCATION_RECORD_VERSION,
  type LocationRecord
} from './location-record.ts'
export {
  decodeManifest,
  encodeManifest,
  MANIFEST_VERSION,
  type Manifest,
  type ManifestSlice,
  type SliceCoding,
  type SliceLayout,
  type StorageMode,
  type StorageModeChoice,
  shardShape,
  sliceCount,
  sliceLayout,
  storageModeChoices,
  storageModes
} from './manifest.ts'
export {
  decodeMirrorRequest,
  decodeMirrorResponse,
  encodeMirrorRequest,
  encodeMirrorResponse,
  MIRROR_MESSAGE_VERSION,
  MIRROR_PROTOCOL,
  type MirrorErrorCode,
  type MirrorRequest,
  type MirrorResponse,
  mirrorErrorCodes
} from './mirror-protocol.ts'
export {
  CONFIG_SCHEMA_VERSION,
  decodeNodeConfig,
  decodeOlderNodeConfig,
  encodeNodeConfig,
  migrateConfig,
  type NodeConfig
} from './node-config.ts'
export {
  decodePairRequest,
  decodePairResponse,
  encodePairRequest,
  encodePairResponse,
  PAIR_BUCKET_HASH_BYTES,
  PAIR_BUCKETS,
  PAIR_LIST_MAX_IDS,
  PAIR_MESSAGE_VERSION,
  PAIR_PREFIX_MAX_BYTES,
  PAIR_PROTOCOL,
  type PairLifecycle,
  type PairRequest,
  type PairResponse,
  type PairStatus,
  pairLifecycles
} from './pair-protocol.ts'
export {
  decodePairingRecord,
  encodePairingRecord,
  PAIRING_RECORD_VERSION,
  type PairingRecord,
  pairingPeers
} from './pairing-record.ts'
export {
  decodeRepairReport,
  encodeRepairReport,
  REPAIR_REPORT_VERSION,
  type RepairReport
} from './repair-report.ts'
export {
  decodeRetireRecord,
  encodeRetireRecord,
  RETIRE_RECORD_VERSION,
  type RetireRecord
} from './retire-record.ts'
export { assertNotRollback, ManifestSeqGuard } from './rollback.ts'
export {
  decodeShardClaims,
  encodeShardClaim,
  encodeShardClaims,
  openShard,
  peekShardClaim,
  peekShardHeader,
  type ShardClaim,
  type ShardUploader,
  sealShard
} from './shard-file.ts'
export {
  decodeShardHeader,
  encodeShardHeader,
  SHARD_HEADER_VERSION,
  type ShardHeader,
  shardHeaderOf,
  signShardHeader,
  type UnsignedShardHeader,
  verifyShardHeader
} from './shard-header.ts'
export {
  decodeShardRequest,
  decodeShardResponse,
  encodeShardRequest,
  encodeShardResponse,
  SHARD_MAX_FRAME,
  SHARD_MESSAGE_VERSION,
  SHARD_PROTOCOL,
  type ShardRequest,
  type ShardResponse,
  ShardStatus
} from './shard-protocol.ts'
export {
  decodeSavedPairing,
  decodeSignedPairing,
  encodeSavedPairing,
  encodeSignedPairing,
  type SavedPairing,
  type SignedPairing,
  verifySignedPairing
} from './signed-pairing.ts'
export {
  decodeUserRoot,
  encodeUserRoot,
  ROOT_DIGEST_BYTES,
  rootDigest,
  USER_ROOT_VERSION,
  type UserRoot
} from './user-root.ts'
export {
  decodeFriendsList,
  decodeUserTree,
  encodeFriendsList,
  encodeUserTree,
  FRIENDS_LIST_VERSION,
  type Friend,
  type FriendsList,
  type RecoveryCommitment,
  type TreeEntry,
  USER_TREE_VERSION,
  type UserTree
} from './user-tree.ts'
