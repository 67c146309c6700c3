// Shared by the tests: the backends every contract runs against, and seeded randomness.
import type { ReedSolomonOptions } from '../src/index.ts'

export const variants: { name: string; options: Partial<ReedSolomonOptions> }[] = [
  { name: 'wasm (relaxed SIMD)', options: { backend: 'wasm' } },
  { name: 'wasm (standard SIMD)', options: { backend: 'wasm', relaxedSimd: false } },
  { name: 'ts', options: { backend: 'ts' } }
]

/** mulberry32: a small seeded generator, so a failing property run can be replayed. */
export function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function randomInt(next: () => number, min: number, max: number): number {
  return min + Math.floor(next() * (max - min + 1))
}

export function randomBytes(next: () => number, size: number): Uint8Array {
  const out = new Uint8Array(size)
  for (let i = 0; i < size; i++) out[i] = next() * 256
  return out
}

/** `count` distinct indices below `total`, in random order. */
export function pick(next: () => number, total: number, count: number): number[] {
  const all = Array.from({ length: total }, (_, i) => i)
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1))
    ;[all[i], all[j]] = [all[j]!, all[i]!]
  }
  return all.slice(0, count)
}

/** The xorshift32 stream of test/vectors/generate.go: data shard j, byte i is element j * size + i. */
export function xorshiftShards(seed: number, k: number, size: number): Uint8Array[] {
  let x = seed >>> 0
  return Array.from({ length: k }, () => {
    const shard = new Uint8Array(size)
    for (let i = 0; i < size; i++) {
      x ^= x << 13
      x >>>= 0
      x ^= x >>> 17
      x ^= x << 5
      x >>>= 0
      shard[i] = x & 0xff
    }
    return shard
  })
}

export function copyAll(shards: readonly (Uint8Array | null | undefined)[]): Uint8Array[] {
  return shards.map((s) => Uint8Array.from(s!))
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
