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
 * import { MemoryPairStore, pairing } from '@defs/pairing'
 *
 * const opts = { heartbeatInterval: 200 }
 * const [a, b] = await Promise.all([0, 1].map(() =>
 *   createHost({ host: '127.0.0.1', services: { pair: pairing({ ...opts, store: new MemoryPairStore() }) } })))
 * await b!.dial(a!.getMultiaddrs()[0]!)
 * const formed = await b!.services.pair.pairWith(a!.peerId)
 * console.log(formed.record.epoch, b!.services.pair.partner()?.equals(a!.peerId)) // 1 true
 * await Promise.all([a!.stop(), b!.stop()])
 * ```
 */
export { InvalidPairingError, PairingOptionError, PairingRefusedError } from './errors.ts'
export { offerPairing, type Pairing, partnerIn, verifyOffer, verifyPairing } from './pairing-proof.ts'
export { PhiAccrualDetector, type PhiAccrualOptions, phiOf } from './phi-accrual.ts'
