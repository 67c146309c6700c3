/**
 * @packageDocumentation
 *
 * Dual-node pairs: two storage nodes that mirror each other and watch each other. A pair is a
 * pairing record signed by both partners with an epoch (the highest wins; a node signs one per
 * epoch); partners heartbeat on `/defs/pair/1.0.0` and judge silence with a phi accrual failure
 * detector, suspect before failed, and ask other peers before they declare a partner failed.
 *
 * @example
 * ```ts
 * import { createHost } from '@defs/net'
 * import { MemoryPairStore, PairingService } from '@defs/pairing'
 * import { generateKeyPair } from '@libp2p/crypto/keys'
 *
 * async function pairNode() {
 *   const privateKey = await generateKeyPair('Ed25519')
 *   const host = await createHost({ host: '127.0.0.1', privateKey })
 *   const streams = { openStream: host.dialProtocol.bind(host) }
 *   const pair = new PairingService({ peerId: host.peerId, privateKey, registrar: host, streams,
 *     peers: () => host.getPeers(), store: new MemoryPairStore(), logger: host.logger, autoPair: false })
 *   await pair.start()
 *   return { host, pair }
 * }
 * const [a, b] = await Promise.all([pairNode(), pairNode()])
 * await b.host.dial(a.host.getMultiaddrs()[0]!)
 * const pairing = await b.pair.pairWith(a.host.peerId) // both sides signed it
 * console.log(pairing.record.epoch, a.pair.partner()?.equals(b.host.peerId)) // 1 true
 * ```
 */
export { InvalidPairingError, PairingOptionError, PairingRefusedError, PairSyncError } from './errors.ts'
export {
  type PairingOptions,
  pairingDefaults,
  type ResolvedPairingOptions,
  resolvePairingOptions
} from './options.ts'
export { PairDirectory, type PeerPairing } from './pair-directory.ts'
export { MemoryPairStore, type PairState, type PairStore } from './pair-store.ts'
export {
  answerSync,
  MAX_LEAF_IDS,
  partnerLacks,
  type SyncAsk,
  type SyncLeaf,
  type SyncStats
} from './pair-sync.ts'
export { PairWatch, type PartnerHealth } from './pair-watch.ts'
export {
  offerPairing,
  type Pairing,
  partnerIn,
  peerIdOf,
  verifyOffer,
  verifyPairing
} from './pairing-proof.ts'
export {
  type PairEvents,
  type PairHealth,
  type PairingInit,
  PairingService,
  type PairStatusReport
} from './pairing-service.ts'
export { PhiAccrualDetector, type PhiAccrualOptions, phiOf } from './phi-accrual.ts'
export { childOf, type PrefixBuckets, PrefixInventory, upperOf } from './prefix-inventory.ts'
