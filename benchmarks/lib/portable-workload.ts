// The measurements `npm run bench -- browser` takes on Node and, bundled, in Chromium: erasure
// encode in place (WASM SIMD kernel) and AES-256-GCM seal and open of one slice, on every backend
// the runtime has. Only portable APIs, so the same code runs in both. Each case checks its output
// first: WASM parity against the pure-TS backend, ciphertexts of all AEAD backends against each
// other and opened back to the plaintext.
import { aeadBackends, createAead } from '@defs/crypto'
import { ReedSolomon } from '@defs/erasure'
import { measure } from './measure.ts'

export interface PortableRow {
  op: string
  shape: string
  backend: string
  gbps: number
}

const MiB = 1024 * 1024

function fill(bytes: Uint8Array, seed: number): Uint8Array {
  let x = seed | 1
  for (let i = 0; i < bytes.length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    bytes[i] = x & 0xff
  }
  return bytes
}

const sizeLabel = (bytes: number): string => (bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / 1024} KiB`)

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i])

async function erasure(k: number, m: number, shardSize: number): Promise<PortableRow> {
  const rs = await ReedSolomon.create({ dataShards: k, parityShards: m, backend: 'wasm' })
  const ts = await ReedSolomon.create({ dataShards: k, parityShards: m, backend: 'ts' })
  const shards = rs.allocShards(shardSize)
  for (let i = 0; i < k; i++) fill(shards[i]!, i + 1)
  const expected = ts.encode(shards.map((s, i) => (i < k ? s.slice() : new Uint8Array(shardSize))))
  rs.encode(shards)
  for (let i = k; i < k + m; i++)
    if (!same(shards[i]!, expected[i]!))
      throw new Error(`erasure ${k}+${m}: WASM parity ${i} differs from TS`)
  const { gbps } = await measure(() => rs.encode(shards), { bytes: k * shardSize })
  rs.free(shards)
  return {
    op: 'erasure encode (in place)',
    shape: `${k}+${m} x ${sizeLabel(shardSize)}`,
    backend: rs.kernel,
    gbps
  }
}

async function aead(size: number): Promise<PortableRow[]> {
  const key = fill(new Uint8Array(32), 7)
  const nonce = fill(new Uint8Array(12), 11)
  const plaintext = fill(new Uint8Array(size), 13)
  const aeads = await Promise.all(aeadBackends().map((backend) => createAead({ backend })))
  const sealed = await Promise.all(aeads.map((a) => a.encrypt(key, nonce, plaintext)))
  for (const [i, s] of sealed.entries())
    if (!same(s, sealed[0]!))
      throw new Error(`AES-GCM: ${aeads[i]!.backend} differs from ${aeads[0]!.backend}`)
  const rows: PortableRow[] = []
  // noble is the pure-JS fallback: at 1 MiB it takes seconds per sample, so it is only checked.
  for (const a of aeads.filter((a) => a.backend !== 'noble')) {
    if (!same(await a.decrypt(key, nonce, sealed[0]!), plaintext))
      throw new Error(`${a.backend} did not open`)
    const shape = sizeLabel(size)
    const seal = await measure(() => a.encrypt(key, nonce, plaintext), { bytes: size })
    const open = await measure(() => a.decrypt(key, nonce, sealed[0]!), { bytes: size })
    rows.push({ op: 'AES-256-GCM seal', shape, backend: a.backend, gbps: seal.gbps })
    rows.push({ op: 'AES-256-GCM open', shape, backend: a.backend, gbps: open.gbps })
  }
  return rows
}

export async function portableWorkload(): Promise<PortableRow[]> {
  return [
    await erasure(10, 4, MiB),
    await erasure(4, 2, MiB),
    await erasure(10, 4, 64 * 1024),
    ...(await aead(MiB)),
    ...(await aead(64 * 1024))
  ]
}
