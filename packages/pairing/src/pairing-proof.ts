// A pairing record proves itself: it is valid only when each of the two peer ids it names signed
// it with that peer's own libp2p key, so no node can name a partner that did not agree, and a
// record older than the highest epoch already seen is refused (a pair is never resurrected).
import type { SigningKey } from '@defs/crypto'
import { openSignedPairing, peerOfKey as peerOfSigner } from '@defs/net'
import {
  assertNotRollback,
  type Envelope,
  type PairingRecord,
  pairingPeers,
  type SignedPairing,
  sign,
  verify
} from '@defs/segment'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromMultihash } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import { InvalidPairingError } from './errors.ts'

/** A verified pairing: the record and its two partners. */
export interface Pairing {
  record: PairingRecord
  peers: [PeerId, PeerId]
  signed: SignedPairing
}

/** The record `self` offers `partner` at `epoch`, signed by `self` only (the other side countersigns). */
export async function offerPairing(
  key: SigningKey,
  self: PeerId,
  partner: PeerId,
  epoch: number,
  now = Date.now()
): Promise<Envelope<'pairing'>> {
  const record: PairingRecord = {
    peers: pairingPeers(self.toMultihash().bytes, partner.toMultihash().bytes),
    epoch,
    created: now
  }
  return await sign('pairing', record, key)
}

/**
 * Checks a one-side-signed offer from `from`: a valid signature by `from`'s own key over a record
 * naming `from` and `self`. Returns the record; InvalidPairingError naming `from` otherwise.
 */
export async function verifyOffer(
  offer: Envelope<'pairing'>,
  from: PeerId,
  self: PeerId
): Promise<PairingRecord> {
  const who = from.toString()
  const record = await verify(offer, 'pairing').catch((err: Error) => {
    throw new InvalidPairingError(who, `pairing offer does not verify: ${err.message}`)
  })
  const signer = peerOfKey(offer, who)
  if (!signer.equals(from)) throw new InvalidPairingError(who, `pairing offer signed by ${signer}`)
  const named = peersOf(record)
  if (!named.some((p) => p.equals(from)) || !named.some((p) => p.equals(self))) {
    throw new InvalidPairingError(who, `pairing offer names ${named.join(' and ')}, not ${from} and ${self}`)
  }
  return record
}

/**
 * Checks a pairing signed by both sides: each named peer signed it with its own key. With
 * `seenEpoch`, a lower epoch is refused (RollbackError). `from` names who handed it over.
 */
export async function verifyPairing(
  signed: SignedPairing,
  from: string,
  seenEpoch?: number
): Promise<Pairing> {
  const { record, peers } = await openSignedPairing(signed).catch((err: Error) => {
    throw new InvalidPairingError(from, `pairing record: ${err.message}`)
  })
  assertNotRollback(seenEpoch, record.epoch, `pairing of ${peers[0]} and ${peers[1]}: epoch`)
  return { record, peers, signed }
}

/** The other peer of a pairing. */
export function partnerIn(pairing: Pairing, self: PeerId): PeerId {
  return pairing.peers[0].equals(self) ? pairing.peers[1] : pairing.peers[0]
}

function peersOf(record: PairingRecord): [PeerId, PeerId] {
  return [peerIdOf(record.peers[0]), peerIdOf(record.peers[1])]
}

/** The peer id of its binary (multihash) form; throws on bytes that are none. */
export function peerIdOf(bytes: Uint8Array): PeerId {
  return peerIdFromMultihash(Digest.decode(bytes))
}

function peerOfKey(envelope: Envelope<'pairing'>, from: string): PeerId {
  try {
    return peerOfSigner(envelope.publicKey)
  } catch (err) {
    throw new InvalidPairingError(from, (err as Error).message)
  }
}
