// One class per condition, told apart by `name` (never by message text).

/** A ciphertext, tag, nonce, key or AAD does not authenticate: the data was tampered with or the key is wrong. */
export class AuthenticationError extends Error {
  static override name = 'AuthenticationError'
  override name = 'AuthenticationError'
}

/** A share does not hash to its entry in the commitment: it is wrong, tampered with or from another split. */
export class ShareCommitmentError extends Error {
  static override name = 'ShareCommitmentError'
  override name = 'ShareCommitmentError'
}

/** Fewer distinct valid shares than the threshold were given. */
export class NotEnoughSharesError extends Error {
  static override name = 'NotEnoughSharesError'
  override name = 'NotEnoughSharesError'
}

/** The same share index was given twice. */
export class DuplicateShareError extends Error {
  static override name = 'DuplicateShareError'
  override name = 'DuplicateShareError'
}

/** Private key bytes that are not a valid key of the algorithm (e.g. zero or >= the curve order). */
export class InvalidKeyError extends Error {
  static override name = 'InvalidKeyError'
  override name = 'InvalidKeyError'
}

/** An algorithm name this package does not implement. */
export class UnsupportedAlgorithmError extends Error {
  static override name = 'UnsupportedAlgorithmError'
  override name = 'UnsupportedAlgorithmError'
}

/** A backend was requested by name but this runtime does not have it (e.g. `node` on Deno or in a browser). */
export class BackendUnavailableError extends Error {
  static override name = 'BackendUnavailableError'
  override name = 'BackendUnavailableError'
}

/** A wrapped-key blob is truncated, has an unknown version or kind, or is of the wrong kind for the call. */
export class MalformedWrappedKeyError extends Error {
  static override name = 'MalformedWrappedKeyError'
  override name = 'MalformedWrappedKeyError'
}

/** Key-derivation parameters beyond the accepted bounds (a blob from a peer must not make us spend gigabytes). */
export class KdfParametersError extends Error {
  static override name = 'KdfParametersError'
  override name = 'KdfParametersError'
}
