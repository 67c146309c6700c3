// Shared timing for every suite: warm up, then take the median of several timed runs, so one
// scheduling hiccup on a 2-core machine does not move the figure. Suites check their output
// before they call this; this only times.

export interface MeasureOptions {
  /** Bytes of input one call of `fn` processes (GB/s = bytes / seconds / 1e9). */
  bytes: number
  /** Untimed calls first, to let the JIT and caches settle. */
  warmup?: number
  /** Timed samples; the median is reported. */
  samples?: number
  /** Minimum time per sample, so tiny inputs are timed over many calls. */
  minSampleMs?: number
}

export interface Measurement {
  gbps: number
  /** Median seconds per call. */
  seconds: number
  samples: number
}

export async function measure(
  fn: () => unknown | Promise<unknown>,
  options: MeasureOptions
): Promise<Measurement> {
  const { bytes, warmup = 3, samples = 7, minSampleMs = 150 } = options
  for (let i = 0; i < warmup; i++) await fn()
  const perCall: number[] = []
  for (let s = 0; s < samples; s++) {
    let calls = 0
    const start = performance.now()
    let elapsed = 0
    do {
      await fn()
      calls++
      elapsed = performance.now() - start
    } while (elapsed < minSampleMs)
    perCall.push(elapsed / 1000 / calls)
  }
  perCall.sort((a, b) => a - b)
  const seconds = perCall[Math.floor(perCall.length / 2)]!
  return { gbps: bytes / seconds / 1e9, seconds, samples }
}

/** Latency percentiles of a list of milliseconds. */
export function percentiles(ms: number[]): { median: number; p95: number } {
  const sorted = [...ms].sort((a, b) => a - b)
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
  return { median: at(0.5), p95: at(0.95) }
}
