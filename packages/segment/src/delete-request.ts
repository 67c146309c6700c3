// "Delete my claims on these shards of my file", signed by an owner over a fresh nonce and time
// and addressed to one holder. The holder refuses a delete for another holder and replays (it
// remembers nonces for the skew window, and refuses requests signed before it started);
// assertFreshTime is the clock half of that check.

import { decodeWith, encodeWith } from './codec.ts'
import { ClockSkewError } from './errors.ts'
import { fileIdField, nonce16Field, peerIdField, shardIdsField } from './fields.ts'
import { limits } from './limits.ts'
import { uint } from './schema.ts'
import { struct } from './struct.ts'

/** 2: a delete names its recipient. */
export const DELETE_REQUEST_VERSION = 2

export interface DeleteRequest {
  fileId: Uint8Array
  /** Shards to delete; empty means every shard of the file the receiver holds. */
  shards: Uint8Array[]
  /** 16 random bytes, never reused: the server refuses a nonce it has seen. */
  nonce: Uint8Array
  /** When the owner signed the request, ms since the epoch. */
  time: number
  /** The holder it is for (its libp2p peer id, binary multihash); any other holder refuses it. */
  recipient: Uint8Array
}

const deleteRequestSchema = struct<DeleteRequest>(
  [
    { key: 1, name: 'fileId', schema: fileIdField },
    { key: 2, name: 'shards', schema: shardIdsField(0, limits.maxShardIdsPerRecord) },
    { key: 3, name: 'nonce', schema: nonce16Field },
    { key: 4, name: 'time', schema: uint() },
    { key: 5, name: 'recipient', schema: peerIdField }
  ],
  { version: DELETE_REQUEST_VERSION }
)

export function encodeDeleteRequest(request: DeleteRequest): Uint8Array {
  return encodeWith(deleteRequestSchema, request, limits.maxBytes.deleteRequest, 'deleteRequest')
}

export function decodeDeleteRequest(bytes: Uint8Array): DeleteRequest {
  return decodeWith(deleteRequestSchema, bytes, limits.maxBytes.deleteRequest, 'deleteRequest')
}

/** Five minutes: how far a signed time may be from the local clock by default. */
export const DEFAULT_MAX_SKEW_MS = 5 * 60_000

/**
 * Throws ClockSkewError when `time` (ms) is more than `maxSkewMs` from `now`, either way. A
 * server that remembers nonces for `maxSkewMs` then refuses every replay.
 */
export function assertFreshTime(time: number, options: { now?: number; maxSkewMs?: number } = {}): void {
  const { now = Date.now(), maxSkewMs = DEFAULT_MAX_SKEW_MS } = options
  const skew = time - now
  if (!Number.isFinite(time) || Math.abs(skew) > maxSkewMs) {
    throw new ClockSkewError(
      `time ${time} is ${skew} ms from now (${now}), beyond the allowed ${maxSkewMs} ms`
    )
  }
}
