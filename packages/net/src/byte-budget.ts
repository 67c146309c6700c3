// One bound on bytes held at once, shared by every peer: the node-wide memory budget of the shard
// server (put bodies on their way to the store, the chunk a get or an audit has read).

export class ByteBudget {
  readonly max: number
  private held = 0

  constructor(max: number) {
    this.max = max
  }

  /** Take `bytes` if they fit; false when the budget would be passed. */
  reserve(bytes: number): boolean {
    if (this.held + bytes > this.max) return false
    this.held += bytes
    return true
  }

  release(bytes: number): void {
    this.held = Math.max(0, this.held - bytes)
  }

  get used(): number {
    return this.held
  }
}
