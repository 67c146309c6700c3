// A seeded PRNG for property and fuzz tests. The seed comes from SEGMENT_SEED or the clock and
// is logged, so any failure can be replayed: SEGMENT_SEED=<seed> npm test -w @defs/segment.
import process from 'node:process'

export class Random {
  readonly seed: number
  #state: number

  constructor(seed: number) {
    this.seed = seed >>> 0
    this.#state = this.seed || 1
  }

  /** A float in [0, 1) (mulberry32). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0
    let t = this.#state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** An integer in [min, max], also for ranges beyond 2^32. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  bool(p = 0.5): boolean {
    return this.next() < p
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i++) out[i] = this.int(0, 255)
    return out
  }
}

/** A PRNG for one test file, seeded from SEGMENT_SEED or the clock, with the seed logged. */
export function seeded(name: string): Random {
  const fromEnv = process.env.SEGMENT_SEED
  const seed = fromEnv !== undefined ? Number(fromEnv) : Date.now() % 2 ** 32
  console.log(`# ${name}: SEGMENT_SEED=${seed}`)
  return new Random(seed)
}
