// The pairing service of one node: it heartbeats its partner on `/defs/pair/1.0.0` every
// heartbeatInterval, judges the partner's silence (pair-watch.ts), and once the partner has been
// silent for pairFailureTimeout asks other peers whether they reach it: only when at least
// `witnesses` of them answer that they do not (and none that they do) is the partner failed over.
// A node whose witnesses do not answer either hears from nobody: it suspects itself and does
// nothing. A partner whose heartbeats say it is in maintenance is not failed over, silent or not,
// for pairMaintenanceMax; beyond it, one still in maintenance is (pair-watch.ts). Unpaired, it
// forms a pair (formation.ts); a partner whose status shows a higher epoch
// than our pairing has moved on, and the pairing is dropped.
import type { SigningKey } from '@defs/crypto'
import type { PeerScorer } from '@defs/kbucket'
import {
  type FileRouting,
  handleRequests,
  type ProtocolRegistrar,
  type StreamOpener,
  sendRequest,
  signingKeyOf
} from '@defs/net'
import {
  DecodeError,
  decodePairRequest,
  decodePairResponse,
  encodePairRequest,
  encodePairResponse,
  equalBytes,
  limits,
  PAIR_PROTOCOL,
  type PairLifecycle,
  type PairRequest,
  type PairResponse,
  type PairStatus
} from '@defs/segment'
import type { ComponentLogger, Logger, PeerId, PrivateKey } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { Formation } from './formation.ts'
import { type PairingOptions, type ResolvedPairingOptions, resolvePairingOptions } from './options.ts'
import { PairDirectory } from './pair-directory.ts'
import type { PairState, PairStore } from './pair-store.ts'
import { answerSync, partnerLacks, type SyncAsk, type SyncLeaf, type SyncStats } from './pair-sync.ts'
import { PairWatch, type PartnerHealth } from './pair-watch.ts'
import { type Pairing, partnerIn, peerIdOf, verifyPairing } from './pairing-proof.ts'
import type { PrefixInventory } from './prefix-inventory.ts'

export interface PairingInit extends PairingOptions {
  peerId: PeerId
  /** The node's libp2p key: it signs pairing records as the peer id. */
  privateKey: PrivateKey
  registrar: ProtocolRegistrar
  streams: StreamOpener
  store: PairStore
  /** Peers connected now: partner candidates and witnesses. */
  peers(): PeerId[]
  /** This node's free bytes, lifecycle state and inventory digest, sent with every heartbeat. */
  local?: () => { freeBytes: number; state: PairLifecycle; digest?: Uint8Array }
  /**
   * Where pairing records are published and looked up (the node's DHT): this node's newest
   * pairing goes there when it forms, at start and every PAIRING_REPUBLISH_MS. None: not published.
   */
  routing?: Pick<FileRouting, 'putPairing' | 'getPairing'>
  /** This node's shard ids by prefix, answered to the partner's sync (none: the sync is refused). */
  inventory?: () => PrefixInventory
  /** What placement and pairing know of every peer; heartbeats feed it. */
  scorer?: PeerScorer
  /** A peer's network group (a partner in another group is preferred). */
  groupOf?: (peer: string) => string | undefined
  /**
   * Whether `peer` may be a partner (a partner holds a copy of everything: a node pairs with
   * peers it has standing with, not with any stranger that asks). Default every peer.
   */
  mayPair?: (peer: string) => boolean
  logger: ComponentLogger
}

export type PairHealth = 'unpaired' | PartnerHealth | 'failed' | 'isolated'

export interface PairEvents {
  /** A new pairing was signed by both sides; `previous` is the partner it replaces, if any. */
  pair: { pairing: Pairing; previous?: string }
  /** The partner was failed over (witnessed) or moved on to a newer epoch. */
  unpair: { partner: string; epoch: number; reason: 'failed' | 'replaced' }
  /** The partner's inventory digest differs from ours (at most once per SYNC_EVERY heartbeats). */
  diverged: { partner: string; epoch: number }
}

/** Heartbeats between two `diverged` events: a sync under way needs time to converge. */
const SYNC_EVERY = 25
/**
 * Sync requests asked again when refused: the partner that has not yet committed the pairing we
 * did (its acceptance is still on its way back) refuses for a moment.
 */
const SYNC_REFUSALS = 5
/** A published pairing is put again this often: DHT nodes drop a record 48 h after they took it. */
export const PAIRING_REPUBLISH_MS = 12 * 3600_000
/** A publish that failed (no DHT peer yet) is tried again after this, doubling up to a minute. */
const PUBLISH_RETRY_MS = 1000
/** How long one publish or lookup may take. */
const DHT_TIMEOUT_MS = 15_000
/** A peer whose pairing placement does not know is looked up in the DHT at most this often. */
const LOOKUP_EVERY_MS = 60_000
/** Peers whose highest pairing epoch seen is kept (the oldest forgotten first). */
const SEEN_MAX = 4096

export interface PairStatusReport {
  partner?: string
  epoch: number
  health: PairHealth
  rttMs?: number
  phi: number
  silenceMs?: number
  /**
   * Whether the partner's inventory digest, in its last heartbeat answer, equals this node's:
   * every shard on both. Absent until a heartbeat of this pair carried one.
   */
  inSync?: boolean
  /** When (ms since the epoch) the digests last agreed, with this partner at this epoch. */
  syncedAt?: number
}

export class PairingService extends EventTarget {
  readonly options: ResolvedPairingOptions
  readonly directory = new PairDirectory()
  readonly #init: PairingInit
  readonly #log: Logger
  #key: SigningKey | undefined
  #state: PairState = { epoch: 0 }
  #pairing: Pairing | undefined
  #watch: PairWatch | undefined
  #lastPartner: string | undefined
  #health: PairHealth = 'unpaired'
  #timer: ReturnType<typeof setTimeout> | undefined
  #beating = false
  #surveying = false
  #nextSyncAt = 0
  /** The last digest comparison, with the partner it was made with, and when they last agreed. */
  #sync: { partner: string; epoch: number; equal: boolean; syncedAt?: number } | undefined
  #surveyed = 0
  #judging = false
  #running = false
  #lock: Promise<unknown> = Promise.resolve()
  readonly #formation: Formation
  /** The pairing to publish next and when (undefined: published, until the republish time). */
  #publishAt = 0
  #publishFailures = 0
  #publishing = false
  /** The highest pairing epoch seen of each peer: a lower one from the DHT is a rollback. */
  readonly #seen = new Map<string, number>()
  readonly #lookedUp = new Map<string, number>()
  #lookingUp = false

  constructor(init: PairingInit) {
    super()
    this.#init = init
    this.options = resolvePairingOptions(init)
    this.#log = init.logger.forComponent('defs:pairing')
    this.#formation = new Formation(this)
  }

  get peerId(): PeerId {
    return this.#init.peerId
  }

  get init(): PairingInit {
    return this.#init
  }

  get log(): Logger {
    return this.#log
  }

  get key(): SigningKey {
    if (this.#key === undefined) throw new Error('the pairing service is not started')
    return this.#key
  }

  /** The highest epoch this node signed. */
  get epoch(): number {
    return this.#state.epoch
  }

  get pairing(): Pairing | undefined {
    return this.#pairing
  }

  partner(): PeerId | undefined {
    return this.#pairing === undefined ? undefined : partnerIn(this.#pairing, this.peerId)
  }

  /** The partner of `peer` as last heard (this node's own partner for itself). */
  partnerOf(peer: string): string | undefined {
    if (peer === this.peerId.toString()) return this.partner()?.toString()
    const known = this.directory.partnerOf(peer)
    // placement asks about peers it may never have heard a status from: the DHT may know
    if (known === undefined && !this.directory.knows(peer)) this.#lookupLater(peer)
    return known
  }

  /**
   * `peer`'s newest pairing record in the DHT, verified: both peers it names signed it, and its
   * epoch is not below one this node has seen of either (RollbackError). Undefined when the DHT
   * has none (or no routing was given). The directory learns the pair.
   */
  async lookupPairing(
    peer: PeerId | string,
    options?: { signal?: AbortSignal }
  ): Promise<Pairing | undefined> {
    const routing = this.#init.routing
    if (routing === undefined) return undefined
    const signal = options?.signal ?? AbortSignal.timeout(DHT_TIMEOUT_MS)
    const found = await routing.getPairing(peer, { signal })
    if (found === undefined) return undefined
    const [a, b] = found.peers.map(String) as [string, string]
    const seen = Math.max(this.#seen.get(a) ?? -1, this.#seen.get(b) ?? -1)
    const pairing = await verifyPairing(found.signed, 'the DHT', seen < 0 ? undefined : seen)
    this.#saw(pairing)
    const at = Date.now()
    const { epoch } = pairing.record
    // what a peer's own status said wins over the DHT's older word
    if (!this.directory.knows(a)) this.directory.heard(a, { partner: b, epoch, at })
    if (!this.directory.knows(b)) this.directory.heard(b, { partner: a, epoch, at })
    return pairing
  }

  #saw(pairing: Pairing): void {
    for (const p of pairing.peers.map(String)) {
      const before = this.#seen.get(p) ?? -1
      this.#seen.delete(p)
      this.#seen.set(p, Math.max(before, pairing.record.epoch))
      if (this.#seen.size > SEEN_MAX) this.#seen.delete(this.#seen.keys().next().value!)
    }
  }

  /** One background DHT lookup at a time, each peer at most once per LOOKUP_EVERY_MS. */
  #lookupLater(peer: string): void {
    if (this.#init.routing === undefined || this.#lookingUp || !this.#running) return
    const now = Date.now()
    if (now - (this.#lookedUp.get(peer) ?? 0) < LOOKUP_EVERY_MS) return
    this.#lookedUp.delete(peer)
    this.#lookedUp.set(peer, now)
    if (this.#lookedUp.size > SEEN_MAX) this.#lookedUp.delete(this.#lookedUp.keys().next().value!)
    this.#lookingUp = true
    void this.lookupPairing(peer)
      .catch((err) => this.#log('no pairing of %s from the DHT: %s', peer, (err as Error).message))
      .finally(() => {
        this.#lookingUp = false
      })
  }

  /** Puts this node's pairing in the DHT when due (never more than one put in flight). */
  async #publish(now = Date.now()): Promise<void> {
    const routing = this.#init.routing
    const pairing = this.#pairing
    if (routing === undefined || pairing === undefined || this.#publishing || now < this.#publishAt) return
    this.#publishing = true
    try {
      await routing.putPairing(pairing.signed, { signal: AbortSignal.timeout(DHT_TIMEOUT_MS) })
      this.#publishFailures = 0
      if (this.#pairing === pairing) this.#publishAt = Date.now() + PAIRING_REPUBLISH_MS
      this.#log(
        'published the pairing with %p at epoch %d',
        partnerIn(pairing, this.peerId),
        pairing.record.epoch
      )
    } catch (err) {
      this.#publishFailures++
      const wait = Math.min(PUBLISH_RETRY_MS * 2 ** (this.#publishFailures - 1), 60_000)
      if (this.#pairing === pairing) this.#publishAt = Date.now() + wait
      this.#log('publishing the pairing failed (again in %d ms): %s', wait, (err as Error).message)
    } finally {
      this.#publishing = false
    }
  }

  status(now = Date.now()): PairStatusReport {
    const partner = this.partner()?.toString()
    return {
      ...(partner !== undefined ? { partner } : {}),
      epoch: this.#state.epoch,
      health: this.#health,
      ...(this.#watch?.rtt !== undefined ? { rttMs: this.#watch.rtt } : {}),
      phi: this.#watch?.phi(now) ?? 0,
      ...(this.#watch !== undefined ? { silenceMs: this.#watch.silence(now) } : {}),
      ...(this.#sync !== undefined && this.#sync.partner === partner && this.#sync.epoch === this.#state.epoch
        ? {
            inSync: this.#sync.equal,
            ...(this.#sync.syncedAt !== undefined ? { syncedAt: this.#sync.syncedAt } : {})
          }
        : {})
    }
  }

  async start(): Promise<void> {
    this.#key = await signingKeyOf(this.#init.privateKey)
    const saved = await this.#init.store.load()
    if (saved !== undefined) {
      this.#state = saved
      if (saved.pairing !== undefined) {
        // our own saved record: its epoch is ours, so no rollback check against it
        this.#install(await verifyPairing(saved.pairing, 'own store'))
      }
    }
    await handleRequests(this.#init.registrar, PAIR_PROTOCOL, (req, peer) => this.#answer(req, peer), {
      maxRequestBytes: limits.maxBytes.pairMessage,
      timeoutMs: this.#answerTimeout(),
      log: this.#log
    })
    this.#running = true
    this.#schedule()
  }

  async stop(): Promise<void> {
    this.#running = false
    clearTimeout(this.#timer)
    await this.#init.registrar.unhandle(PAIR_PROTOCOL)
    await this.#lock.catch(() => {})
  }

  /** Pair with `peer` now (an operator's choice); throws PairingRefusedError if it says no. */
  async pairWith(peer: PeerId): Promise<Pairing> {
    return await this.#formation.propose(peer)
  }

  /**
   * How long answering one request may take: a probe asks the probed peer in turn (within two
   * heartbeat intervals), so a witness of a dead peer still answers "unreachable" in time.
   */
  #answerTimeout(): number {
    return this.#reachTimeout() + Math.max(this.options.heartbeatInterval, 1000)
  }

  #reachTimeout(): number {
    return Math.max(2 * this.options.heartbeatInterval, 1000)
  }

  /** One request to `peer` on the pair protocol, answered within `timeoutMs`. */
  async ask(
    peer: PeerId,
    request: PairRequest,
    timeoutMs = 2 * this.options.heartbeatInterval
  ): Promise<PairResponse> {
    const answer = await sendRequest(this.#init.streams, peer, PAIR_PROTOCOL, encodePairRequest(request), {
      maxResponseBytes: limits.maxBytes.pairMessage,
      timeoutMs: Math.max(timeoutMs, 500)
    })
    const response = decodePairResponse(answer)
    if (response.kind === 'status') this.#heard(peer, response.status)
    return response
  }

  /**
   * Our ids that `partner` lacks, leaf by leaf in sorted order after `after` (pair-sync.ts); a
   * PairSyncError when its answers are out of bounds, PairingRefusedError when it keeps refusing.
   */
  lacking(
    partner: PeerId,
    epoch: number,
    local: PrefixInventory,
    after = '',
    stats?: SyncStats,
    signal?: AbortSignal
  ): AsyncGenerator<SyncLeaf> {
    const timeoutMs = Math.max(5000, 4 * this.options.heartbeatInterval)
    const ask: SyncAsk = async (request) => {
      for (let attempt = 1; ; attempt++) {
        signal?.throwIfAborted()
        const res = await this.ask(partner, request, timeoutMs)
        if (res.kind !== 'refuse' || attempt >= SYNC_REFUSALS) return res
        await new Promise((resolve) => setTimeout(resolve, this.options.heartbeatInterval))
      }
    }
    return partnerLacks(ask, partner.toString(), epoch, local, after, stats)
  }

  /** This node's status as it sends it. */
  ownStatus(): PairStatus {
    const local = this.#init.local?.() ?? { freeBytes: 0, state: 'running' as const }
    const partner = this.partner()
    return {
      epoch: this.#state.epoch,
      ...(partner !== undefined ? { partner: partner.toMultihash().bytes } : {}),
      freeBytes: local.freeBytes,
      state: local.state,
      ...(local.digest !== undefined ? { digest: local.digest } : {})
    }
  }

  /** Runs `fn` alone among the state changes (formation, acceptance, failover). */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn, fn)
    this.#lock = run.catch(() => {})
    return run
  }

  /** Persist `state` (and then adopt the pairing in it); call inside `serial`. */
  async commit(state: PairState, pairing?: Pairing): Promise<void> {
    await this.#init.store.save(state)
    this.#state = state
    if (pairing !== undefined) {
      const previous = this.#lastPartner
      this.#install(pairing)
      const detail: PairEvents['pair'] = {
        pairing,
        ...(previous !== undefined && previous !== this.partner()?.toString() ? { previous } : {})
      }
      this.dispatchEvent(new CustomEvent('pair', { detail }))
    }
  }

  #install(pairing: Pairing): void {
    this.#pairing = pairing
    this.#saw(pairing)
    // a new pairing (or the saved one at start) is published at the next tick
    this.#publishAt = 0
    this.#publishFailures = 0
    this.#lastPartner = partnerIn(pairing, this.peerId).toString()
    this.#watch = new PairWatch(this.options, Date.now())
    this.#health = 'alive'
  }

  async #drop(reason: 'failed' | 'replaced'): Promise<void> {
    await this.serial(async () => {
      const pairing = this.#pairing
      if (pairing === undefined) return
      const { pairing: _, ...rest } = this.#state
      await this.#init.store.save(rest)
      this.#state = rest
      this.#pairing = undefined
      this.#watch = undefined
      this.#health = 'unpaired'
      const partner = partnerIn(pairing, this.peerId).toString()
      this.#log('unpaired from %s (%s) at epoch %d', partner, reason, pairing.record.epoch)
      const detail: PairEvents['unpair'] = { partner, epoch: pairing.record.epoch, reason }
      this.dispatchEvent(new CustomEvent('unpair', { detail }))
    })
  }

  #schedule(): void {
    if (!this.#running) return
    this.#timer = setTimeout(() => {
      this.#tick()
        .catch((err) => this.#log.error('pairing tick failed: %e', err))
        .finally(() => this.#schedule())
    }, this.options.heartbeatInterval)
  }

  async #tick(): Promise<void> {
    if (!this.#surveying) void this.#survey()
    void this.#publish()
    if (this.#pairing === undefined) {
      if (this.options.autoPair) await this.#formation.tryOnce()
      return
    }
    if (!this.#beating) void this.#beat()
    const now = Date.now()
    const health = this.#watch!.health(now)
    if (health === 'overdue') {
      await this.#overdue(now)
      return
    }
    if (health !== 'silent') {
      this.#health = health
      return
    }
    if (!this.#judging) {
      this.#judging = true
      void this.#judge().finally(() => {
        this.#judging = false
      })
    }
  }

  async #beat(): Promise<void> {
    const partner = this.partner()
    const pairing = this.#pairing
    if (partner === undefined || pairing === undefined) return
    this.#beating = true
    const sent = Date.now()
    try {
      const res = await this.ask(partner, { kind: 'heartbeat', status: this.ownStatus() })
      if (res.kind !== 'status' || this.#pairing !== pairing) return
      const now = Date.now()
      this.#watch?.answered(now, now - sent)
      this.#init.scorer?.observe(partner.toString(), {
        rttMs: now - sent,
        heartbeat: 'ok',
        freeBytes: res.status.freeBytes
      })
      if (res.status.epoch > pairing.record.epoch) {
        await this.#drop('replaced')
        return
      }
      // a partner in maintenance takes no shards: the sync waits until it runs again
      if (res.status.state === 'running')
        this.#compareDigests(res.status.digest, pairing, partner.toString(), now)
    } catch (err) {
      this.#log('heartbeat to %p failed: %s', partner, (err as Error).message)
    } finally {
      this.#beating = false
    }
  }

  #compareDigests(theirs: Uint8Array | undefined, pairing: Pairing, partner: string, now: number): void {
    const ours = this.#init.local?.().digest
    if (theirs === undefined || ours === undefined) return
    const equal = equalBytes(theirs, ours)
    const epoch = pairing.record.epoch
    const same = this.#sync?.partner === partner && this.#sync.epoch === epoch
    const syncedAt = equal ? now : same ? this.#sync?.syncedAt : undefined
    this.#sync = { partner, epoch, equal, ...(syncedAt !== undefined ? { syncedAt } : {}) }
    if (equal || now < this.#nextSyncAt) return
    this.#nextSyncAt = now + SYNC_EVERY * this.options.heartbeatInterval
    const detail: PairEvents['diverged'] = { partner, epoch: pairing.record.epoch }
    this.dispatchEvent(new CustomEvent('diverged', { detail }))
  }

  /**
   * One status exchange per tick with the next connected peer in turn (never more than one in
   * flight), so the directory learns every peer's pair in as many ticks as there are peers.
   */
  async #survey(): Promise<void> {
    const peers = this.#init.peers()
    if (peers.length === 0) return
    const peer = peers[this.#surveyed++ % peers.length]!
    this.#surveying = true
    try {
      await this.ask(peer, { kind: 'heartbeat', status: this.ownStatus() })
    } catch {
      this.directory.forget(peer.toString())
    } finally {
      this.#surveying = false
    }
  }

  /**
   * The partner has been in maintenance longer than pairMaintenanceMax and still says so: it takes
   * no shards (by its own word, so no witness can add to it) and the pair has one copy of what
   * arrives meanwhile. Failed over, as a silent partner would be.
   */
  async #overdue(now: number): Promise<void> {
    const partner = this.partner()
    this.#health = 'failed'
    this.#log(
      'partner %p in maintenance for %d ms, beyond pairMaintenanceMax (%d): failed over',
      partner,
      this.#watch!.maintenance(now),
      this.options.pairMaintenanceMax
    )
    await this.#drop('failed')
  }

  /** Witnesses first: a partner some peer still reaches is not failed over (a partition between us). */
  async #judge(): Promise<void> {
    const partner = this.partner()
    if (partner === undefined) return
    const others = this.#init.peers().filter((p) => !p.equals(partner) && !p.equals(this.peerId))
    const asked = others.slice(0, this.options.witnesses * 2)
    const answers = await Promise.all(
      asked.map(async (w) => {
        try {
          const res = await this.ask(
            w,
            { kind: 'probe', peer: partner.toMultihash().bytes },
            this.#answerTimeout() + 500
          )
          return res.kind === 'reach' ? res.reachable : undefined
        } catch {
          return undefined
        }
      })
    )
    const reach = answers.filter((a) => a === true).length
    const unreachable = answers.filter((a) => a === false).length
    if (this.partner() === undefined || !this.partner()!.equals(partner)) return
    if (this.#watch!.health(Date.now()) !== 'silent') return
    if (reach > 0) {
      this.#health = 'suspect'
      this.#log('partner %p silent but %d peers reach it: not failed over', partner, reach)
      return
    }
    if (unreachable < this.options.witnesses) {
      this.#health = 'isolated'
      this.#log(
        'partner %p silent and only %d of %d witnesses answered: suspecting ourselves',
        partner,
        unreachable,
        this.options.witnesses
      )
      return
    }
    this.#health = 'failed'
    this.#log('partner %p failed: silent and unreachable from %d peers', partner, unreachable)
    await this.#drop('failed')
  }

  #heard(peer: PeerId, status: PairStatus): void {
    if (this.partner()?.equals(peer) === true) this.#watch?.reported(Date.now(), status.state)
    const partner = status.partner === undefined ? undefined : peerIdFromBytesOrUndefined(status.partner)
    this.directory.heard(peer.toString(), {
      ...(partner !== undefined ? { partner } : {}),
      epoch: status.epoch,
      at: Date.now()
    })
  }

  async #answer(request: Uint8Array, peer: PeerId): Promise<Uint8Array> {
    const req = decodePairRequest(request) // DecodeError: reported as misbehaviour by the kit
    switch (req.kind) {
      case 'heartbeat':
        this.#heard(peer, req.status)
        return encodePairResponse({ kind: 'status', status: this.ownStatus() })
      case 'probe':
        return encodePairResponse({ kind: 'reach', reachable: await this.#reaches(req.peer) })
      case 'propose':
        return encodePairResponse(await this.#formation.answer(req.offer, peer))
      case 'buckets':
      case 'list': {
        // our inventory is the partner's business only, at the pairing it asks for
        const epoch = this.#pairing?.record.epoch
        if (this.partner()?.equals(peer) !== true || epoch !== req.epoch)
          return encodePairResponse({
            kind: 'refuse',
            reason: `not paired with ${peer} at epoch ${req.epoch}`
          })
        const local = this.#init.inventory?.()
        if (local === undefined) return encodePairResponse({ kind: 'refuse', reason: 'no inventory to sync' })
        return encodePairResponse(answerSync(req, local))
      }
    }
  }

  async #reaches(bytes: Uint8Array): Promise<boolean> {
    const target = peerIdFromBytesOrUndefined(bytes)
    if (target === undefined) throw new DecodeError('probe names no valid peer id')
    if (target === this.peerId.toString()) return true
    try {
      // "unreachable" fails a node over: give the probed peer more than a heartbeat's time
      const res = await this.ask(
        peerIdFromString(target),
        { kind: 'heartbeat', status: this.ownStatus() },
        this.#reachTimeout()
      )
      return res.kind === 'status'
    } catch {
      return false
    }
  }
}

function peerIdFromBytesOrUndefined(bytes: Uint8Array): string | undefined {
  try {
    return peerIdOf(bytes).toString()
  } catch {
    return undefined
  }
}
