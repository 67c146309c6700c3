// `/defs/pair/1.0.0`: one request, one answer per stream. Partners send heartbeats (each side's
// epoch, free space and lifecycle state); any node answers a heartbeat with its own status, and
// answers a probe ("do you reach peer P?"), which a node asks of others before it declares its
// partner failed. A proposal carries a pairing record signed by the proposer; the answer is the
// same record signed by the other side, or a refusal.
import { decodeWith, encodeWith } from './codec.ts'
import { type Envelope, envelopeSchema } from './envelope.ts'
import { peerIdField } from './fields.ts'
import { limits } from './limits.ts'
import { bool, bytes, oneOf, text, uint } from './schema.ts'
import { struct, variants } from './struct.ts'

export const PAIR_PROTOCOL = '/defs/pair/1.0.0'
export const PAIR_MESSAGE_VERSION = 1

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

export type PairResponse =
  | { kind: 'status'; status: PairStatus }
  /** Whether the asked node reached the probed peer just now. */
  | { kind: 'reach'; reachable: boolean }
  /** The proposal's record, signed by the answering side. */
  | { kind: 'accept'; envelope: Envelope<'pairing'> }
  | { kind: 'refuse'; reason: string }

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
    propose: [{ key: 2, name: 'offer', schema: envelopeSchema(['pairing']) }]
  },
  { version: PAIR_MESSAGE_VERSION }
)

const responseSchema = variants<PairResponse>(
  {
    status: [{ key: 2, name: 'status', schema: statusSchema }],
    reach: [{ key: 2, name: 'reachable', schema: bool }],
    accept: [{ key: 2, name: 'envelope', schema: envelopeSchema(['pairing']) }],
    refuse: [{ key: 2, name: 'reason', schema: text(limits.maxErrorTextBytes) }]
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
