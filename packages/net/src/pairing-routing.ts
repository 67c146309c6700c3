// Pairing records in the DHT, where any node can check who is paired with whom: the newest
// doubly-signed record of a pair is stored under `/defs-pairing/<peer id>` of each of its two
// peers. A record proves itself: each peer it names signed it with that peer's own libp2p key
// (`openSignedPairing`, the one check, also @defs/pairing's), and it is stored only under the key
// of a peer it names. Checked on every node that stores or returns one (validator + selector
// handed to kad-dht; the selector keeps the highest epoch). A DHT node takes any valid record, an
// older one too; a reader refuses one below the epoch it has seen (@defs/pairing).
import type { PublicKey } from '@defs/crypto'
import {
  decodeSignedPairing,
  encodeSignedPairing,
  type PairingRecord,
  SignatureError,
  type SignedPairing,
  verifySignedPairing
} from '@defs/segment'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import type { PeerId } from '@libp2p/interface'
import type { SelectFn, ValidateFn } from '@libp2p/kad-dht'
import { peerIdFromMultihash, peerIdFromPublicKey } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import { equalBytes } from './bytes.ts'

/** Namespace of pairing records in the DHT. */
export const PAIRING_NAMESPACE = 'defs-pairing'

/** A pairing both of its peers signed, and those peers. */
export interface OpenedPairing {
  record: PairingRecord
  peers: [PeerId, PeerId]
  signed: SignedPairing
}

/** The DHT key of `peer`'s pairing record. */
export function pairingKey(peer: PeerId | string): Uint8Array {
  return new TextEncoder().encode(`/${PAIRING_NAMESPACE}/${peer.toString()}`)
}

/**
 * Checks that both envelopes sign one record and that each peer the record names signed it with
 * its own key. SignatureError otherwise (one side only, a key that is no peer's, bytes that are no
 * peer id).
 */
export async function openSignedPairing(signed: SignedPairing): Promise<OpenedPairing> {
  const { record, signers } = await verifySignedPairing(signed)
  const peers = record.peers.map(peerOfBytes) as [PeerId, PeerId]
  const signedBy = signers.map(peerOfKey)
  for (const peer of peers) {
    if (!signedBy.some((s) => s.equals(peer))) {
      throw new SignatureError(`pairing record is not signed by ${peer}, which it names`)
    }
  }
  return { record, peers, signed }
}

/** The libp2p peer whose key `key` is; SignatureError for an algorithm no peer id uses. */
export function peerOfKey(key: PublicKey): PeerId {
  if (key.algorithm !== 'ed25519' && key.algorithm !== 'secp256k1') {
    throw new SignatureError(`pairing signed with ${key.algorithm}, which no libp2p peer id uses`)
  }
  return peerIdFromPublicKey(publicKeyFromRaw(key.bytes))
}

function peerOfBytes(bytes: Uint8Array): PeerId {
  try {
    return peerIdFromMultihash(Digest.decode(bytes))
  } catch (err) {
    throw new SignatureError(`pairing record names no valid peer id: ${(err as Error).message}`)
  }
}

/** Decode and check a pairing record found under `key`; throws if it is not valid there. */
export async function openPairingRecord(key: Uint8Array, value: Uint8Array): Promise<OpenedPairing> {
  const opened = await openSignedPairing(decodeSignedPairing(value))
  if (!opened.peers.some((p) => equalBytes(pairingKey(p), key))) {
    const where = new TextDecoder().decode(key)
    throw new SignatureError(`pairing record of ${opened.peers.join(' and ')} stored under ${where}`)
  }
  return opened
}

/** kad-dht validator of pairing records: signed by both peers, under the key of one of them. */
export const validatePairingRecord: ValidateFn = async (key, value) => {
  await openPairingRecord(key, value)
}

/** kad-dht selector: the valid pairing record with the highest epoch. */
export const selectPairingRecord: SelectFn = async (key, records) => {
  let best = 0
  let bestEpoch = -1
  for (const [i, value] of records.entries()) {
    try {
      const { record } = await openPairingRecord(key, value)
      if (record.epoch > bestEpoch) {
        best = i
        bestEpoch = record.epoch
      }
    } catch {
      // an invalid record never wins
    }
  }
  return best
}

/** The value stored for a pairing (checked first: the DHT refuses bad ones anyway). */
export async function pairingValue(
  signed: SignedPairing
): Promise<{ value: Uint8Array; opened: OpenedPairing }> {
  const opened = await openSignedPairing(signed)
  return { value: encodeSignedPairing(signed), opened }
}
