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
  /** Stored bytes allowed when no `quota` callback is given. */
  maxStoredBytes: number
  /** Our own requests to one peer at once; stays below the peer's maxStreamsPerPeer. */
  clientStreamsPerPeer: number
  /** Our own shard bytes in flight to one peer at once; stays below the peer's maxBytesInFlightPerPeer. */
  clientBytesPerPeer: number
  /** A request (open, send, answer) must finish within this many ms. */
  requestTimeout: number
  /** Signed delete requests are accepted this far from our clock, and their nonces kept this long. */
  deleteWindowMs: number
}

const MiB = 1024 * 1024

export const defaultShardLimits: ShardLimits = {
  maxFrameSize: SHARD_MAX_FRAME,
  maxShardSize: 64 * MiB + 64,
  maxStreamsPerPeer: 32,
  maxBytesInFlightPerPeer: 256 * MiB,
  maxStoredBytes: 1024 * MiB,
  clientStreamsPerPeer: 16,
  clientBytesPerPeer: 128 * MiB,
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
