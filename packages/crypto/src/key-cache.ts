// Importing a public key into a native backend costs more than verifying one signature with it, and
// a node verifies many records from the same few peers; so imported keys are kept, a bounded number.

export class KeyCache<V> {
  readonly #entries = new Map<string, V>()
  readonly #capacity: number

  constructor(capacity = 1024) {
    this.#capacity = capacity
  }

  get(id: string, make: () => V): V {
    let value = this.#entries.get(id)
    if (value === undefined) {
      value = make()
      if (this.#entries.size >= this.#capacity) this.#entries.delete(this.#entries.keys().next().value!)
      this.#entries.set(id, value)
    }
    return value
  }
}
