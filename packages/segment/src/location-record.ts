// "Peer P holds these shards of file F until T", signed by P. Separate from the manifest, so a
// repair can move shards without the owner's key; a wrong record costs a retry, content ids
// catch lies.

import { decodeWith, encodeWith } from './codec.ts'
import { fileIdField, peerIdField, shardIdsField } from './fields.ts'
import { limits } from './limits.ts'
import { uint } from './schema.ts'
import { struct } from './struct.ts'

export const LOCATION_RECORD_VERSION = 1

export interface LocationRecord {
  /** The holder's libp2p peer id (binary multihash); the envelope must be signed by its key. */
  peer: Uint8Array
  fileId: Uint8Array
  /** Shards of the file the peer holds (a holder with more splits them over several records). */
  shards: Uint8Array[]
  /** When the record was signed, ms since the epoch; of two records, the later one is newer. */
  issued: number
  /** When the record stops being valid, ms since the epoch. */
  expires: number
}

const locationRecordSchema = struct<LocationRecord>(
  [
    { key: 1, name: 'peer', schema: peerIdField },
    { key: 2, name: 'fileId', schema: fileIdField },
    { key: 3, name: 'shards', schema: shardIdsField(1, limits.maxShardIdsPerRecord) },
    { key: 4, name: 'issued', schema: uint() },
    { key: 5, name: 'expires', schema: uint() }
  ],
  {
    version: LOCATION_RECORD_VERSION,
    check: (r) =>
      r.expires < r.issued ? `expires (${r.expires}) must not be before issued (${r.issued})` : undefined
  }
)

export function encodeLocationRecord(record: LocationRecord): Uint8Array {
  return encodeWith(locationRecordSchema, record, limits.maxBytes.locationRecord, 'locationRecord')
}

export function decodeLocationRecord(bytes: Uint8Array): LocationRecord {
  return decodeWith(locationRecordSchema, bytes, limits.maxBytes.locationRecord, 'locationRecord')
}

/** True once `now` has reached the record's expiry. */
export function isExpired(record: LocationRecord, now: number = Date.now()): boolean {
  return now >= record.expires
}
