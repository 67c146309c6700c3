// Messages of `/defs/mirror/1`: a mirror (or a reader whose home does not answer) asks a node that
// holds a user for their newest home record and root, then for what the root references that it
// lacks: the sealed blobs, each file's manifest, shards with their owner-signed headers. One
// request and one response per stream. Everything in a response is checked by the asker (records
// by signature, blobs and shards by their hash), so any node that holds a copy may answer.
import type { PublicKey } from '@defs/crypto'
import { decodeWith, encodeWith } from './codec.ts'
import { type Envelope, envelopeSchema } from './envelope.ts'
import { fileIdField, publicKeyField, shardIdField } from './fields.ts'
import { limits } from './limits.ts'
import { bytes, oneOf, text } from './schema.ts'
import { type ShardHeader, shardHeaderSchema } from './shard-header.ts'
import { variants } from './struct.ts'
import { ROOT_DIGEST_BYTES } from './user-root.ts'

export const MIRROR_PROTOCOL = '/defs/mirror/1'
export const MIRROR_MESSAGE_VERSION = 1

export type MirrorRequest =
  /** The newest home record and root held for `user`. */
  | { kind: 'state'; user: PublicKey }
  /** A blob a root of `user` names (its SHA-256). */
  | { kind: 'blob'; user: PublicKey; id: Uint8Array }
  /** The manifest of a file of `user` (owned by them). */
  | { kind: 'manifest'; user: PublicKey; fileId: Uint8Array }
  /** A shard of a file of `user`, with its header. */
  | { kind: 'shard'; user: PublicKey; fileId: Uint8Array; id: Uint8Array }
  /** "Here is a newer home record": a moved user's new home telling their old home and mirrors. */
  | { kind: 'home'; home: Envelope<'home'> }

export const mirrorErrorCodes = ['not-found', 'refused', 'busy'] as const
export type MirrorErrorCode = (typeof mirrorErrorCodes)[number]

export type MirrorResponse =
  | { kind: 'state'; home?: Envelope<'home'>; root?: Envelope<'root'> }
  | { kind: 'blob'; bytes: Uint8Array }
  | { kind: 'manifest'; manifest: Envelope<'manifest'> }
  | { kind: 'shard'; header: ShardHeader; bytes: Uint8Array }
  | { kind: 'error'; code: MirrorErrorCode; message: string }

const requestSchema = variants<MirrorRequest>(
  {
    state: [{ key: 2, name: 'user', schema: publicKeyField }],
    blob: [
      { key: 2, name: 'user', schema: publicKeyField },
      { key: 3, name: 'id', schema: bytes(ROOT_DIGEST_BYTES) }
    ],
    manifest: [
      { key: 2, name: 'user', schema: publicKeyField },
      { key: 3, name: 'fileId', schema: fileIdField }
    ],
    shard: [
      { key: 2, name: 'user', schema: publicKeyField },
      { key: 3, name: 'fileId', schema: fileIdField },
      { key: 4, name: 'id', schema: shardIdField }
    ],
    home: [{ key: 2, name: 'home', schema: envelopeSchema(['home']) }]
  },
  { version: MIRROR_MESSAGE_VERSION }
)

const responseSchema = variants<MirrorResponse>(
  {
    state: [
      { key: 2, name: 'home', schema: envelopeSchema(['home']), optional: true },
      { key: 3, name: 'root', schema: envelopeSchema(['root']), optional: true }
    ],
    blob: [{ key: 2, name: 'bytes', schema: bytes(0, limits.maxBytes.userTree) }],
    manifest: [{ key: 2, name: 'manifest', schema: envelopeSchema(['manifest']) }],
    shard: [
      { key: 2, name: 'header', schema: shardHeaderSchema },
      { key: 3, name: 'bytes', schema: bytes(0, limits.maxMirrorShardBytes) }
    ],
    error: [
      { key: 2, name: 'code', schema: oneOf(mirrorErrorCodes) },
      { key: 3, name: 'message', schema: text(limits.maxErrorTextBytes) }
    ]
  },
  { version: MIRROR_MESSAGE_VERSION }
)

export function encodeMirrorRequest(request: MirrorRequest): Uint8Array {
  return encodeWith(requestSchema, request, limits.maxBytes.mirrorRequest, 'mirrorRequest')
}

export function decodeMirrorRequest(bytes: Uint8Array): MirrorRequest {
  return decodeWith(requestSchema, bytes, limits.maxBytes.mirrorRequest, 'mirrorRequest')
}

export function encodeMirrorResponse(response: MirrorResponse): Uint8Array {
  return encodeWith(responseSchema, response, limits.maxBytes.mirrorResponse, 'mirrorResponse')
}

export function decodeMirrorResponse(bytes: Uint8Array): MirrorResponse {
  return decodeWith(responseSchema, bytes, limits.maxBytes.mirrorResponse, 'mirrorResponse')
}
