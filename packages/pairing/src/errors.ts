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
