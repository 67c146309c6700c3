// One error class per condition; callers compare `err.name`, never the message.

/** A root update whose `previous` is not the current root (someone else wrote first). */
export class RootConflictError extends Error {
  static override name = 'RootConflictError'
  override name = 'RootConflictError'
  /** The seq of the root this node holds now, so the writer can re-read and retry. */
  readonly currentSeq: number
  constructor(message: string, currentSeq: number) {
    super(message)
    this.currentSeq = currentSeq
  }
}

/** A root or home record whose seq is not above the one held: an old record replayed. */
export class StaleRecordError extends Error {
  static override name = 'StaleRecordError'
  override name = 'StaleRecordError'
}

/** A write for a user at a node that is not their home. */
export class NotHomeError extends Error {
  static override name = 'NotHomeError'
  override name = 'NotHomeError'
  /** The user's home peer id (text), when one is known. */
  readonly home: string | undefined
  constructor(message: string, home: string | undefined) {
    super(message)
    this.home = home
  }
}

/** A record or blob for another user than the one asked about, or signed by someone else. */
export class WrongUserError extends Error {
  static override name = 'WrongUserError'
  override name = 'WrongUserError'
}

export class WrongPassphraseError extends Error {
  static override name = 'WrongPassphraseError'
  override name = 'WrongPassphraseError'
}

/** An account file or name that is not valid. */
export class InvalidAccountError extends Error {
  static override name = 'InvalidAccountError'
  override name = 'InvalidAccountError'
}

/** A blob whose bytes do not hash to the id it was asked for, or that does not open. */
export class BadBlobError extends Error {
  static override name = 'BadBlobError'
  override name = 'BadBlobError'
}

/** A peer's error answer to a mirror request (`code` from the protocol), or an answer of the wrong kind. */
export class MirrorPeerError extends Error {
  static override name = 'MirrorPeerError'
  override name = 'MirrorPeerError'
  readonly code: string
  constructor(code: string, message: string) {
    super(`${code}: ${message}`)
    this.code = code
  }
}

/** A sync that could not store k shards of some slice: the root copy is not committed. */
export class IncompleteCopyError extends Error {
  static override name = 'IncompleteCopyError'
  override name = 'IncompleteCopyError'
}

/** A login at a node that is not the user's home, with allowExternalLogin off. */
export class ExternalLoginError extends Error {
  static override name = 'ExternalLoginError'
  override name = 'ExternalLoginError'
}

export class UnknownUserError extends Error {
  static override name = 'UnknownUserError'
  override name = 'UnknownUserError'
}

/** A recovery share that is wrong, altered, or not a friend's; `holder` names whose (user id). */
export class RecoveryShareError extends Error {
  static override name = 'RecoveryShareError'
  override name = 'RecoveryShareError'
  readonly holder: string | undefined
  constructor(message: string, holder: string | undefined) {
    super(message)
    this.holder = holder
  }
}

/** Fewer recovery shares than the threshold; `missing` says how many more. */
export class NotEnoughRecoverySharesError extends Error {
  static override name = 'NotEnoughRecoverySharesError'
  override name = 'NotEnoughRecoverySharesError'
  readonly missing: number
  constructor(message: string, missing: number) {
    super(message)
    this.missing = missing
  }
}

/** A name or file id that is not in the user's tree (nor shared with them). */
export class UnknownFileError extends Error {
  static override name = 'UnknownFileError'
  override name = 'UnknownFileError'
}

/** A revoke of a grant the user's tree does not record for that file and friend. */
export class NotSharedError extends Error {
  static override name = 'NotSharedError'
  override name = 'NotSharedError'
}
