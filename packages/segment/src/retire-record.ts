// "Node P is retired": signed by P's own key when its operator retires it, so every peer that
// hears it can check it without a lookup and never accept P back. A retired directory starts
// again as a new node under a new id.
import { decodeWith, encodeWith } from './codec.ts'
import { peerIdField } from './fields.ts'
import { limits } from './limits.ts'
import { uint } from './schema.ts'
import { struct } from './struct.ts'

export const RETIRE_RECORD_VERSION = 1

export interface RetireRecord {
  /** The retired node's libp2p peer id (binary multihash); the envelope must be signed by its key. */
  peer: Uint8Array
  /** When it was retired, ms since the epoch. */
  time: number
}

const retireRecordSchema = struct<RetireRecord>(
  [
    { key: 1, name: 'peer', schema: peerIdField },
    { key: 2, name: 'time', schema: uint() }
  ],
  { version: RETIRE_RECORD_VERSION }
)

export function encodeRetireRecord(record: RetireRecord): Uint8Array {
  return encodeWith(retireRecordSchema, record, limits.maxBytes.retireRecord, 'retireRecord')
}

export function decodeRetireRecord(bytes: Uint8Array): RetireRecord {
  return decodeWith(retireRecordSchema, bytes, limits.maxBytes.retireRecord, 'retireRecord')
}
