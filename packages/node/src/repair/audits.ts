// Storage audits by a file's repairer: each holder is asked to prove one random shard of the file
// it claims to hold. The auditor has no copy to compare with (an erasure-coded shard exists
// once), so it keeps challenges it precomputed itself: the first audit of a shard fetches it whole
// from the holder (proof enough: it must hash to its id), and from those bytes a few challenges
// (a fresh 16-byte nonce, random ranges, the expected digest) are drawn and kept in memory; later
// audits spend one each, answered by the holder from the challenged bytes alone. When they run
// out, the next audit fetches the whole shard again. A timeout is not a failure: the holder is
// contained and asked the same challenge again, failing only on the third timeout in a row
// (Storj's containment); a wrong digest, a refusal or a shard that does not match is a failure.
import { constantTimeEqual, randomBytes, toHex } from '@defs/crypto'
import { type AuditChallenge, auditDigest, limits, type Manifest } from '@defs/segment'
import { peerIdFromString } from '@libp2p/peer-id'
import type { NodeComponents } from '../components.ts'
import { fetchShard } from '../steps/shard-transfer.ts'

export type AuditResult = 'pass' | 'fail' | 'contained'

export interface AuditOutcome {
  peer: string
  fileIdHex: string
  /** Shard id, hex. */
  shard: string
  result: AuditResult
  /** Why, for a failure. */
  reason?: string
}

interface Prepared {
  challenge: AuditChallenge
  digest: Uint8Array
}

/** Challenges drawn from one fetched copy of a shard before it is fetched again. */
const CHALLENGES_PER_FETCH = 4
/** Ranges per challenge, and the share of the shard they cover together (at most). */
const RANGES = 4
const COVER = 1 / 4
/** Shards of one file audited per holder per check. */
const SHARDS_PER_HOLDER = 4
/** Timeouts in a row before a contained holder fails. */
export const MAX_REVERIFY = 3
const AUDIT_TIMEOUT_MS = 10_000

export class Auditor {
  readonly #c: NodeComponents
  /** Unspent challenges per shard id (hex). */
  readonly #prepared = new Map<string, Prepared[]>()
  /** `peer/shard` -> the challenge it timed out on and how often. */
  readonly #contained = new Map<string, { prepared: Prepared; timeouts: number }>()

  constructor(c: NodeComponents) {
    this.#c = c
  }

  /**
   * Audits every holder in `live` ([slice][shard] -> peers) but this node, on up to 4 of the
   * file's shards it holds (those it is contained on first, then at random). Scores follow: a
   * pass or a fail is told to the scorer; containment is not.
   */
  async auditFile(
    manifest: Manifest,
    live: string[][][],
    signal: AbortSignal,
    /** Told of each outcome as soon as the scorer has it. */
    onOutcome: (outcome: AuditOutcome) => void = () => {}
  ): Promise<AuditOutcome[]> {
    const byPeer = new Map<string, Uint8Array[]>()
    manifest.slices.forEach((s, i) => {
      s.shards.forEach((id, j) => {
        for (const p of live[i]?.[j] ?? [])
          if (p !== this.#c.peerId) byPeer.set(p, [...(byPeer.get(p) ?? []), id])
      })
    })
    const fileIdHex = toHex(manifest.fileId)
    const audits = await Promise.all(
      [...byPeer].map(async ([peer, ids]) => {
        // The shards it is contained on first, then a random few of the rest.
        const contained = ids.filter((id) => this.#contained.has(`${peer}/${toHex(id)}`))
        const rest = ids.filter((id) => !contained.includes(id)).sort(() => Math.random() - 0.5)
        const out: AuditOutcome[] = []
        for (const id of [...contained, ...rest].slice(0, SHARDS_PER_HOLDER)) {
          const outcome = await this.#audit(peer, id, signal)
          if (outcome.result !== 'contained') this.#c.scorer.observe(peer, { audit: outcome.result })
          const told = { peer, fileIdHex, shard: toHex(id), ...outcome }
          out.push(told)
          onOutcome(told)
        }
        return out
      })
    )
    return audits.flat()
  }

  async #audit(
    peer: string,
    id: Uint8Array,
    signal: AbortSignal
  ): Promise<{ result: AuditResult; reason?: string }> {
    const key = `${peer}/${toHex(id)}`
    const contained = this.#contained.get(key)
    const prepared = contained?.prepared ?? this.#prepared.get(toHex(id))?.pop()
    if (prepared === undefined) return this.#fetchWhole(peer, id, signal)
    const asked = AbortSignal.any([signal, AbortSignal.timeout(AUDIT_TIMEOUT_MS)])
    try {
      const digest = await this.#c.host.services.shards.audit(peerIdFromString(peer), prepared.challenge, {
        signal: asked
      })
      this.#contained.delete(key)
      if (!constantTimeEqual(digest, prepared.digest)) return { result: 'fail', reason: 'wrong digest' }
      return { result: 'pass' }
    } catch (err) {
      if (signal.aborted) throw err
      if (!isTimeout(err)) {
        this.#contained.delete(key)
        return { result: 'fail', reason: `${(err as Error).name}: ${(err as Error).message}` }
      }
      const timeouts = (contained?.timeouts ?? 0) + 1
      if (timeouts >= MAX_REVERIFY) {
        this.#contained.delete(key)
        return { result: 'fail', reason: `no answer to ${timeouts} audits in a row` }
      }
      this.#contained.set(key, { prepared, timeouts })
      return { result: 'contained' }
    }
  }

  /** The whole shard from `peer`, checked against its id; its bytes give the next challenges. */
  async #fetchWhole(
    peer: string,
    id: Uint8Array,
    signal: AbortSignal
  ): Promise<{ result: AuditResult; reason?: string }> {
    let bytes: Uint8Array
    try {
      bytes = await fetchShard(
        this.#c,
        peer,
        id,
        AbortSignal.any([signal, AbortSignal.timeout(AUDIT_TIMEOUT_MS)])
      )
    } catch (err) {
      if (signal.aborted) throw err
      // An unreachable holder is the health check's business, not an audit failure.
      if (isTimeout(err)) return { result: 'contained' }
      return { result: 'fail', reason: `${(err as Error).name}: ${(err as Error).message}` }
    }
    this.#prepared.set(toHex(id), await prepare(id, bytes, CHALLENGES_PER_FETCH))
    return { result: 'pass' }
  }
}

/** `n` challenges of `shard` (named `id`) with their expected digests. */
export async function prepare(id: Uint8Array, shard: Uint8Array, n: number): Promise<Prepared[]> {
  const length = Math.min(
    shard.length,
    limits.maxAuditRangeBytes,
    Math.max(1, Math.floor((shard.length * COVER) / RANGES))
  )
  // Whole blocks of the shard (the last one ending at its end), so every byte, the last ones
  // included, is as likely to be challenged as any other.
  const blocks = Math.ceil(shard.length / length)
  return Promise.all(
    Array.from({ length: n }, async () => {
      const ranges = Array.from({ length: RANGES }, () => ({
        offset: Math.min(Math.floor(Math.random() * blocks) * length, shard.length - length),
        length
      }))
      const challenge: AuditChallenge = { shard: id, nonce: randomBytes(16), ranges }
      return { challenge, digest: await auditDigest(challenge, shard) }
    })
  )
}

function isTimeout(err: unknown): boolean {
  const name = (err as { name?: string }).name
  return name === 'TimeoutError' || name === 'AbortError'
}
