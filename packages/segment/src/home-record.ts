// "My home node is H", signed by the user alone. The node that holds the highest seq a user has
// signed is the one that takes their writes; every node follows the newest record it has seen
// and refuses older ones, so a user can move home without the old home's help (it may be dead)
// and a restarted old home learns it is no longer home instead of taking writes back.
import type { PublicKey } from '@defs/crypto'
import { decodeWith, encodeWith } from './codec.ts'
import { peerIdField, publicKeyField } from './fields.ts'
import { limits } from './limits.ts'
import { uint } from './schema.ts'
import { struct } from './struct.ts'

export const HOME_RECORD_VERSION = 1

export interface HomeRecord {
  /** The user; the envelope must be signed by this key. */
  user: PublicKey
  /** The home node's libp2p peer id (binary multihash). */
  home: Uint8Array
  /** 1 for the first home; a move is one higher than the record it replaces. */
  seq: number
  /** When the user signed it, ms since the epoch (informative: seq orders records). */
  time: number
}

const homeRecordSchema = struct<HomeRecord>(
  [
    { key: 1, name: 'user', schema: publicKeyField },
    { key: 2, name: 'home', schema: peerIdField },
    { key: 3, name: 'seq', schema: uint(1) },
    { key: 4, name: 'time', schema: uint() }
  ],
  { version: HOME_RECORD_VERSION }
)

export function encodeHomeRecord(record: HomeRecord): Uint8Array {
  return encodeWith(homeRecordSchema, record, limits.maxBytes.homeRecord, 'homeRecord')
}

export function decodeHomeRecord(bytes: Uint8Array): HomeRecord {
  return decodeWith(homeRecordSchema, bytes, limits.maxBytes.homeRecord, 'homeRecord')
}
