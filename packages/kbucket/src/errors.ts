// One class per condition; callers check `err.name`, never the message text.

/** A key is not a 32-byte Uint8Array. */
export class InvalidKeyError extends RangeError {
  override name = 'InvalidKeyError'
}

/** An option, argument or observation is out of its range; the message names it and the value. */
export class InvalidArgumentError extends RangeError {
  override name = 'InvalidArgumentError'
}
