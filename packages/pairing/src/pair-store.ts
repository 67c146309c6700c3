// What a node keeps of its pairing across restarts: the highest epoch it ever signed (so it never
// signs two records of one epoch, nor goes back to an old one) and its current pairing. The node
// persists it on its own disk (temp file, fsync, rename); tests use the memory store.
import type { SignedPairing } from '@defs/segment'

export interface PairState {
  /** The highest epoch this node signed; 0 before its first pair. */
  epoch: number
  /** The current pairing, both-signed; absent while unpaired. */
  pairing?: SignedPairing
}

export interface PairStore {
  load(): Promise<PairState | undefined>
  /** Resolves once `state` is durable. */
  save(state: PairState): Promise<void>
}

export class MemoryPairStore implements PairStore {
  #state: PairState | undefined

  async load(): Promise<PairState | undefined> {
    return this.#state
  }

  async save(state: PairState): Promise<void> {
    this.#state = { ...state }
  }
}
