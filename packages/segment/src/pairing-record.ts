// "Peers A and B are partners from epoch E on": one payload signed by both (two envelopes over the
// same bytes), so no node can claim a partner that did not agree. The peers are kept in byte
// order, so both sides build and sign exactly the same bytes; the highest epoch a node has seen
// wins, and a node signs at most one record per epoch.
import { compareBytes } from './bytes.ts'
import { decodeWith, encodeWith } from './codec.ts'
import { peerIdField } from './fields.ts'
import { limits } from './limits.ts'
import { list, uint } from './schema.ts'
import { struct } from './struct.ts'

export const PAIRING_RECORD_VERSION = 1

export interface PairingRecord {
  /** The two partners' libp2p peer ids (binary multihash), distinct and in ascending byte order. */
  peers: [Uint8Array, Uint8Array]
  /** Higher than every epoch either partner signed before; 1 for a node's first pair. */
  epoch: number
  /** When the pair was formed, ms since the epoch. */
  created: number
}

const pairingRecordSchema = struct<PairingRecord>(
  [
    { key: 1, name: 'peers', schema: list(peerIdField, 2, 2) },
    { key: 2, name: 'epoch', schema: uint(1) },
    { key: 3, name: 'created', schema: uint() }
  ],
  {
    version: PAIRING_RECORD_VERSION,
    check: (r) =>
      compareBytes(r.peers[0], r.peers[1]) < 0
        ? undefined
        : 'peers must be two distinct peer ids in ascending byte order'
  }
)

export function encodePairingRecord(record: PairingRecord): Uint8Array {
  return encodeWith(pairingRecordSchema, record, limits.maxBytes.pairingRecord, 'pairingRecord')
}

export function decodePairingRecord(bytes: Uint8Array): PairingRecord {
  return decodeWith(pairingRecordSchema, bytes, limits.maxBytes.pairingRecord, 'pairingRecord')
}

/** The record of two peers in the order every signer uses: `[a, b]` sorted by bytes. */
export function pairingPeers(a: Uint8Array, b: Uint8Array): [Uint8Array, Uint8Array] {
  return compareBytes(a, b) <= 0 ? [a, b] : [b, a]
}
