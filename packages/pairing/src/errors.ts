// One class per condition, told apart by `name`. Errors about a remote peer carry its id.
import { PeerError } from '@defs/net'

/** A pairing record that is not signed by both of the peers it names, or not for us. */
export class InvalidPairingError extends PeerError {
  static override name = 'InvalidPairingError'
  override name = 'InvalidPairingError'
}

/** The other side refused a proposal (paired already, an older epoch, busy proposing itself). */
export class PairingRefusedError extends PeerError {
  static override name = 'PairingRefusedError'
  override name = 'PairingRefusedError'
}

/** A pairing option out of its range; the message names the option and the value. */
export class PairingOptionError extends RangeError {
  static override name = 'PairingOptionError'
  override name = 'PairingOptionError'
}

/**
 * A partner's sync answer out of bounds: the wrong kind, ids unsorted or outside the prefix asked
 * about, or more ids than it counted (a lying or flooding partner). The sync stops; nothing of the
 * answer is used.
 */
export class PairSyncError extends PeerError {
  static override name = 'PairSyncError'
  override name = 'PairSyncError'
}
