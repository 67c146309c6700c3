// The index broadcast: a downloader publishes an IndexQuery (gossipsub), holders answer it
// directly over `/defs/index/1` with their signed location records and, if asked and known,
// the owner's manifest envelope.

import { decodeWith, encodeWith } from './codec.ts'
import { type Envelope, envelopeSchema } from './envelope.ts'
import { fileIdField, nonce16Field, peerIdField } from './fields.ts'
import { limits } from './limits.ts'
import { list, oneOf } from './schema.ts'
import { struct } from './struct.ts'

export const INDEX_PROTOCOL = '/defs/index/1'
/** Largest frame on an index stream: one answer with a full manifest and every location record. */
export const INDEX_MAX_FRAME = limits.maxBytes.indexAnswer
export const INDEX_MESSAGE_VERSION = 1

export interface IndexQuery {
  /** 16 random bytes; the answer echoes them. */
  queryId: Uint8Array
  fileId: Uint8Array
  /** Peer id of the asker, which holders dial to answer. */
  requester: Uint8Array
  /** The manifest, or where the shards are. */
  want: 'manifest' | 'shards'
}

export interface IndexAnswer {
  queryId: Uint8Array
  fileId: Uint8Array
  /** Location envelopes, each to be checked with `verify(env, 'location')`. */
  locations: Envelope<'location'>[]
  /** The manifest envelope, when asked for and held; check with `verify(env, 'manifest')`. */
  manifest?: Envelope<'manifest'>
}

const querySchema = struct<IndexQuery>(
  [
    { key: 1, name: 'queryId', schema: nonce16Field },
    { key: 2, name: 'fileId', schema: fileIdField },
    { key: 3, name: 'requester', schema: peerIdField },
    { key: 4, name: 'want', schema: oneOf(['manifest', 'shards']) }
  ],
  { version: INDEX_MESSAGE_VERSION }
)

const answerSchema = struct<IndexAnswer>(
  [
    { key: 1, name: 'queryId', schema: nonce16Field },
    { key: 2, name: 'fileId', schema: fileIdField },
    { key: 3, name: 'locations', schema: list(envelopeSchema(['location']), 0, limits.maxIndexLocations) },
    { key: 4, name: 'manifest', schema: envelopeSchema(['manifest']), optional: true }
  ],
  { version: INDEX_MESSAGE_VERSION }
)

export function encodeIndexQuery(query: IndexQuery): Uint8Array {
  return encodeWith(querySchema, query, limits.maxBytes.indexQuery, 'indexQuery')
}

export function decodeIndexQuery(bytes: Uint8Array): IndexQuery {
  return decodeWith(querySchema, bytes, limits.maxBytes.indexQuery, 'indexQuery')
}

export function encodeIndexAnswer(answer: IndexAnswer): Uint8Array {
  return encodeWith(answerSchema, answer, limits.maxBytes.indexAnswer, 'indexAnswer')
}

export function decodeIndexAnswer(bytes: Uint8Array): IndexAnswer {
  return decodeWith(answerSchema, bytes, limits.maxBytes.indexAnswer, 'indexAnswer')
}
