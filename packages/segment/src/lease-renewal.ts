// "Keep these shards of this file until T": a lease renewal, signed by the renewer's user key and
// addressed to one holder. A holder keeps each claim only as long as its lease; the file's owner
// (or the owner of the claim) and any peer that holds shards of the file may extend it, nobody may
// shorten it, and `until` is absolute, so a replayed renewal extends nothing a fresh one would not.

import type { PublicKey } from '@defs/crypto'
import { decodeWith, encodeWith } from './codec.ts'
import { fileIdField, peerIdField, publicKeyField, shardIdsField } from './fields.ts'
import { limits } from './limits.ts'
import { uint } from './schema.ts'
import { struct } from './struct.ts'

export const LEASE_RENEWAL_VERSION = 1

export interface LeaseRenewal {
  fileId: Uint8Array
  /** The file owner's key: whose manifest names the shards (a holder checks a non-owner's renewal against it). */
  owner: PublicKey
  /** Shards of the file the recipient holds whose leases are renewed. */
  shards: Uint8Array[]
  /** The lease asked for, ms since the epoch; a holder grants at most its own lease duration from now. */
  until: number
  /** The holder it is for (its libp2p peer id, binary multihash); any other holder refuses it. */
  recipient: Uint8Array
}

const leaseRenewalSchema = struct<LeaseRenewal>(
  [
    { key: 1, name: 'fileId', schema: fileIdField },
    { key: 2, name: 'owner', schema: publicKeyField },
    { key: 3, name: 'shards', schema: shardIdsField(1, limits.maxShardIdsPerRecord) },
    { key: 4, name: 'until', schema: uint() },
    { key: 5, name: 'recipient', schema: peerIdField }
  ],
  { version: LEASE_RENEWAL_VERSION }
)

export function encodeLeaseRenewal(renewal: LeaseRenewal): Uint8Array {
  return encodeWith(leaseRenewalSchema, renewal, limits.maxBytes.leaseRenewal, 'leaseRenewal')
}

export function decodeLeaseRenewal(bytes: Uint8Array): LeaseRenewal {
  return decodeWith(leaseRenewalSchema, bytes, limits.maxBytes.leaseRenewal, 'leaseRenewal')
}
