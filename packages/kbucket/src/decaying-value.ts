// Observations that fade: a sample's weight halves every `halfLifeMs`, so a peer that stops
// being observed drifts back to the neutral prior instead of keeping an old verdict forever.
// A peer's series share one clock, so reading all of them costs one exponentiation.

export function decay(elapsedMs: number, halfLifeMs: number): number {
  return elapsedMs <= 0 ? 1 : 2 ** (-elapsedMs / halfLifeMs)
}

/** A series' numbers: per series, the decayed sum and weight as of `at` (ms, its clock). */
export interface SeriesState {
  at: number
  sums: number[]
  weights: number[]
}

/**
 * Decaying series on one clock. Each is a time-decayed mean of every sample (`add`: RTT,
 * bandwidth, 1/0 outcomes of audits and heartbeats) or the latest sample, trusted less as it
 * ages (`set`: advertised free space, uptime).
 */
export class DecayingSeries {
  private readonly sums: Float64Array
  private readonly weights: Float64Array
  private at = Number.NEGATIVE_INFINITY
  private readonly halfLifeMs: number

  constructor(count: number, halfLifeMs: number) {
    this.sums = new Float64Array(count)
    this.weights = new Float64Array(count)
    this.halfLifeMs = halfLifeMs
  }

  add(series: number, value: number, now: number): void {
    this.age(now)
    this.sums[series]! += value
    this.weights[series]! += 1
  }

  set(series: number, value: number, now: number): void {
    this.age(now)
    this.sums[series] = value
    this.weights[series] = 1
  }

  /** The series as plain numbers (what `DecayingSeries.from` takes back). */
  state(): SeriesState {
    return { at: this.at, sums: [...this.sums], weights: [...this.weights] }
  }

  /** Series from `state()`; its evidence keeps fading from the time it was last sampled. */
  static from(state: SeriesState, halfLifeMs: number): DecayingSeries {
    const series = new DecayingSeries(state.sums.length, halfLifeMs)
    series.sums.set(state.sums)
    series.weights.set(state.weights)
    series.at = state.at
    return series
  }

  /** Multiply `weight(i)` by this to read the series at `now`. */
  decayAt(now: number): number {
    return decay(now - this.at, this.halfLifeMs)
  }

  /** Weight as of the last sample (how many fresh samples the value is worth then). */
  weight(series: number): number {
    return this.weights[series]!
  }

  /** The mean (or latest value); 0 when there is no sample. */
  value(series: number): number {
    const w = this.weights[series]!
    return w === 0 ? 0 : this.sums[series]! / w
  }

  private age(now: number): void {
    if (!(now > this.at)) return
    const d = this.at === Number.NEGATIVE_INFINITY ? 1 : decay(now - this.at, this.halfLifeMs)
    if (d !== 1) {
      for (let i = 0; i < this.sums.length; i++) {
        this.sums[i]! *= d
        this.weights[i]! *= d
      }
    }
    this.at = now
  }
}
