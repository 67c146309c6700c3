// Every cap of the codec in one place. A decoder checks the input length against its type's
// `maxBytes` before parsing, and each list, byte and text string against its own cap before
// allocating it, so the memory a hostile input can cost is bounded by these numbers.

const KiB = 1024
const MiB = 1024 * KiB
const GiB = 1024 * MiB

/** Bytes of a SHA-256 shard id. */
export const SHARD_ID_BYTES = 32
/** Bytes of a file id (random 128-bit). */
export const FILE_ID_BYTES = 16
/** Bytes of an AES-GCM nonce. */
export const NONCE_BYTES = 12

export const limits = {
  /** k + m of one slice: Reed-Solomon over GF(2^8). */
  maxShardsPerSlice: 256,
  /** Slices of one manifest: 1 TiB in 4 MiB slices. */
  maxSlices: 262_144,
  /** Plaintext bytes of one slice (the `file` mode stores a small file as one slice). */
  maxSliceSize: 4 * GiB,
  /** Ciphertext minus plaintext of a slice: room for the AEAD tag. */
  maxSealOverhead: 64,
  /** Encrypted name and metadata of a file. */
  maxMetaBytes: 64 * KiB,
  /** A libp2p peer id in its binary (multihash) form, and as text (base58 or CID). */
  maxPeerIdBytes: 128,
  maxPeerIdTextBytes: 128,
  /** A network group name (`ip4:a.b.c.0/24`, `ip6:x:y:z::/48`). */
  maxNetworkGroupBytes: 64,
  /** Owners one stored shard may have (the same bytes stored for several files or owners). */
  maxClaimsPerShard: 64,
  /** Shard ids one location record or delete request names; more are split over several. */
  maxShardIdsPerRecord: 4096,
  /** Shard ids one `has` request asks about. */
  maxHasIds: 4096,
  /** Byte ranges of one audit challenge, and the bytes of one range. */
  maxAuditRanges: 16,
  maxAuditRangeBytes: 1 * MiB,
  /** Error text of a shard response. */
  maxErrorTextBytes: 1024,
  /** Signed location records one index answer carries. */
  maxIndexLocations: 256,
  /** Node config: bootstrap addresses, one multiaddr, one directory path. */
  maxBootstrap: 256,
  maxMultiaddrBytes: 1024,
  maxPathBytes: 4096,
  /** Files one user root names (and entries of one tree); more want a tree of roots: not yet. */
  maxRootFiles: 65_536,
  /** A file's name in a user's tree. */
  maxTreeNameBytes: 1024,
  /** A file key wrapped to its user's key (header, ephemeral key, sealed key: ~100 bytes). */
  maxWrappedKeyBytes: 512,
  /** Friends one user lists, what one friend is granted, and one grant (wrapped capability or share). */
  maxFriends: 1024,
  maxGrantsPerFriend: 256,
  maxGrantBytes: 8 * KiB,
  /** A shard one mirror response carries whole; larger shards want streamed frames: not yet. */
  maxMirrorShardBytes: 64 * MiB + 64,

  /** Encoded bytes per type: the input cap each decoder checks first. */
  maxBytes: {
    /** 1 TiB of 10+4 in 10 MiB slices is ~53 MB. */
    manifest: 64 * MiB,
    shardHeader: 256,
    /** A shard header and the uploader this node recorded with it (its shard files start with one). */
    shardClaim: 512,
    locationRecord: 192 * KiB,
    deleteRequest: 192 * KiB,
    /** maxShardIdsPerRecord ids of 34 bytes, a key and a peer id. */
    leaseRenewal: 192 * KiB,
    retireRecord: 256,
    /** maxRootFiles file ids of 17 bytes each, with room to spare. */
    userRoot: 2 * MiB,
    homeRecord: 512,
    userTree: 64 * MiB,
    friendsList: 16 * MiB,
    /** A home record envelope is the largest request. */
    mirrorRequest: 2 * KiB,
    /** The largest of a tree blob, a manifest envelope and a shard with its header. */
    mirrorResponse: 64 * MiB + 64 * KiB,
    repairReport: 256,
    /** Two peer ids, an epoch and a time. */
    pairingRecord: 512,
    /** Two pairing envelopes (each the record plus envelopeOverhead). */
    signedPairing: 4 * KiB,
    /** A pair protocol request or answer: a status, a peer id, one pairing envelope, 256 bucket hashes and counts, or 96 ids. */
    pairMessage: 4 * KiB,
    auditChallenge: 1 * KiB,
    auditResponse: 256,
    /** An envelope is its payload's cap plus this much for type, key and signature. */
    envelopeOverhead: 1 * KiB,
    shardRequest: 256 * KiB,
    shardResponse: 16 * KiB,
    indexQuery: 1 * KiB,
    /** One manifest envelope plus maxIndexLocations location envelopes. */
    indexAnswer: 128 * MiB,
    nodeConfig: 1 * MiB
  }
} as const
