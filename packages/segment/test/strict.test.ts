// Each way an input can be wrong, built by hand, and the error class it must give.
import assert from 'node:assert/strict'
import { Buffer } from 'node:buffer'
import { describe, it } from 'node:test'
import {
  DecodeError,
  decodeAuditResponse,
  decodeLeaseRenewal,
  decodeManifest,
  decodeNodeConfig,
  decodeShardHeader,
  decodeShardRequest,
  decodeShardResponse,
  encodeAuditResponse,
  encodeLeaseRenewal,
  encodeNodeConfig,
  encodeShardHeader,
  InvalidValueError,
  limits,
  MissingFieldError,
  OutOfRangeError,
  OversizeError,
  TrailingBytesError,
  UnknownFieldError,
  UnknownVersionError,
  WrongTypeError
} from '@defs/segment'
import { encode } from 'cborg'
import { leaseRenewal, nodeConfig, shardHeader } from './helpers/arbitrary.ts'
import { concat } from './helpers/bytes.ts'
import { Random } from './helpers/random.ts'

const nonce = new Uint8Array(16).fill(7)
const digest = new Uint8Array(32).fill(9)

/** CBOR of a map with integer keys in the order given (cborg would sort a Map; we want control). */
function rawMap(entries: [number, Uint8Array][]): Uint8Array {
  return concat(Uint8Array.of(0xa0 + entries.length), ...entries.flatMap(([k, v]) => [Uint8Array.of(k), v]))
}

const c = (value: unknown): Uint8Array => encode(value)
const response = (...entries: [number, unknown][]): Uint8Array => rawMap(entries.map(([k, v]) => [k, c(v)]))

function rejects(fn: () => unknown, Class: new (...a: never[]) => DecodeError, pattern?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(
      err instanceof Class,
      `expected ${Class.name}, got ${(err as Error)?.name}: ${(err as Error)?.message}`
    )
    if (Class !== DecodeError) assert.equal((err as Error).name, Class.name)
    if (pattern !== undefined) assert.match((err as Error).message, pattern)
    return true
  })
}

describe('strict decoding', () => {
  it('accepts the canonical form', () => {
    assert.deepEqual(decodeAuditResponse(response([0, 1], [1, nonce], [2, digest])), { nonce, digest })
  })

  it('refuses an unknown version, and a record without one', () => {
    rejects(
      () => decodeAuditResponse(response([0, 2], [1, nonce], [2, digest])),
      UnknownVersionError,
      /version/
    )
    rejects(() => decodeAuditResponse(response([1, nonce], [2, digest])), MissingFieldError, /version/)
  })

  it('refuses unknown, repeated and out-of-order fields', () => {
    rejects(() => decodeAuditResponse(response([0, 1], [1, nonce], [2, digest], [3, 0])), UnknownFieldError)
    rejects(() => decodeAuditResponse(response([0, 1], [1, nonce], [5, digest])), UnknownFieldError, /key 5/)
    const id = new Uint8Array(32)
    const get = (...e: [number, unknown][]) => decodeShardRequest(response([0, 1], [1, 'get'], ...e))
    assert.deepEqual(get([2, id], [3, 5], [4, 6]), { kind: 'get', id, offset: 5, length: 6 })
    rejects(
      () => get([2, id], [4, 6], [3, 5]),
      UnknownFieldError,
      /offset \(key 3\) repeats or breaks canonical key order/
    )
    // With only required fields, a key that comes early reads as the one before it missing.
    rejects(() => decodeAuditResponse(response([0, 1], [2, digest], [1, nonce])), MissingFieldError, /nonce/)
    rejects(() => decodeAuditResponse(response([0, 1], [1, nonce], [1, nonce])), UnknownFieldError, /repeats/)
    const textKey = concat(Uint8Array.of(0xa3), c(0), c(1), c('n'), c(nonce), c(2), c(digest))
    rejects(() => decodeAuditResponse(textKey), UnknownFieldError)
  })

  it('refuses a missing field, naming it', () => {
    rejects(
      () => decodeAuditResponse(response([0, 1], [1, nonce])),
      MissingFieldError,
      /auditResponse\.digest/
    )
  })

  it('refuses wrong types: text, negative, float, null, undefined, tag, boolean', () => {
    const wrong = [
      c('text'),
      c(-1),
      Uint8Array.of(0xfb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0), // float 1.0, which a lax decoder reads as 1
      Uint8Array.of(0xf6),
      Uint8Array.of(0xf7),
      Uint8Array.of(0xc2, 0x41, 0x01), // tag 2 (bignum)
      Uint8Array.of(0xf5)
    ]
    for (const v of wrong) {
      rejects(
        () =>
          decodeAuditResponse(
            rawMap([
              [0, c(1)],
              [1, v],
              [2, c(digest)]
            ])
          ),
        WrongTypeError,
        /nonce/
      )
      const header = encodeShardHeader(shardHeader(new Random(1)))
      rejects(() => decodeShardHeader(concat(header.subarray(0, 1), c(0), v)), WrongTypeError, /version/)
    }
  })

  it('refuses out-of-range numbers and fields that disagree', () => {
    const h = shardHeader(new Random(2))
    const fields = (over: Record<string, unknown>) => {
      const v = { ...h, ...over }
      return [
        [0, 3],
        [1, v.fileId],
        [2, v.slice],
        [3, v.index],
        [4, v.dataShards],
        [5, v.parityShards],
        [6, v.length],
        [7, v.crc32c],
        [
          8,
          new Map<number, unknown>([
            [1, v.owner.algorithm],
            [2, v.owner.bytes]
          ])
        ],
        [9, v.signature]
      ] as [number, unknown][]
    }
    rejects(() => decodeShardHeader(response(...fields({ crc32c: 2 ** 32 }))), OutOfRangeError, /crc32c/)
    rejects(() => decodeShardHeader(response(...fields({ dataShards: 0 }))), OutOfRangeError, /dataShards/)
    const k = h.dataShards
    const m = h.parityShards
    rejects(() => decodeShardHeader(response(...fields({ index: k + m }))), InvalidValueError, /index/)
    const beyondSafe = concat(Uint8Array.of(0x1b), Uint8Array.of(0x00, 0x40, 0, 0, 0, 0, 0, 0)) // 2^54
    rejects(() => decodeAuditResponse(rawMap([[0, beyondSafe]])), OutOfRangeError)
  })

  it('refuses fixed-size bytes of the wrong size', () => {
    rejects(
      () => decodeAuditResponse(response([0, 1], [1, nonce.subarray(1)], [2, digest])),
      InvalidValueError,
      /16/
    )
    rejects(
      () => decodeAuditResponse(response([0, 1], [1, nonce], [2, concat(digest, nonce)])),
      OversizeError,
      /32/
    )
  })

  it('refuses trailing bytes', () => {
    const ok = encodeAuditResponse({ nonce, digest })
    rejects(() => decodeAuditResponse(concat(ok, Uint8Array.of(0))), TrailingBytesError, /1 trailing/)
  })

  it('refuses non-minimal integers and lengths, and indefinite lengths', () => {
    const nonMinimalInt = rawMap([
      [0, Uint8Array.of(0x18, 0x01)],
      [1, c(nonce)],
      [2, c(digest)]
    ])
    rejects(() => decodeAuditResponse(nonMinimalInt), DecodeError)
    const nonMinimalLength = rawMap([
      [0, c(1)],
      [1, concat(Uint8Array.of(0x58, 16), nonce)],
      [2, c(digest)]
    ])
    rejects(() => decodeAuditResponse(nonMinimalLength), DecodeError)
    const indefiniteMap = concat(
      Uint8Array.of(0xbf),
      c(0),
      c(1),
      c(1),
      c(nonce),
      c(2),
      c(digest),
      Uint8Array.of(0xff)
    )
    rejects(() => decodeAuditResponse(indefiniteMap), DecodeError, /indefinite/)
    const indefiniteBytes = rawMap([
      [0, c(1)],
      [1, concat(Uint8Array.of(0x5f, 0x50), nonce, Uint8Array.of(0xff))]
    ])
    rejects(() => decodeAuditResponse(indefiniteBytes), DecodeError)
  })

  it('refuses invalid UTF-8 and keeps a leading BOM', () => {
    const message = (bytes: number[]) => concat(Uint8Array.of(0x60 + bytes.length), Uint8Array.from(bytes))
    const bad = rawMap([
      [0, c(1)],
      [1, c('error')],
      [2, c(404)],
      [3, message([0x66, 0xff, 0x6f])]
    ])
    rejects(() => decodeShardResponse(bad), InvalidValueError, /UTF-8/)
    const surrogate = rawMap([
      [0, c(1)],
      [1, c('error')],
      [2, c(404)],
      [3, message([0xed, 0xa0, 0x80])]
    ])
    rejects(() => decodeShardResponse(surrogate), InvalidValueError, /UTF-8/)
    const bom = rawMap([
      [0, c(1)],
      [1, c('error')],
      [2, c(404)],
      [3, message([0xef, 0xbb, 0xbf, 0x78])]
    ])
    assert.deepEqual(decodeShardResponse(bom), { kind: 'error', status: 404, message: '\ufeffx' })
  })

  it('refuses an unknown enum word or status code', () => {
    rejects(
      () => decodeShardResponse(response([0, 1], [1, 'oops'])),
      InvalidValueError,
      /kind must be one of/
    )
    rejects(() => decodeShardResponse(response([0, 1], [1, 'teleport'])), OversizeError, /kind/)
    rejects(
      () => decodeShardResponse(response([0, 1], [1, 'error'], [2, 418], [3, 'teapot'])),
      InvalidValueError
    )
    const config = encodeNodeConfig(nodeConfig(new Random(3)))
    const mode = Buffer.from(config).indexOf(Buffer.from('auto'))
    if (mode > 0) {
      const edited = config.slice()
      edited.set(new TextEncoder().encode('AUTO'), mode)
      rejects(() => decodeNodeConfig(edited), InvalidValueError, /storageMode/)
    }
  })

  it('gives a DecodeError, never a TypeError, for input that is not bytes', () => {
    for (const input of [undefined, null, 'a1', [1, 2], {}, 42, new ArrayBuffer(4)]) {
      rejects(() => decodeManifest(input as unknown as Uint8Array), WrongTypeError, /Uint8Array/)
    }
    rejects(() => decodeManifest(new Uint8Array(0)), DecodeError, /ends/)
  })

  it('copies decoded bytes out of a Buffer input instead of aliasing it', () => {
    const input = Buffer.from(encodeAuditResponse({ nonce, digest }))
    const out = decodeAuditResponse(input)
    input.fill(0)
    assert.equal(out.nonce.constructor, Uint8Array)
    assert.deepEqual(out.nonce, nonce)
  })
})

describe('caps, checked before anything is allocated', () => {
  it('refuses input over the type cap without parsing it', () => {
    const big = new Uint8Array(limits.maxBytes.shardHeader + 1)
    rejects(() => decodeShardHeader(big), OversizeError, /at most 256 bytes/)
  })

  it('refuses a byte string or array that claims more than its cap, in a tiny input', () => {
    const hugeBytes = rawMap([
      [0, c(1)],
      [1, Uint8Array.of(0x5a, 0xff, 0xff, 0xff, 0xff)]
    ])
    rejects(
      () => decodeAuditResponse(hugeBytes),
      OversizeError,
      /nonce must be at most 16 bytes, got 4294967295/
    )
    const hugeArray = rawMap([
      [0, c(1)],
      [1, c('has')],
      [2, Uint8Array.of(0x9a, 0xff, 0xff, 0xff, 0xff)]
    ])
    rejects(
      () => decodeShardRequest(hugeArray),
      OversizeError,
      /ids must have at most 4096 entries, got 4294967295/
    )
    const manifestSlices = concat(
      Uint8Array.of(0xac),
      c(0),
      c(1),
      Uint8Array.of(0x0a, 0x9b),
      new Uint8Array(8).fill(0x7f)
    )
    rejects(() => decodeManifest(manifestSlices), DecodeError)
  })

  it('refuses a manifest with more slices than maxSlices from the array head alone', () => {
    // Version, then key 10 (slices) out of order would be refused anyway, so build a full prefix.
    const head = Uint8Array.of(0x9a, 0x00, 0x04, 0x00, 0x01) // array(262145)
    const prefix = minimalManifestPrefix()
    rejects(
      () => decodeManifest(concat(prefix, head)),
      OversizeError,
      /slices must have at most 262144 entries/
    )
  })

  it('refuses deep nesting at the first wrong item, without recursion', () => {
    const deep = new Uint8Array(100_000).fill(0x81)
    rejects(() => decodeManifest(deep), WrongTypeError, /map/)
  })

  it('refuses a map with more entries than the type has fields', () => {
    rejects(() => decodeAuditResponse(Uint8Array.of(0xb7)), UnknownFieldError, /23 fields/)
  })

  it('refuses a lease renewal of no shard, of more than a record may name, or over its cap', () => {
    const renewal = leaseRenewal(new Random(3))
    assert.deepEqual(decodeLeaseRenewal(encodeLeaseRenewal(renewal)), renewal)
    assert.throws(() => encodeLeaseRenewal({ ...renewal, shards: [] }), { name: 'EncodeError' })
    const many = Array.from({ length: limits.maxShardIdsPerRecord + 1 }, () => digest)
    assert.throws(() => encodeLeaseRenewal({ ...renewal, shards: many }), { name: 'EncodeError' })
    const bytes = encodeLeaseRenewal(renewal)
    rejects(() => decodeLeaseRenewal(concat(bytes, Uint8Array.of(0))), TrailingBytesError)
    rejects(() => decodeLeaseRenewal(new Uint8Array(limits.maxBytes.leaseRenewal + 1)), OversizeError)
  })
})

/** A manifest's fields 0..9, so the next item read is the slices array. */
function minimalManifestPrefix(): Uint8Array {
  const key = new Uint8Array(32)
  return concat(
    Uint8Array.of(0xac),
    ...(
      [
        [0, 1],
        [1, new Uint8Array(16)],
        [2, 1],
        [
          3,
          new Map<number, unknown>([
            [1, 'ed25519'],
            [2, key]
          ])
        ],
        [4, 'rs-proportion'],
        [5, 10],
        [6, 4],
        [7, 1],
        [8, 1]
      ] as [number, unknown][]
    ).flatMap(([k, v]) => [c(k), c(v)]),
    c(10)
  )
}
