// Messages of `/defs/shard/1.0.0`. One request per stream, one response; shard bytes follow a
// `put` request or a `data` response as frames (see framing.ts) totalling the announced length.
import {
  type AuditChallenge,
  type AuditResponse,
  auditChallengeSchema,
  auditResponseSchema
} from './audit.ts'
import { decodeWith, encodeWith } from './codec.ts'
import { type Envelope, envelopeSchema } from './envelope.ts'
import { shardIdField, shardIdsField } from './fields.ts'
import { limits } from './limits.ts'
import { bool, list, refine, text, uint } from './schema.ts'
import { type ShardHeader, shardHeaderSchema } from './shard-header.ts'
import { variants } from './struct.ts'

export const SHARD_PROTOCOL = '/defs/shard/1.0.0'
/** Largest frame on a shard stream: a request, a response, or a chunk of shard bytes. */
export const SHARD_MAX_FRAME = 1024 * 1024
export const SHARD_MESSAGE_VERSION = 1

export type ShardRequest =
  /** Store a shard: `header.length` bytes follow; the receiver checks CRC32C and that SHA-256 is `id`. */
  | { kind: 'put'; header: ShardHeader; id: Uint8Array }
  /** Read a shard, or `length` bytes of it from `offset`. */
  | { kind: 'get'; id: Uint8Array; offset?: number; length?: number }
  /** Which of these shards does the peer hold? */
  | { kind: 'has'; ids: Uint8Array[] }
  /** Delete shards: an envelope of a DeleteRequest signed by the file's owner. */
  | { kind: 'delete'; request: Envelope<'delete'> }
  | { kind: 'audit'; challenge: AuditChallenge }

/** Why a request failed, HTTP-like so logs read at a glance. */
export const ShardStatus = {
  BadRequest: 400,
  Unauthorized: 401,
  NotFound: 404,
  Replay: 409,
  TooLarge: 413,
  Corrupt: 422,
  Busy: 429,
  Internal: 500,
  Maintenance: 503,
  NoSpace: 507
} as const
export type ShardStatus = (typeof ShardStatus)[keyof typeof ShardStatus]

export type ShardResponse =
  /**
   * `put` stored durably, or `delete` done. A put's answer may say how many durable copies exist
   * now (a paired node counts its partner's; 1 while the partner is unreachable), and how many
   * bytes the answering node can still store (`freeBytes`, its claim: the asker caps it).
   */
  | { kind: 'ok'; copies?: number; freeBytes?: number }
  /** `get`: `length` bytes follow. */
  | { kind: 'data'; length: number }
  /** `has`: one flag per id asked, in order, and the bytes the answering node can still store. */
  | { kind: 'has'; have: boolean[]; freeBytes?: number }
  | { kind: 'audit'; response: AuditResponse }
  | { kind: 'error'; status: ShardStatus; message: string }

const maxShardBytes = limits.maxSliceSize + limits.maxSealOverhead
const statuses = new Set<number>(Object.values(ShardStatus))

const requestSchema = variants<ShardRequest>(
  {
    put: [
      { key: 2, name: 'header', schema: shardHeaderSchema },
      { key: 3, name: 'id', schema: shardIdField }
    ],
    get: [
      { key: 2, name: 'id', schema: shardIdField },
      { key: 3, name: 'offset', schema: uint(0, maxShardBytes), optional: true },
      { key: 4, name: 'length', schema: uint(0, maxShardBytes), optional: true }
    ],
    has: [{ key: 2, name: 'ids', schema: shardIdsField(1, limits.maxHasIds) }],
    delete: [{ key: 2, name: 'request', schema: envelopeSchema(['delete']) }],
    audit: [{ key: 2, name: 'challenge', schema: auditChallengeSchema }]
  },
  { version: SHARD_MESSAGE_VERSION }
)

const responseSchema = variants<ShardResponse>(
  {
    ok: [
      { key: 2, name: 'copies', schema: uint(1, 255), optional: true },
      { key: 3, name: 'freeBytes', schema: uint(), optional: true }
    ],
    data: [{ key: 2, name: 'length', schema: uint(0, maxShardBytes) }],
    has: [
      { key: 2, name: 'have', schema: list(bool, 1, limits.maxHasIds) },
      { key: 3, name: 'freeBytes', schema: uint(), optional: true }
    ],
    audit: [{ key: 2, name: 'response', schema: auditResponseSchema }],
    error: [
      {
        key: 2,
        name: 'status',
        schema: refine(uint(400, 599), (s) => (statuses.has(s) ? undefined : 'is not a ShardStatus'))
      },
      { key: 3, name: 'message', schema: text(limits.maxErrorTextBytes) }
    ]
  },
  { version: SHARD_MESSAGE_VERSION }
)

export function encodeShardRequest(request: ShardRequest): Uint8Array {
  return encodeWith(requestSchema, request, limits.maxBytes.shardRequest, 'shardRequest')
}

export function decodeShardRequest(bytes: Uint8Array): ShardRequest {
  return decodeWith(requestSchema, bytes, limits.maxBytes.shardRequest, 'shardRequest')
}

export function encodeShardResponse(response: ShardResponse): Uint8Array {
  return encodeWith(responseSchema, response, limits.maxBytes.shardResponse, 'shardResponse')
}

export function decodeShardResponse(bytes: Uint8Array): ShardResponse {
  return decodeWith(responseSchema, bytes, limits.maxBytes.shardResponse, 'shardResponse')
}
