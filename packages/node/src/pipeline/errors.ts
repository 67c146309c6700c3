// One class per condition of the slice pipeline; callers branch on `err.name` (or instanceof).
// Reed-Solomon's TooFewShardsError and the AEAD's AuthenticationError come from @defs/erasure and
// @defs/crypto unchanged, so a caller sees one error type per condition across the packages.

/** The network has fewer peers than the code asked for ("rs-proportion 10+4 needs 14 peers, the network has 6"). */
export class NotEnoughPeersError extends Error {
  static override name = 'NotEnoughPeersError'
  override name = 'NotEnoughPeersError'
  readonly needed: number
  readonly available: number
  constructor(message: string, needed: number, available: number) {
    super(message)
    this.needed = needed
    this.available = available
  }
}

/** `file` mode stores one slice: the size must be known and at most maxSliceSize. */
export class FileModeSizeError extends Error {
  static override name = 'FileModeSizeError'
  override name = 'FileModeSizeError'
}

/** Too few shards of a slice match their ids to open it; `corrupt` lists the shard indices that did not. */
export class ShardIdMismatchError extends Error {
  static override name = 'ShardIdMismatchError'
  override name = 'ShardIdMismatchError'
  readonly corrupt: number[]
  constructor(message: string, corrupt: number[]) {
    super(message)
    this.corrupt = corrupt
  }
}

/** The slice pool was closed (or a worker died) while work was pending. */
export class PoolClosedError extends Error {
  static override name = 'PoolClosedError'
  override name = 'PoolClosedError'
}
