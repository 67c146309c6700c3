// The contract every signature algorithm implements; signing.ts picks one per algorithm and backend.

export type SignatureAlgorithm = 'ed25519' | 'secp256k1' | 'p256'

/** Where a signature is computed: node:crypto (Node, Bun), WebCrypto, or @noble/curves (everywhere). */
export type SignatureBackend = 'node' | 'webcrypto' | 'noble'

export interface PublicKey {
  readonly algorithm: SignatureAlgorithm
  /** Ed25519: the 32-byte key of RFC 8032. ECDSA: the 33-byte compressed SEC1 point. */
  readonly bytes: Uint8Array
}

export interface SigningKey {
  readonly algorithm: SignatureAlgorithm
  readonly publicKey: PublicKey
  /** Sign `message` as given (canonical bytes); ECDSA hashes it with SHA-256 first. 64 bytes. */
  sign(message: Uint8Array): Promise<Uint8Array>
  /** Raw private key bytes (32 bytes for all three algorithms), for persistence. */
  exportPrivate(): Uint8Array
}

export interface SignatureOptions {
  /** `auto` (default) takes the fastest backend this runtime has; naming one is for tests and benchmarks. */
  backend?: 'auto' | SignatureBackend
}

/** A private key loaded into one backend. */
export interface LoadedPrivateKey {
  publicKey: Uint8Array
  sign(message: Uint8Array): Promise<Uint8Array>
}

/** One algorithm on one backend. */
export interface SignatureEngine {
  loadPrivate(privateKey: Uint8Array): Promise<LoadedPrivateKey>
  /** True only for a valid signature; false for anything malformed. */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>
}

export interface SignatureScheme {
  readonly algorithm: SignatureAlgorithm
  readonly publicKeyLength: number
  readonly signatureLength: number
  /** 32 random bytes that are a valid private key of the algorithm. */
  randomPrivate(): Uint8Array
  /** The engines this runtime has, fastest first. */
  engines(): Promise<Partial<Record<SignatureBackend, SignatureEngine>>>
}
