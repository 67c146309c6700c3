// Who a peer is to this node, for what it may store here and whether it gets our shards: trusted
// (the operator said so: its own nodes, a devnet; a pair partner later), known (connected for the
// probation time, and never caught lying), or a stranger (everyone else: small quotas, placed on
// only when nobody proven is left). The trusted list is an option, kept in the node's config.

import type { PeerScorer } from '@defs/kbucket'
import type { Standing } from '@defs/net'

export interface StandingOptions {
  trustedPeers: readonly string[]
  /** How long a peer must have been connected before it counts as known, ms. */
  probationMs: number
  scorer: PeerScorer
  now?: () => number
}

export class PeerStanding {
  readonly #trusted: Set<string>
  readonly #firstSeen = new Map<string, number>()
  readonly #o: StandingOptions
  readonly #now: () => number

  constructor(options: StandingOptions) {
    this.#o = options
    this.#trusted = new Set(options.trustedPeers)
    this.#now = options.now ?? Date.now
  }

  /** Called when a peer connects: its probation runs from its first connection this run. */
  seen(peerId: string): void {
    if (!this.#firstSeen.has(peerId)) this.#firstSeen.set(peerId, this.#now())
  }

  trust(peerId: string): void {
    this.#trusted.add(peerId)
  }

  untrust(peerId: string): void {
    this.#trusted.delete(peerId)
  }

  get trusted(): string[] {
    return [...this.#trusted]
  }

  of(peerId: string): Standing {
    if (this.#trusted.has(peerId)) return 'trusted'
    const first = this.#firstSeen.get(peerId)
    if (first === undefined || this.#now() - first < this.#o.probationMs) return 'stranger'
    // A peer caught sending a bad shard or breaking a cap lost its audit score: back to stranger.
    const audit = this.#o.scorer.has(peerId) ? this.#o.scorer.factors(peerId).audit : 1
    return audit < 0.5 ? 'stranger' : 'known'
  }

  /** Proven (trusted or known): what placement prefers. */
  proven(peerId: string): boolean {
    return this.of(peerId) !== 'stranger'
  }
}
