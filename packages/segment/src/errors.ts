// One class per condition; callers check `err.name` (or `instanceof`), never the message text.
// Everything a decoder rejects is a DecodeError, so a peer handler needs one catch for "bad input".

/** Input that is not a valid encoding of the expected type: the base class of every decode failure. */
export class DecodeError extends Error {
  override name = 'DecodeError'
}

/** The version field names a version this codec does not read. */
export class UnknownVersionError extends DecodeError {
  override name = 'UnknownVersionError'
}

/** A map key that the type does not define, repeats, or comes out of canonical order. */
export class UnknownFieldError extends DecodeError {
  override name = 'UnknownFieldError'
}

/** A required field is absent. */
export class MissingFieldError extends DecodeError {
  override name = 'MissingFieldError'
}

/** A field holds the wrong CBOR type (a string where bytes belong, a float, a tag, null...). */
export class WrongTypeError extends DecodeError {
  override name = 'WrongTypeError'
}

/** A number outside its allowed range. */
export class OutOfRangeError extends DecodeError {
  override name = 'OutOfRangeError'
}

/** A value of the right type that breaks a rule: a short id, an unknown enum word, invalid UTF-8, fields that disagree. */
export class InvalidValueError extends DecodeError {
  override name = 'InvalidValueError'
}

/** The input, a byte or text string, or an array is longer than its cap. Checked before anything is allocated. */
export class OversizeError extends DecodeError {
  override name = 'OversizeError'
}

/** Bytes after the end of the encoded value. */
export class TrailingBytesError extends DecodeError {
  override name = 'TrailingBytesError'
}

/** A frame's length prefix exceeds the protocol's maxFrameSize. */
export class FrameTooLargeError extends DecodeError {
  override name = 'FrameTooLargeError'
}

/** A length prefix that is not a minimal unsigned varint of at most 5 bytes. */
export class MalformedFrameError extends DecodeError {
  override name = 'MalformedFrameError'
}

/** A frame that runs past the end of the body it carries a piece of (the sender sent more than it announced). */
export class FrameOverrunError extends MalformedFrameError {
  override name = 'FrameOverrunError'
}

/** The stream ended inside a frame. */
export class TruncatedFrameError extends DecodeError {
  override name = 'TruncatedFrameError'
}

/** An envelope's signature does not verify, or its signer is not the record's owner. */
export class SignatureError extends DecodeError {
  override name = 'SignatureError'
}

/** An envelope of one record type offered where another is expected. */
export class WrongRecordTypeError extends DecodeError {
  override name = 'WrongRecordTypeError'
}

/**
 * Shard bytes that disagree with their id (SHA-256) or their header (length, CRC32C): rotted on
 * a disk, or sent wrong by a peer. `shardId` (hex) names the shard and `peer` the one that served
 * or sent the bytes, when known (undefined: this node's own copy).
 */
export class ShardCorruptError extends DecodeError {
  override name = 'ShardCorruptError'
  readonly shardId?: string
  readonly peer?: string
  constructor(message: string, options: { shardId?: string; peer?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.shardId = options.shardId
    this.peer = options.peer
  }
}

/** A node config that cannot be read or migrated (the message names the option). */
export class ConfigError extends DecodeError {
  override name = 'ConfigError'
}

/** A value handed to an encoder that its decoder would reject (the message names the field). */
export class EncodeError extends Error {
  override name = 'EncodeError'
}

/** A manifest whose seq is lower than one already seen for the same file. */
export class RollbackError extends Error {
  override name = 'RollbackError'
}

/** A signed time too far from the local clock. */
export class ClockSkewError extends Error {
  override name = 'ClockSkewError'
}

/** An audit range that lies outside the shard. */
export class AuditRangeError extends RangeError {
  override name = 'AuditRangeError'
}
