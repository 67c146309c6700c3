// Random sources for `select`. The default draws from the platform CSPRNG, so nobody can predict
// where shards go; `seededRandom` is for tests and simulations that must replay.

const POOL_WORDS = 256
const pool = new Uint32Array(POOL_WORDS)
let next = POOL_WORDS

/** A uniform float in [0, 1) from `crypto.getRandomValues` (53 bits). */
export function secureRandom(): number {
  if (next + 2 > POOL_WORDS) {
    globalThis.crypto.getRandomValues(pool)
    next = 0
  }
  const high = pool[next++]! >>> 5
  const low = pool[next++]! >>> 6
  return (high * 67108864 + low) / 9007199254740992
}

/** A deterministic uniform float source in [0, 1) (sfc32), for reproducible tests. */
export function seededRandom(seed: number): () => number {
  let a = 0x9e3779b9
  let b = 0x243f6a88
  let c = 0xb7e15162
  let d = seed >>> 0
  const step = (): number => {
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return (t >>> 0) / 4294967296
  }
  for (let i = 0; i < 15; i++) step()
  return step
}
