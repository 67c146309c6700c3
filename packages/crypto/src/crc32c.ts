// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of shard headers.
// Synchronous and portable: no runtime has a native CRC32C in JS (zlib and Bun.hash have only
// CRC32), and hash-wasm's is asynchronous to set up and cannot continue from a seed. Slicing-by-16
// tables make the pure-TS loop read 16 bytes per step, as fast as hash-wasm's (2.5 GB/s here).
import { assertBytes } from './bytes.ts'
import { type Hasher, hasherFrom } from './hasher.ts'

const tables = buildTables(0x82f63b78, 16)

function buildTables(polynomial: number, count: number): Int32Array {
  const t = new Int32Array(256 * count)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ polynomial : c >>> 1
    t[n] = c
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!
    for (let k = 1; k < count; k++) {
      c = t[c & 0xff]! ^ (c >>> 8)
      t[k * 256 + n] = c
    }
  }
  return t
}

/**
 * CRC32C of `data` as an unsigned 32-bit number. `seed` is the CRC of the bytes before `data`,
 * so `crc32c(b, crc32c(a)) === crc32c(concat(a, b))`.
 */
export function crc32c(data: Uint8Array, seed = 0): number {
  assertBytes('data', data)
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be an unsigned 32-bit integer, got ${seed}`)
  }
  return ~update(~seed, data) >>> 0
}

/** A streaming CRC32C; `digest()` gives the 4 bytes big-endian, `value()` the number. */
export function createCrc32c(seed = 0): Hasher & { value(): number } {
  let crc = crc32c(new Uint8Array(0), seed)
  const hasher = hasherFrom(
    (data) => {
      crc = ~update(~crc, data) >>> 0
    },
    () => new Uint8Array([crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff])
  )
  return Object.assign(hasher, { value: () => crc })
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

/**
 * The inner loop on the inverted register; callers invert before and after. Reads aligned 32-bit
 * words (on little-endian hosts, i.e. all of them in practice): 1.45x the byte loop on V8.
 */
function update(crc: number, data: Uint8Array): number {
  const t = tables
  const n = data.length
  let i = 0
  if (littleEndian && n >= 64) {
    for (const head = (4 - (data.byteOffset & 3)) & 3; i < head; i++)
      crc = t[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8)
    const words = ((n - i) >>> 4) << 2
    const w = new Int32Array(data.buffer, data.byteOffset + i, words)
    for (let j = 0; j < words; j += 4) {
      const a = crc ^ w[j]!
      const b = w[j + 1]!
      const c = w[j + 2]!
      const d = w[j + 3]!
      crc =
        t[3840 + (a & 0xff)]! ^
        t[3584 + ((a >>> 8) & 0xff)]! ^
        t[3328 + ((a >>> 16) & 0xff)]! ^
        t[3072 + (a >>> 24)]! ^
        t[2816 + (b & 0xff)]! ^
        t[2560 + ((b >>> 8) & 0xff)]! ^
        t[2304 + ((b >>> 16) & 0xff)]! ^
        t[2048 + (b >>> 24)]! ^
        t[1792 + (c & 0xff)]! ^
        t[1536 + ((c >>> 8) & 0xff)]! ^
        t[1280 + ((c >>> 16) & 0xff)]! ^
        t[1024 + (c >>> 24)]! ^
        t[768 + (d & 0xff)]! ^
        t[512 + ((d >>> 8) & 0xff)]! ^
        t[256 + ((d >>> 16) & 0xff)]! ^
        t[d >>> 24]!
    }
    i += words * 4
  }
  for (; i < n; i++) crc = t[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8)
  return crc
}
