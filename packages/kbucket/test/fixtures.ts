// Shared helpers for the tests: seeded keys, keys at a chosen CPL, and the brute-force reference.
import type { RoutingEntry } from '@defs/kbucket'

export function randomKey(random: () => number): Uint8Array {
  const key = new Uint8Array(32)
  for (let i = 0; i < 32; i++) key[i] = Math.floor(random() * 256)
  return key
}

/** A random key sharing exactly `cpl` leading bits with `base` (cpl < 256). */
export function keyAtCpl(base: Uint8Array, cpl: number, random: () => number): Uint8Array {
  const key = randomKey(random)
  for (let bit = 0; bit <= cpl; bit++) {
    const byte = bit >> 3
    const mask = 0x80 >> (bit & 7)
    const want = bit < cpl ? base[byte]! & mask : ~base[byte]! & mask
    key[byte] = (key[byte]! & ~mask) | want
  }
  return key
}

export function toBigInt(bytes: Uint8Array): bigint {
  let n = 0n
  for (const b of bytes) n = (n << 8n) | BigInt(b)
  return n
}

export function xorBig(a: Uint8Array, b: Uint8Array): bigint {
  return toBigInt(a) ^ toBigInt(b)
}

/** The reference: sort everything by distance. */
export function bruteClosest(entries: Iterable<RoutingEntry>, target: Uint8Array, n: number): string[] {
  return [...entries]
    .map((e) => ({ id: e.id, d: xorBig(e.key, target) }))
    .sort((a, b) => (a.d < b.d ? -1 : a.d > b.d ? 1 : 0))
    .slice(0, n)
    .map((e) => e.id)
}
