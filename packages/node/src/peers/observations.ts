// What this node measures of its peers, fed to the one scorer that placement, pairing and repair
// read: the network group of each connection's remote address (as it connects), the round-trip
// time libp2p's connection monitor keeps for every connection and how long the peer has been
// connected (sampled), transfer rates (recordTransfer, from puts and gets), the free space every
// peer claims in its `has` and put answers (recordFreeBytes). Audits, heartbeats and a partner's
// advertised free space are observed where they happen. The scorer's evidence is kept in the meta
// store and taken back at start, so a restarted node still knows which peers failed it.
import { networkGroupOf, type PeerScorer, type ScorerSnapshot } from '@defs/kbucket'
import type { Connection, PeerId } from '@libp2p/interface'
import type { NodeComponents } from '../components.ts'

/** How often RTT and uptime are sampled (libp2p's monitor pings every 10 s). */
const SAMPLE_MS = 30_000
/** How often the scores are written down between start and stop. */
const SAVE_MS = 5 * 60_000
/** The meta store state the scores are kept under. */
const SCORES_STATE = 'peer-scores'
/**
 * Transfers smaller than this say more about latency than bandwidth, so they are not counted as a
 * rate (a 1 KiB shard on a 100 ms link would read as 10 KB/s).
 */
const MIN_RATE_BYTES = 256 * 1024

/** Starts observing; `close` stops and writes the scores down one last time. */
export async function observePeers(c: NodeComponents): Promise<{ close(): Promise<void> }> {
  const saved = await c.meta.getState<ScorerSnapshot>(SCORES_STATE)
  if (saved !== undefined) {
    try {
      c.scorer.restore(saved)
    } catch (err) {
      // A damaged record costs the old evidence, never the start.
      c.logger.forComponent('defs:node:peers')('kept peer scores not restored: %s', (err as Error).message)
    }
  }
  /** When each connected peer's current run of connection began. */
  const connectedSince = new Map<string, number>()
  const onOpen = (e: CustomEvent<Connection>): void => {
    const id = e.detail.remotePeer.toString()
    if (!connectedSince.has(id)) connectedSince.set(id, Date.now())
    const group = networkGroupOf(e.detail.remoteAddr.toString())
    if (group !== undefined && c.scorer.group(id) !== group) c.scorer.observe(id, { group })
  }
  const onDisconnect = (e: CustomEvent<PeerId>): void => {
    connectedSince.delete(e.detail.toString())
  }
  c.host.addEventListener('connection:open', onOpen)
  c.host.addEventListener('peer:disconnect', onDisconnect)
  const sample = (): void => {
    const now = Date.now()
    for (const conn of c.host.getConnections()) {
      const id = conn.remotePeer.toString()
      const rtt = conn.rtt
      const since = connectedSince.get(id)
      c.scorer.observe(id, {
        ...(rtt !== undefined && Number.isFinite(rtt) && rtt >= 0 ? { rttMs: rtt } : {}),
        ...(since !== undefined ? { uptimeMs: now - since } : {})
      })
    }
  }
  const save = async (): Promise<void> => {
    await c.meta.putState(SCORES_STATE, c.scorer.snapshot()).catch((err: Error) => {
      c.logger.forComponent('defs:node:peers')('peer scores not kept: %s', err.message)
    })
  }
  const sampling = setInterval(sample, SAMPLE_MS)
  const saving = setInterval(() => void save(), SAVE_MS)
  sampling.unref()
  saving.unref()
  return {
    async close() {
      clearInterval(sampling)
      clearInterval(saving)
      c.host.removeEventListener('connection:open', onOpen)
      c.host.removeEventListener('peer:disconnect', onDisconnect)
      await save()
    }
  }
}

/** A transfer of `bytes` to or from `peer` took `ms`: a rate sample when it was large enough to be one. */
export function recordTransfer(c: NodeComponents, peer: string, bytes: number, ms: number): void {
  if (bytes < MIN_RATE_BYTES || !(ms > 0)) return
  c.scorer.observe(peer, { bandwidthBps: (bytes * 1000) / ms })
}

/**
 * Claims of free space above this many times the scorer's reference count as this much: the
 * capacity factor saturates there (10/11), so a peer that overstates its room gains little, and
 * what it does gain are placements it must then take (an accepted shard is audited like any
 * other; a refused one costs it nothing but is tried elsewhere).
 */
const FREE_CLAIM_CAP = 10

/** `peer` says it can still store `bytes`: the scorer's capacity evidence, capped. */
export function recordFreeBytes(scorer: PeerScorer, peer: string, bytes: number): void {
  if (!Number.isFinite(bytes) || bytes < 0) return
  scorer.observe(peer, { freeBytes: Math.min(bytes, FREE_CLAIM_CAP * scorer.references.freeBytes) })
}
