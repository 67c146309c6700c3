// How a node judges its partner: `alive` while heartbeats answer; `suspect` once phi passes its
// threshold or the silence passes pairSuspectAfter (whichever comes first; no action is taken on
// suspicion); `silent` once the silence passes pairFailureTimeout, when the node may ask other
// peers and fail the partner over only if they cannot reach it either. A partner whose last
// status said `maintenance` is `maintenance` instead, silent or not, for pairMaintenanceMax from
// the first status that said so (an upgrade may take its process down: the last state heard
// counts); beyond that it is `overdue` while it still answers (it takes no shards, by its own
// word: failed over without witnesses) and `silent` by the usual rule once it does not. Pure.
import type { PairLifecycle } from '@defs/segment'
import type { ResolvedPairingOptions } from './options.ts'
import { PhiAccrualDetector } from './phi-accrual.ts'

export type PartnerHealth = 'alive' | 'suspect' | 'silent' | 'maintenance' | 'overdue'

export class PairWatch {
  readonly #o: ResolvedPairingOptions
  readonly #detector: PhiAccrualDetector
  readonly #since: number
  #rtt: number | undefined
  #maintenanceSince: number | undefined

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

  /** The partner's lifecycle state, as a status of its own (an answer or its heartbeat) said at `now`. */
  reported(now: number, state: PairLifecycle): void {
    if (state !== 'maintenance') this.#maintenanceSince = undefined
    else this.#maintenanceSince ??= now
  }

  get rtt(): number | undefined {
    return this.#rtt
  }

  /** Ms since the partner first said it is in maintenance; undefined when its last status did not. */
  maintenance(now: number): number | undefined {
    return this.#maintenanceSince === undefined ? undefined : now - this.#maintenanceSince
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
    const maintenance = this.maintenance(now)
    if (maintenance !== undefined && maintenance < this.#o.pairMaintenanceMax) return 'maintenance'
    if (silence >= this.#o.pairFailureTimeout) return 'silent'
    if (maintenance !== undefined) return 'overdue'
    if (silence >= this.#o.pairSuspectAfter || this.phi(now) >= this.#o.phiThreshold) return 'suspect'
    return 'alive'
  }
}
