// `/defs/pair/1.0.0`: one request, one answer per stream. Partners send heartbeats (each side's
// epoch, free space and lifecycle state); any node answers a heartbeat with its own status, and
// answers a probe ("do you reach peer P?"), which a node asks of others before it declares its
// partner failed. A proposal carries a pairing record signed by the proposer; the answer is the
// same record signed by the other side, or a refusal. Partners whose inventory digests differ
// compare them by prefix: `buckets` answers, for the shard ids under a prefix, the count and a
// short hash of each of the 256 next-byte buckets; `list` answers the ids under a prefix, a page
// at a time. So the ids exchanged are those of the buckets that differ, not the inventory.
import { decodeWith, encodeWith } from './codec.ts'
import { type Envelope, envelopeSchema } from './envelope.ts'
import { peerIdField, shardIdField, shardIdsField } from './fields.ts'
import { limits } from './limits.ts'
import { bool, bytes, list, oneOf, text, uint } from './schema.ts'
import { struct, variants } from './struct.ts'

export const PAIR_PROTOCOL = '/defs/pair/1.0.0'
export const PAIR_MESSAGE_VERSION = 1

/** Buckets under one prefix (one per value of the next byte), and the bytes of each bucket's hash. */
export const PAIR_BUCKETS = 256
export const PAIR_BUCKET_HASH_BYTES = 8
/** The longest prefix a sync asks about: below it a bucket is listed, a page at a time. */
export const PAIR_PREFIX_MAX_BYTES = 4
/** Shard ids one `list` answer carries (a page fits the 4 KiB pair message). */
export const PAIR_LIST_MAX_IDS = 96

export const pairLifecycles = ['running', 'maintenance', 'draining', 'stopped'] as const
export type PairLifecycle = (typeof pairLifecycles)[number]

export interface PairStatus {
  /** The highest pairing epoch the sender signed (0 before its first pair). */
  epoch: number
  /** The sender's current partner (binary peer id), if it has one. */
  partner?: Uint8Array
  /** Bytes the sender can still store. */
  freeBytes: number
  state: PairLifecycle
  /** SHA-256 over the sender's sorted shard ids: partners that differ sync the difference. */
  digest?: Uint8Array
}

export type PairRequest =
  | { kind: 'heartbeat'; status: PairStatus }
  | { kind: 'probe'; peer: Uint8Array }
  | { kind: 'propose'; offer: Envelope<'pairing'> }
  /** The bucket counts and hashes under `prefix` (the partner's sync, at its pairing's epoch). */
  | { kind: 'buckets'; epoch: number; prefix: Uint8Array }
  /** The ids under `prefix`, sorted, after `after` if given: at most PAIR_LIST_MAX_IDS. */
  | { kind: 'list'; epoch: number; prefix: Uint8Array; after?: Uint8Array }

export type PairResponse =
  | { kind: 'status'; status: PairStatus }
  /** Whether the asked node reached the probed peer just now. */
  | { kind: 'reach'; reachable: boolean }
  /** The proposal's record, signed by the answering side. */
  | { kind: 'accept'; envelope: Envelope<'pairing'> }
  | { kind: 'refuse'; reason: string }
  /** PAIR_BUCKETS hashes of PAIR_BUCKET_HASH_BYTES, end to end, and as many counts. */
  | { kind: 'buckets'; hashes: Uint8Array; counts: number[] }
  | { kind: 'ids'; ids: Uint8Array[] }

const statusSchema = struct<PairStatus>([
  { key: 1, name: 'epoch', schema: uint() },
  { key: 2, name: 'partner', schema: peerIdField, optional: true },
  { key: 3, name: 'freeBytes', schema: uint() },
  { key: 4, name: 'state', schema: oneOf(pairLifecycles) },
  { key: 5, name: 'digest', schema: bytes(32), optional: true }
])

const requestSchema = variants<PairRequest>(
  {
    heartbeat: [{ key: 2, name: 'status', schema: statusSchema }],
    probe: [{ key: 2, name: 'peer', schema: peerIdField }],
    propose: [{ key: 2, name: 'offer', schema: envelopeSchema(['pairing']) }],
    buckets: [
      { key: 2, name: 'epoch', schema: uint() },
      { key: 3, name: 'prefix', schema: bytes(0, PAIR_PREFIX_MAX_BYTES) }
    ],
    list: [
      { key: 2, name: 'epoch', schema: uint() },
      { key: 3, name: 'prefix', schema: bytes(0, PAIR_PREFIX_MAX_BYTES) },
      { key: 4, name: 'after', schema: shardIdField, optional: true }
    ]
  },
  { version: PAIR_MESSAGE_VERSION }
)

const responseSchema = variants<PairResponse>(
  {
    status: [{ key: 2, name: 'status', schema: statusSchema }],
    reach: [{ key: 2, name: 'reachable', schema: bool }],
    accept: [{ key: 2, name: 'envelope', schema: envelopeSchema(['pairing']) }],
    refuse: [{ key: 2, name: 'reason', schema: text(limits.maxErrorTextBytes) }],
    buckets: [
      { key: 2, name: 'hashes', schema: bytes(PAIR_BUCKETS * PAIR_BUCKET_HASH_BYTES) },
      // a count fits 32 bits: 256 of them and the hashes stay within the pair message
      { key: 3, name: 'counts', schema: list(uint(0, 2 ** 32 - 1), PAIR_BUCKETS, PAIR_BUCKETS) }
    ],
    ids: [{ key: 2, name: 'ids', schema: shardIdsField(0, PAIR_LIST_MAX_IDS) }]
  },
  { version: PAIR_MESSAGE_VERSION }
)

export function encodePairRequest(request: PairRequest): Uint8Array {
  return encodeWith(requestSchema, request, limits.maxBytes.pairMessage, 'pairRequest')
}

export function decodePairRequest(bytes: Uint8Array): PairRequest {
  return decodeWith(requestSchema, bytes, limits.maxBytes.pairMessage, 'pairRequest')
}

export function encodePairResponse(response: PairResponse): Uint8Array {
  return encodeWith(responseSchema, response, limits.maxBytes.pairMessage, 'pairResponse')
}

export function decodePairResponse(bytes: Uint8Array): PairResponse {
  return decodeWith(responseSchema, bytes, limits.maxBytes.pairMessage, 'pairResponse')
}
