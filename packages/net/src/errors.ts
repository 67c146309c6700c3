// One class per condition, told apart by `name` (never by message text). Errors about a remote
// peer carry its id as a string, so the caller can lower that peer's score. Frame and decode
// failures are @defs/segment's DecodeError family (FrameTooLargeError, TruncatedFrameError...).
import type { ShardStatus } from '@defs/segment'

/** An error about a remote peer; `peer` is its id (the one to lower the score of). */
export class PeerError extends Error {
  static override name = 'PeerError'
  override name = 'PeerError'
  readonly peer: string
  constructor(peer: string, message: string, options?: ErrorOptions) {
    super(`peer ${peer}: ${message}`, options)
    this.peer = peer
  }
}

/** The remote peer refused the request (the request was well-formed; the peer said no). */
export class ShardRefusedError extends PeerError {
  static override name = 'ShardRefusedError'
  override name = 'ShardRefusedError'
  /** The status the peer answered (see ShardStatus: 413 too large, 429 busy, 503 maintenance...). */
  readonly status: ShardStatus
  constructor(peer: string, status: ShardStatus, message: string) {
    super(peer, `refused with ${status}: ${message}`)
    this.status = status
  }
}

/** The peer has no room: its stored-bytes quota would be exceeded. */
export class QuotaExceededError extends ShardRefusedError {
  static override name = 'QuotaExceededError'
  override name = 'QuotaExceededError'
}

/** The peer does not hold the shard. */
export class ShardNotFoundError extends ShardRefusedError {
  static override name = 'ShardNotFoundError'
  override name = 'ShardNotFoundError'
}

/** A delete request whose nonce was already used, or whose time is outside the accepted window. */
export class ReplayError extends ShardRefusedError {
  static override name = 'ReplayError'
  override name = 'ReplayError'
}

/** Bytes that do not hash to their shard id; `peer` served (or sent) them. */
export class CorruptShardError extends PeerError {
  static override name = 'CorruptShardError'
  override name = 'CorruptShardError'
  readonly shardId: string
  constructor(peer: string, shardId: string, detail: string) {
    super(peer, `sent corrupt shard ${shardId}: ${detail}`)
    this.shardId = shardId
  }
}

/** The peer broke the protocol: malformed or oversize frame, unexpected reply, stream reset or ended early. */
export class ShardProtocolError extends PeerError {
  static override name = 'ShardProtocolError'
  override name = 'ShardProtocolError'
}

/** A location record or index answer that fails its signature, expiry or peer binding. */
export class InvalidLocationRecordError extends PeerError {
  static override name = 'InvalidLocationRecordError'
  override name = 'InvalidLocationRecordError'
}

/** A peer went over a per-peer bound (streams, bytes in flight); its stream is reset with this. */
export class PeerLimitError extends PeerError {
  static override name = 'PeerLimitError'
  override name = 'PeerLimitError'
}
