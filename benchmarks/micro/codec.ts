// @defs/segment: encode/decode of the manifest of a 1 GiB file (10+4, 1 MiB shards, 103 slices of
// 10 MiB), the same for 1 TiB (near the manifest cap), signing, small wire records and framing.
// Beside them, cborg's own decode of the same bytes without any schema check: the price of
// strictness. Every result is checked before it is timed.
import { deepStrictEqual } from 'node:assert/strict'
import { generateSigningKey, randomBytes } from '@defs/crypto'
import {
  decodeEnvelope,
  decodeLocationRecord,
  decodeManifest,
  decodeShardHeader,
  decodeShardRequest,
  encodeEnvelope,
  encodeFrame,
  encodeLocationRecord,
  encodeManifest,
  encodeShardHeader,
  encodeShardRequest,
  type Manifest,
  readFrames,
  sign,
  signShardHeader,
  sliceCount,
  verify,
  verifyShardHeader
} from '@defs/segment'
import { decode as cborgDecode } from 'cborg'
import { measure } from '../lib/measure.ts'
import { Report } from '../lib/report.ts'
import type { SuiteOptions } from '../run.ts'

const MiB = 1024 * 1024
const GiB = 1024 * MiB

function manifestFor(size: number, owner: Manifest['owner']): Manifest {
  const sliceSize = 10 * MiB
  const count = sliceCount(size, sliceSize)
  // Ids and nonces as views of one random pool: a 1 TiB manifest has 1.5 million of them.
  const pool = randomBytes(count * (14 * 32 + 12))
  let at = 0
  const take = (n: number) => {
    at += n
    return pool.subarray(at - n, at)
  }
  const slices = Array.from({ length: count }, (_, i) => {
    const plainLength = i === count - 1 ? size - (count - 1) * sliceSize : sliceSize
    return {
      plainLength,
      cipherLength: plainLength + 16,
      nonce: take(12),
      shards: Array.from({ length: 14 }, () => take(32))
    }
  })
  return {
    fileId: randomBytes(16),
    seq: 1,
    owner,
    mode: 'rs-proportion',
    dataShards: 10,
    parityShards: 4,
    size,
    sliceSize,
    slices,
    meta: randomBytes(64),
    created: Date.now()
  }
}

export async function run(options: SuiteOptions): Promise<void> {
  const report = new Report('codec', options.json)
  const key = await generateSigningKey('ed25519')
  const row = async (op: string, bytes: number, fn: () => unknown, samples?: number) => {
    const m = await measure(fn, { bytes, samples, warmup: samples === undefined ? 3 : 1 })
    report.add({
      op,
      bytes,
      'records/s': 1 / m.seconds,
      'MB/s': bytes / m.seconds / 1e6,
      'µs/op': m.seconds * 1e6
    })
  }

  for (const [label, size, samples] of [
    ['1 GiB', GiB, undefined],
    ['1 TiB', 1024 * GiB, 3]
  ] as const) {
    const manifest = manifestFor(size, key.publicKey)
    const bytes = encodeManifest(manifest)
    deepStrictEqual(decodeManifest(bytes), manifest)
    const slices = `${label} manifest (${manifest.slices.length} slices)`
    await row(`encodeManifest ${slices}`, bytes.length, () => encodeManifest(manifest), samples)
    await row(`decodeManifest ${slices}`, bytes.length, () => decodeManifest(bytes), samples)
    await row(
      `  peer: cborg.decode, no schema`,
      bytes.length,
      () => cborgDecode(bytes, { useMaps: true }),
      samples
    )
    if (label === '1 GiB') {
      const envelope = encodeEnvelope(await sign('manifest', manifest, key))
      deepStrictEqual(await verify(decodeEnvelope(envelope), 'manifest'), manifest)
      await row(`sign+encodeEnvelope ${label} manifest (ed25519)`, envelope.length, async () =>
        encodeEnvelope(await sign('manifest', manifest, key))
      )
      await row(`decodeEnvelope+verify ${label} manifest`, envelope.length, () =>
        verify(decodeEnvelope(envelope), 'manifest')
      )
    }
  }

  const header = {
    fileId: randomBytes(16),
    slice: 102,
    index: 13,
    dataShards: 10,
    parityShards: 4,
    length: MiB,
    crc32c: 0xdeadbeef
  }
  const shardId = randomBytes(32)
  const signed = await signShardHeader(key, shardId, header)
  await verifyShardHeader(shardId, signed)
  const headerBytes = encodeShardHeader(signed)
  deepStrictEqual(decodeShardHeader(headerBytes), signed)
  await row('encodeShardHeader', headerBytes.length, () => encodeShardHeader(signed))
  await row('decodeShardHeader', headerBytes.length, () => decodeShardHeader(headerBytes))
  // the owner's signature: one sign per shard on the uploader, one verify on the holder
  await row('signShardHeader (ed25519)', headerBytes.length, () => signShardHeader(key, shardId, header))
  await row('verifyShardHeader (ed25519)', headerBytes.length, () => verifyShardHeader(shardId, signed))

  const location = {
    peer: randomBytes(38),
    fileId: randomBytes(16),
    shards: Array.from({ length: 103 }, () => randomBytes(32)),
    issued: Date.now(),
    expires: Date.now() + 3_600_000
  }
  const locationBytes = encodeLocationRecord(location)
  deepStrictEqual(decodeLocationRecord(locationBytes), location)
  await row('decodeLocationRecord (103 shard ids)', locationBytes.length, () =>
    decodeLocationRecord(locationBytes)
  )

  const get = { kind: 'get' as const, id: randomBytes(32), offset: 0, length: MiB }
  const getBytes = encodeShardRequest(get)
  deepStrictEqual(decodeShardRequest(getBytes), get)
  await row('decodeShardRequest (get)', getBytes.length, () => decodeShardRequest(getBytes))

  // 64 MiB of 1 MiB frames arriving in 64 KiB chunks, as a TCP stream would deliver them.
  const frames = Array.from({ length: 64 }, () => new Uint8Array(randomBytes(MiB)))
  const framed = frames.map(encodeFrame)
  const wire = new Uint8Array(framed.reduce((n, f) => n + f.length, 0))
  let at = 0
  for (const f of framed) {
    wire.set(f, at)
    at += f.length
  }
  const chunks = Array.from({ length: Math.ceil(wire.length / (64 * 1024)) }, (_, i) =>
    wire.subarray(i * 64 * 1024, (i + 1) * 64 * 1024)
  )
  const readAll = async () => {
    const out: Uint8Array[] = []
    for await (const frame of readFrames(chunks, { maxFrameSize: MiB })) out.push(frame)
    return out
  }
  deepStrictEqual(await readAll(), frames)
  await row('readFrames 64 x 1 MiB in 64 KiB chunks', wire.length, readAll)

  report.printTable(['op', 'bytes', 'records/s', 'MB/s', 'µs/op'])
  report.note('MB/s is of encoded bytes; numbers are noisy while other work shares the 2 cores.')
}
