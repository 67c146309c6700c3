// The scoring formula. Each factor is in [0, 1]; a raw measurement x is first mapped by
// x / (x + reference) (or reference / (reference + rtt) for latency), then blended with a neutral
// prior of 0.5 by how much fresh evidence there is:
//   factor = (w * f(x) + priorWeight * 0.5) / (w + priorWeight)
// where w is the decayed sample weight. The score is the weighted mean of the factors.
import { checkAmount } from './check.ts'
import { InvalidArgumentError } from './errors.ts'

export interface ScoreWeights {
  latency: number
  bandwidth: number
  capacity: number
  stability: number
  audit: number
  diversity: number
}

/** Factor values, each in [0, 1]; same keys as the weights. */
export type ScoreFactors = ScoreWeights

export const DEFAULT_WEIGHTS: Readonly<ScoreWeights> = Object.freeze({
  latency: 0.15,
  bandwidth: 0.15,
  capacity: 0.15,
  stability: 0.2,
  audit: 0.3,
  diversity: 0.05
})

/** Where each measurement maps to a factor of 0.5. */
export interface ScoreReferences {
  rttMs: number
  bandwidthBps: number
  freeBytes: number
  uptimeMs: number
}

export const DEFAULT_REFERENCES: Readonly<ScoreReferences> = Object.freeze({
  rttMs: 100,
  bandwidthBps: 12_500_000,
  freeBytes: 100e9,
  uptimeMs: 86_400_000
})

export const NEUTRAL = 0.5

export function saturating(x: number, reference: number): number {
  return x / (x + reference)
}

/** A factor from `mapped` (the measurement mapped to [0, 1]), pulled toward 0.5 while `weight` is thin. */
export function blend(weight: number, mapped: number, priorWeight: number): number {
  return (weight * mapped + priorWeight * NEUTRAL) / (weight + priorWeight)
}

export function weightedScore(f: ScoreFactors, w: ScoreWeights): number {
  const sum =
    w.latency * f.latency +
    w.bandwidth * f.bandwidth +
    w.capacity * f.capacity +
    w.stability * f.stability +
    w.audit * f.audit +
    w.diversity * f.diversity
  return sum / (w.latency + w.bandwidth + w.capacity + w.stability + w.audit + w.diversity)
}

export const FACTOR_NAMES = Object.freeze(Object.keys(DEFAULT_WEIGHTS) as (keyof ScoreWeights)[])

export function resolveWeights(partial: Partial<ScoreWeights> = {}): ScoreWeights {
  const weights = { ...DEFAULT_WEIGHTS }
  for (const name of FACTOR_NAMES) {
    const given = partial[name]
    if (given !== undefined) weights[name] = checkAmount(`weights.${name}`, given)
  }
  if (FACTOR_NAMES.every((name) => weights[name] === 0)) {
    throw new InvalidArgumentError('weights must not all be 0, got all 0')
  }
  return weights
}

export function resolveReferences(partial: Partial<ScoreReferences> = {}): ScoreReferences {
  const references = { ...DEFAULT_REFERENCES }
  for (const name of Object.keys(references) as (keyof ScoreReferences)[]) {
    const given = partial[name]
    if (given !== undefined) references[name] = checkAmount(`references.${name}`, given, true)
  }
  return references
}
