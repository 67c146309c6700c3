import { DecodeError, FrameTooLargeError, MalformedFrameError } from '@defs/segment'
import type { Logger, PeerId } from '@libp2p/interface'

/** What a peer did wrong; the node layer turns it into a score penalty (see @defs/kbucket). */
export type Misbehavior =
  /** A frame over the cap, or a malformed length prefix. */
  | 'oversize-frame'
  /** A message that does not decode, or a reply that does not fit the request. */
  | 'malformed-message'
  /** Shard bytes that do not hash to their id (or disagree with their header). */
  | 'corrupt-shard'
  /** More concurrent shard streams than allowed per peer. */
  | 'too-many-streams'
  /** More shard bytes in flight than allowed per peer. */
  | 'too-many-bytes'
  /** More requests per second than allowed per peer. */
  | 'too-many-requests'
  /** A put whose body did not start within the first-byte deadline. */
  | 'stalled-body'
  /** A signed request or record whose signature does not verify. */
  | 'bad-signature'
  /** A signed request seen before, or sent to a holder it does not name. */
  | 'replay'
  /** A location record that is forged, expired, or names another file or peer. */
  | 'forged-record'

/** Called when a peer breaks a cap or the protocol; net itself only resets the stream. */
export type MisbehaviorHook = (peer: PeerId, reason: Misbehavior, detail: string) => void

/**
 * Tell `hook` (when there is one) and the log that `peer` misbehaved. A hook that throws is logged
 * and otherwise ignored: scoring a peer must never turn into a transfer error.
 */
export function reportMisbehavior(
  hook: MisbehaviorHook | undefined,
  log: Logger | undefined,
  peer: PeerId,
  reason: Misbehavior,
  detail: string
): void {
  log?.('peer %p misbehaved: %s: %s', peer, reason, detail)
  try {
    hook?.(peer, reason, detail)
  } catch (err) {
    log?.error('onPeerMisbehaved threw: %e', err)
  }
}

/** The misbehaviour a frame or decode failure from a peer stands for (undefined: not the peer's fault). */
export function misbehaviorOf(err: unknown): Misbehavior | undefined {
  if (err instanceof FrameTooLargeError || err instanceof MalformedFrameError) return 'oversize-frame'
  if (err instanceof DecodeError) return 'malformed-message'
  return undefined
}
