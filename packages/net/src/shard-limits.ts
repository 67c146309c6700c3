import { SHARD_MAX_FRAME } from '@defs/segment'

/** Caps of the shard protocol, each checked before anything is allocated. */
export interface ShardLimits {
  /** Largest frame read (request, response, chunk of shard bytes); at most SHARD_MAX_FRAME (1 MiB). */
  maxFrameSize: number
  /** Largest shard body accepted by `put` or `get`. */
  maxShardSize: number
  /** Shard streams one peer may have open to us at once (server side). */
  maxStreamsPerPeer: number
  /** Shard bytes one peer may have in flight to or from us at once (server side). */
  maxBytesInFlightPerPeer: number
  /** Shard bytes held in memory at once for all peers together (put bodies, read chunks). */
  maxMemoryBytes: number
  /** The part of maxMemoryBytes strangers may hold together, so peers with standing always have room. */
  strangerMemoryBytes: number
  /** Requests one peer may send per second on average (server side), and at once. */
  maxRequestsPerSecondPerPeer: number
  requestBurstPerPeer: number
  /** A put's first body byte must arrive within this many ms of its header. */
  firstByteTimeout: number
  /** Bytes of shard bodies this node stores in all. */
  maxStoredBytes: number
  /** What a peer without standing (a stranger) may store here: itself, its network group, all strangers. */
  strangerBytesPerPeer: number
  strangerBytesPerGroup: number
  strangerBytesTotal: number
  /** Our own requests to one peer at once; stays below the peer's maxStreamsPerPeer. */
  clientStreamsPerPeer: number
  /** Our own shard bytes in flight to one peer at once; stays below the peer's maxBytesInFlightPerPeer. */
  clientBytesPerPeer: number
  /** Our own requests to one peer per second, and at once; stay below the peer's request rate. */
  clientRequestsPerSecond: number
  clientRequestBurst: number
  /** A request (open, send, answer) must finish within this many ms. */
  requestTimeout: number
  /**
   * Signed delete requests are accepted this far from our clock, and their nonces kept this long;
   * a delete signed before this node started is refused whatever its time.
   */
  deleteWindowMs: number
}

const MiB = 1024 * 1024

export const defaultShardLimits: ShardLimits = {
  maxFrameSize: SHARD_MAX_FRAME,
  maxShardSize: 64 * MiB + 64,
  maxStreamsPerPeer: 32,
  maxBytesInFlightPerPeer: 256 * MiB,
  maxMemoryBytes: 512 * MiB,
  strangerMemoryBytes: 128 * MiB,
  maxRequestsPerSecondPerPeer: 500,
  requestBurstPerPeer: 1000,
  firstByteTimeout: 5000,
  maxStoredBytes: 1024 * MiB,
  strangerBytesPerPeer: 64 * MiB + 64,
  strangerBytesPerGroup: 256 * MiB,
  strangerBytesTotal: 512 * MiB,
  clientStreamsPerPeer: 16,
  clientBytesPerPeer: 128 * MiB,
  clientRequestsPerSecond: 400,
  clientRequestBurst: 800,
  requestTimeout: 120_000,
  deleteWindowMs: 5 * 60_000
}

export function resolveShardLimits(given: Partial<ShardLimits> = {}): ShardLimits {
  const limits = { ...defaultShardLimits, ...given }
  for (const [key, value] of Object.entries(limits)) {
    if (!(Number.isFinite(value) && value > 0)) {
      throw new RangeError(`shard limits.${key} must be a positive finite number, got ${value}`)
    }
  }
  if (limits.maxFrameSize > SHARD_MAX_FRAME) {
    throw new RangeError(
      `shard limits.maxFrameSize must be at most ${SHARD_MAX_FRAME}, got ${limits.maxFrameSize}`
    )
  }
  return limits
}
