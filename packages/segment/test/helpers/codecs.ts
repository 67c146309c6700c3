// Every encoder/decoder pair with a generator of valid values: the list the round-trip and fuzz
// tests walk, so a new type is covered by adding one line.
import * as s from '@defs/segment'
import * as arb from './arbitrary.ts'
import type { Random } from './random.ts'

export interface CodecCase {
  name: string
  generate(r: Random): unknown
  encode(value: unknown): Uint8Array
  decode(bytes: Uint8Array): unknown
}

function codec<T>(
  name: string,
  generate: (r: Random) => T,
  encode: (value: T) => Uint8Array,
  decode: (bytes: Uint8Array) => T
): CodecCase {
  return { name, generate, encode: encode as (value: unknown) => Uint8Array, decode }
}

export const codecs: CodecCase[] = [
  codec('manifest', (r) => arb.manifest(r), s.encodeManifest, s.decodeManifest),
  codec('shardHeader', arb.shardHeader, s.encodeShardHeader, s.decodeShardHeader),
  codec(
    'shardClaims',
    (r) => Array.from({ length: r.int(1, 8) }, () => arb.shardClaim(r)),
    s.encodeShardClaims,
    s.decodeShardClaims
  ),
  codec('locationRecord', arb.locationRecord, s.encodeLocationRecord, s.decodeLocationRecord),
  codec('deleteRequest', arb.deleteRequest, s.encodeDeleteRequest, s.decodeDeleteRequest),
  codec('auditChallenge', arb.auditChallenge, s.encodeAuditChallenge, s.decodeAuditChallenge),
  codec('auditResponse', arb.auditResponse, s.encodeAuditResponse, s.decodeAuditResponse),
  codec('leaseRenewal', arb.leaseRenewal, s.encodeLeaseRenewal, s.decodeLeaseRenewal),
  codec('repairReport', arb.repairReport, s.encodeRepairReport, s.decodeRepairReport),
  codec(
    'envelope',
    (r) => arb.envelope(r, 'location', s.encodeLocationRecord(arb.locationRecord(r))),
    s.encodeEnvelope,
    s.decodeEnvelope
  ),
  codec(
    'shardRequest',
    (r) => arb.shardRequest(r, s.encodeDeleteRequest),
    s.encodeShardRequest,
    s.decodeShardRequest
  ),
  codec('shardResponse', arb.shardResponse, s.encodeShardResponse, s.decodeShardResponse),
  codec('indexQuery', arb.indexQuery, s.encodeIndexQuery, s.decodeIndexQuery),
  codec(
    'indexAnswer',
    (r) => arb.indexAnswer(r, s.encodeLocationRecord, s.encodeManifest),
    s.encodeIndexAnswer,
    s.decodeIndexAnswer
  ),
  codec('nodeConfig', arb.nodeConfig, s.encodeNodeConfig, s.decodeNodeConfig),
  codec('userRoot', arb.userRoot, s.encodeUserRoot, s.decodeUserRoot),
  codec('homeRecord', arb.homeRecord, s.encodeHomeRecord, s.decodeHomeRecord),
  codec('userTree', arb.userTree, s.encodeUserTree, s.decodeUserTree),
  codec('friendsList', arb.friendsList, s.encodeFriendsList, s.decodeFriendsList),
  codec(
    'mirrorRequest',
    (r) => arb.mirrorRequest(r, s.encodeHomeRecord),
    s.encodeMirrorRequest,
    s.decodeMirrorRequest
  ),
  codec(
    'mirrorResponse',
    (r) => arb.mirrorResponse(r, s.encodeUserRoot, s.encodeHomeRecord),
    s.encodeMirrorResponse,
    s.decodeMirrorResponse
  )
]
