/**
 * @packageDocumentation
 *
 * `@defs/kbucket`: the Kademlia routing table DeFS peers find each other with, and the peer
 * scorer that picks shard placement and pairing targets. No libp2p dependency; runs on Node, Bun,
 * Deno and in browsers.
 *
 * @example
 * ```ts
 * import { keyOf, PeerScorer, RoutingTable } from '@defs/kbucket'
 *
 * const table = new RoutingTable(await keyOf(new TextEncoder().encode('me')))
 * table.addEventListener('peer:added', (e) => console.log('added', e.detail.id))
 * for (const [i, address] of ['203.0.113.7', '198.51.100.9', '2001:db8:1::5'].entries()) {
 *   table.add({ id: `peer-${i}`, key: await keyOf(new TextEncoder().encode(`peer-${i}`)), address })
 * }
 * const nearest = table.closest(await keyOf(new TextEncoder().encode('some shard')), 2)
 *
 * const scorer = new PeerScorer()
 * scorer.observe('peer-0', { rttMs: 20, audit: 'pass', group: 'ip4:203.0.113.0/24' })
 * scorer.observe('peer-1', { rttMs: 300, audit: 'fail', group: 'ip4:198.51.100.0/24' })
 * const targets = scorer.select(1) // ['peer-0']: peer-1 is outside the best tier
 * ```
 */

export { InvalidArgumentError, InvalidKeyError } from './errors.ts'
export { commonPrefixLength, compareDistance, KEY_BITS, KEY_BYTES, keyOf, xorDistance } from './key.ts'
export { networkGroupOf } from './network-group.ts'
export type {
  Diversity,
  Observation,
  PeerScorerOptions,
  PeerSnapshot,
  ScorerSnapshot,
  SelectOptions
} from './peer-scorer.ts'
export { PeerScorer } from './peer-scorer.ts'
export { secureRandom, seededRandom } from './random.ts'
export type {
  AddResult,
  RejectReason,
  RoutingEntry,
  RoutingPeer,
  RoutingTableEvents,
  RoutingTableOptions
} from './routing-table.ts'
export { RoutingTable } from './routing-table.ts'
export type { ScoreFactors, ScoreReferences, ScoreWeights } from './score-factors.ts'
export { DEFAULT_REFERENCES, DEFAULT_WEIGHTS } from './score-factors.ts'
export type { TypedListener } from './typed-event-target.ts'
