// One class per condition; callers branch on `err.name` (or instanceof), never on message text.

/** Fewer shards than the operation needs ("have 8 shards, need 10"). */
export class TooFewShardsError extends Error {
  override name = 'TooFewShardsError'
}

/** Shards of unequal length, or every shard empty. */
export class ShardSizeError extends Error {
  override name = 'ShardSizeError'
}

/** `join` was given a data shard that is missing: reconstruct first. */
export class ReconstructRequiredError extends Error {
  override name = 'ReconstructRequiredError'
}

/** The backend asked for (`{ backend: 'wasm' }`) cannot run here (no WebAssembly SIMD). */
export class BackendUnavailableError extends Error {
  override name = 'BackendUnavailableError'
}
