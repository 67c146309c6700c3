// How a node judges its partner's silence: `alive` while heartbeats answer; `suspect` once phi
// passes its threshold or the silence passes pairSuspectAfter (whichever comes first; no action
// is taken on suspicion); `silent` once the silence passes pairFailureTimeout, when the node may
// ask other peers and fail the partner over only if they cannot reach it either. Pure.
import type { ResolvedPairingOptions } from './options.ts'
import { PhiAccrualDetector } from './phi-accrual.ts'

export type PartnerHealth = 'alive' | 'suspect' | 'silent'

export class PairWatch {
  readonly #o: ResolvedPairingOptions
  readonly #detector: PhiAccrualDetector
  readonly #since: number
  #rtt: number | undefined

  /** `since`: when watching began (a partner that never answers is silent from then). */
  constructor(options: ResolvedPairingOptions, since: number) {
    this.#o = options
    this.#since = since
    this.#detector = new PhiAccrualDetector({
      maxSamples: 1000,
      minStdDeviationMs: options.minStdDeviation,
      acceptablePauseMs: options.acceptablePause,
      firstIntervalMs: options.heartbeatInterval
    })
  }

  /** A heartbeat answered at `now` after `rttMs`. */
  answered(now: number, rttMs: number): void {
    this.#detector.heartbeat(now)
    this.#rtt = rttMs
  }

  get rtt(): number | undefined {
    return this.#rtt
  }

  /** Ms since the partner last answered (or since watching began). */
  silence(now: number): number {
    return now - (this.#detector.lastHeartbeat ?? this.#since)
  }

  phi(now: number): number {
    return this.#detector.phi(now)
  }

  health(now: number): PartnerHealth {
    const silence = this.silence(now)
    if (silence >= this.#o.pairFailureTimeout) return 'silent'
    if (silence >= this.#o.pairSuspectAfter || this.phi(now) >= this.#o.phiThreshold) return 'suspect'
    return 'alive'
  }
}
