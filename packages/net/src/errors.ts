// One class per condition, told apart by `name` (never by message text). Errors about a remote
// peer carry its id as a string, so the caller can lower that peer's score. Frame and decode
// failures are @defs/segment's DecodeError family (FrameTooLargeError, TruncatedFrameError...);
// corrupt shard bytes are segment's ShardCorruptError, with the peer that served them.
import { ShardStatus } from '@defs/segment'

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

/**
 * No room: storing the bytes would pass a stored-bytes quota. A ShardStore throws it for this
 * node (`peer` undefined); the shard client throws it for a peer that refused a put with 507.
 * Not a ShardRefusedError: a full target is one condition wherever it is, and callers (placement)
 * treat this node and a peer alike.
 */
export class QuotaExceededError extends Error {
  static override name = 'QuotaExceededError'
  override name = 'QuotaExceededError'
  readonly status = ShardStatus.NoSpace
  /** The peer that refused, when it was not this node. */
  readonly peer?: string
  constructor(message: string, peer?: string) {
    super(peer === undefined ? message : `peer ${peer}: refused with ${ShardStatus.NoSpace}: ${message}`)
    this.peer = peer
  }
}

/**
 * This node removed the claim lately at its owner's signed word and keeps a tombstone of it: a put
 * of the same claim again (a partner's sync resending the copy that missed the delete) is
 * refused, with 409, so a delete is not undone. A ShardStore throws it; the client sees a
 * ReplayError whose message says so.
 */
export class ClaimDeletedError extends Error {
  static override name = 'ClaimDeletedError'
  override name = 'ClaimDeletedError'
  readonly status = ShardStatus.Replay
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

/** The peer broke a protocol: malformed or oversize frame, unexpected reply, stream reset or ended early. */
export class ProtocolError extends PeerError {
  static override name = 'ProtocolError'
  override name = 'ProtocolError'
}

/** The peer broke the shard protocol (see ProtocolError). */
export class ShardProtocolError extends ProtocolError {
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
