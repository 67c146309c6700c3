import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  assertFreshTime,
  ClockSkewError,
  DEFAULT_MAX_SKEW_MS,
  decodeIndexAnswer,
  decodeShardRequest,
  decodeShardResponse,
  encodeDeleteRequest,
  encodeIndexAnswer,
  encodeLocationRecord,
  encodeShardRequest,
  encodeShardResponse,
  INDEX_PROTOCOL,
  InvalidValueError,
  isExpired,
  MissingFieldError,
  SHARD_MAX_FRAME,
  SHARD_PROTOCOL,
  type ShardResponse,
  ShardStatus,
  UnknownFieldError
} from '@defs/segment'
import { encode } from 'cborg'
import { deleteRequest, envelope, locationRecord } from './helpers/arbitrary.ts'
import { seeded } from './helpers/random.ts'

const r = seeded('messages')

describe('shard protocol messages', () => {
  it('names the protocol and a frame cap that holds any request', () => {
    assert.equal(SHARD_PROTOCOL, '/defs/shard/1.0.0')
    const has = encodeShardRequest({ kind: 'has', ids: Array.from({ length: 4096 }, () => r.bytes(32)) })
    assert.ok(has.length <= SHARD_MAX_FRAME)
  })

  it('refuses fields of another kind', () => {
    const bytes = encode(
      new Map<number, unknown>([
        [0, 1],
        [1, 'has'],
        [2, [r.bytes(32)]],
        [3, 5]
      ])
    )
    assert.throws(() => decodeShardRequest(bytes), UnknownFieldError)
    const noBody = encode(
      new Map<number, unknown>([
        [0, 1],
        [1, 'get']
      ])
    )
    assert.throws(() => decodeShardRequest(noBody), MissingFieldError)
    assert.throws(
      () => encodeShardRequest({ kind: 'has', ids: [r.bytes(32)], id: r.bytes(32) } as never),
      /has\.id|id is not a field/
    )
  })

  it('a delete request carries only a delete envelope', () => {
    const del = envelope(r, 'delete', encodeDeleteRequest(deleteRequest(r)))
    const ok = decodeShardRequest(encodeShardRequest({ kind: 'delete', request: del }))
    assert.deepEqual(ok, { kind: 'delete', request: del })
    const wrong = envelope(r, 'location', encodeLocationRecord(locationRecord(r)))
    assert.throws(
      () => encodeShardRequest({ kind: 'delete', request: wrong as never }),
      /type must be one of delete/
    )
  })

  it('has and ok answers may carry the free bytes of the answering node, a whole number', () => {
    const responses: ShardResponse[] = [
      { kind: 'has', have: [true, false], freeBytes: 5_000_000 },
      { kind: 'ok', copies: 2, freeBytes: 0 },
      { kind: 'has', have: [true] }
    ]
    for (const response of responses)
      assert.deepEqual(decodeShardResponse(encodeShardResponse(response)), response)
    assert.throws(
      () => encodeShardResponse({ kind: 'has', have: [true], freeBytes: -1 }),
      /freeBytes must be an integer/
    )
    assert.throws(() => encodeShardResponse({ kind: 'ok', freeBytes: 1.5 }), /freeBytes must be an integer/)
  })

  it('error responses carry a known status and bounded text', () => {
    assert.throws(
      () => encodeShardResponse({ kind: 'error', status: 418 as never, message: 'teapot' }),
      /ShardStatus/
    )
    assert.throws(
      () => encodeShardResponse({ kind: 'error', status: ShardStatus.Busy, message: 'x'.repeat(1025) }),
      /at most 1024/
    )
    assert.throws(
      () => encodeShardResponse({ kind: 'error', status: ShardStatus.Busy, message: '\ud800' }),
      /well-formed/
    )
  })
})

describe('index messages', () => {
  it('an answer carries location envelopes and at most one manifest envelope', () => {
    assert.equal(INDEX_PROTOCOL, '/defs/index/1')
    const loc = envelope(r, 'location', encodeLocationRecord(locationRecord(r)))
    const answer = { queryId: r.bytes(16), fileId: r.bytes(16), locations: [loc, loc] }
    assert.deepEqual(decodeIndexAnswer(encodeIndexAnswer(answer)), answer)
    const asManifest = encode(
      new Map<number, unknown>([
        [0, 1],
        [1, answer.queryId],
        [2, answer.fileId],
        [3, []],
        [
          4,
          new Map<number, unknown>([
            [0, 1],
            [1, 'location'],
            [2, loc.payload],
            [
              3,
              new Map<number, unknown>([
                [1, loc.publicKey.algorithm],
                [2, loc.publicKey.bytes]
              ])
            ],
            [4, loc.signature]
          ])
        ]
      ])
    )
    assert.throws(() => decodeIndexAnswer(asManifest), InvalidValueError)
  })
})

describe('time and expiry', () => {
  it('assertFreshTime allows the skew window either way and refuses beyond it', () => {
    const now = 1_700_000_000_000
    assertFreshTime(now, { now })
    assertFreshTime(now - DEFAULT_MAX_SKEW_MS, { now })
    assertFreshTime(now + DEFAULT_MAX_SKEW_MS, { now })
    assert.throws(() => assertFreshTime(now + DEFAULT_MAX_SKEW_MS + 1, { now }), ClockSkewError)
    assert.throws(
      () => assertFreshTime(now - 61_000, { now, maxSkewMs: 60_000 }),
      /beyond the allowed 60000 ms/
    )
    assert.throws(() => assertFreshTime(Number.NaN, { now }), ClockSkewError)
  })

  it('a location record expires at its expiry', () => {
    const rec = { ...locationRecord(r), issued: 100, expires: 200 }
    assert.equal(isExpired(rec, 199), false)
    assert.equal(isExpired(rec, 200), true)
    assert.throws(() => encodeLocationRecord({ ...rec, expires: 99 }), /expires/)
  })
})
