// Forming a pair. An unpaired node picks a candidate with the scorer (another network group
// preferred, random within the best tier), learns its status, and offers a record one epoch above
// both of theirs, signed by itself; the candidate countersigns if it is unpaired, running (not in
// maintenance), not proposing to someone else, and the epoch is above every epoch it signed. The epoch is saved before the
// offer leaves, so a node never signs two records of one epoch, even across a crash. Races settle:
// two nodes proposing to each other at once keep the offer of the lower peer id; any other
// refusal backs off (doubling, jittered) and tries again, another candidate first.
import { type Envelope, equalBytes, type PairResponse, sign } from '@defs/segment'
import type { PeerId } from '@libp2p/interface'
import { PairingRefusedError } from './errors.ts'
import { offerPairing, type Pairing, partnerIn, verifyOffer, verifyPairing } from './pairing-proof.ts'
import type { PairingService } from './pairing-service.ts'

/** Backoff stops doubling at this many times the base. */
const MAX_BACKOFF_FACTOR = 32
/** Offers made to one peer in one proposal when only the epoch was refused. */
const EPOCH_ATTEMPTS = 3
/** How a refusal for the epoch alone starts (the one refusal a proposer answers by itself). */
const EPOCH_REFUSAL = 'epoch'

class EpochTooLowError extends PairingRefusedError {
  static override name = 'PairingRefusedError'
}

export class Formation {
  readonly #s: PairingService
  #proposingTo: PeerId | undefined
  #failures = 0
  #epochBeforeOffer = 0
  #notBefore = 0
  /** Peers that refused lately, tried again only after the others. */
  readonly #refused = new Map<string, number>()

  constructor(service: PairingService) {
    this.#s = service
  }

  /** One formation attempt, when the backoff allows; failures only lengthen the backoff. */
  async tryOnce(now = Date.now()): Promise<void> {
    if (now < this.#notBefore || this.#proposingTo !== undefined || !this.#running()) return
    const candidate = this.#pick()
    if (candidate === undefined) return
    try {
      await this.propose(candidate)
      this.#failures = 0
      this.#refused.clear()
    } catch (err) {
      this.#refused.set(candidate.toString(), Date.now())
      this.#failures++
      const factor = Math.min(2 ** (this.#failures - 1), MAX_BACKOFF_FACTOR)
      const jitter = 0.5 + Math.random()
      this.#notBefore = Date.now() + this.#s.options.formationBackoff * factor * jitter
      this.#s.log('pairing with %p failed: %s', candidate, (err as Error).message)
    }
  }

  /** Offer `peer` a pairing and wait for its countersignature. */
  async propose(peer: PeerId): Promise<Pairing> {
    const s = this.#s
    if (peer.equals(s.peerId)) throw new RangeError('a node cannot pair with itself')
    if (this.#proposingTo !== undefined) {
      throw new PairingRefusedError(peer.toString(), `already proposing to ${this.#proposingTo}`)
    }
    this.#proposingTo = peer
    try {
      // An offer refused for its epoch alone (the peer reserved one for an offer of its own
      // meanwhile) is made again above the peer's new epoch.
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.#offer(peer)
        } catch (err) {
          if (!(err instanceof EpochTooLowError) || attempt >= EPOCH_ATTEMPTS) throw err
        }
      }
    } finally {
      this.#proposingTo = undefined
    }
  }

  async #offer(peer: PeerId): Promise<Pairing> {
    const s = this.#s
    const status = await s.ask(peer, { kind: 'heartbeat', status: s.ownStatus() })
    if (status.kind !== 'status') throw new PairingRefusedError(peer.toString(), `answered ${status.kind}`)
    const theirs = status.status
    if (theirs.partner !== undefined && !equalBytes(theirs.partner, s.peerId.toMultihash().bytes)) {
      throw new PairingRefusedError(peer.toString(), 'has a partner')
    }
    const offer = await s.serial(async () => {
      if (s.pairing !== undefined)
        throw new PairingRefusedError(peer.toString(), `we paired with ${s.partner()} meanwhile`)
      this.#epochBeforeOffer = s.epoch
      const epoch = Math.max(s.epoch, theirs.epoch) + 1
      await s.commit({ epoch })
      return await offerPairing(s.key, s.peerId, peer, epoch)
    })
    const res = await s.ask(peer, { kind: 'propose', offer }, 4 * s.options.heartbeatInterval)
    if (res.kind === 'refuse') {
      if (res.reason.startsWith(EPOCH_REFUSAL)) throw new EpochTooLowError(peer.toString(), res.reason)
      throw new PairingRefusedError(peer.toString(), res.reason)
    }
    if (res.kind !== 'accept') throw new PairingRefusedError(peer.toString(), `answered ${res.kind}`)
    const pairing = await verifyPairing({ envelopes: [offer, res.envelope] }, peer.toString())
    return await s.serial(async () => {
      if (s.pairing !== undefined) {
        // accepted someone's offer while ours was out; ours loses (the peer sees our status)
        throw new PairingRefusedError(peer.toString(), `we paired with ${s.partner()} meanwhile`)
      }
      await s.commit({ epoch: Math.max(s.epoch, pairing.record.epoch), pairing: pairing.signed }, pairing)
      s.log('paired with %p at epoch %d', peer, pairing.record.epoch)
      return pairing
    })
  }

  /** The answer to `from`'s offer. */
  async answer(offer: Envelope<'pairing'>, from: PeerId): Promise<PairResponse> {
    const s = this.#s
    const record = await verifyOffer(offer, from, s.peerId)
    if (s.init.mayPair?.(from.toString()) === false) return refuse('this node pairs only with peers it knows')
    if (!this.#running()) return refuse(`this node is ${s.ownStatus().state}: it pairs only when running`)
    return await s.serial(async () => {
      const current = s.pairing
      if (current !== undefined) {
        // the same offer again (its answer was lost): the same countersignature
        if (current.signed.envelopes.some((e) => equalBytes(e.payload, offer.payload))) {
          return { kind: 'accept', envelope: ownEnvelope(current, offer) }
        }
        return refuse(`paired with ${partnerIn(current, s.peerId)} at epoch ${current.record.epoch}`)
      }
      const proposing = this.#proposingTo
      const tieWon = proposing?.equals(from) === true && from.toString() < s.peerId.toString()
      if (proposing !== undefined && !tieWon) return refuse(`proposing to ${proposing}`)
      // Losing the race, our epoch was reserved for an offer the other side refuses: above the
      // epoch before that reservation is enough.
      const floor = tieWon ? this.#epochBeforeOffer : s.epoch
      if (record.epoch <= floor) {
        return refuse(`${EPOCH_REFUSAL} ${record.epoch} is not above ${floor}, the highest this node signed`)
      }
      const envelope = await sign('pairing', record, s.key)
      const pairing = await verifyPairing({ envelopes: [offer, envelope] }, from.toString())
      await s.commit({ epoch: record.epoch, pairing: pairing.signed }, pairing)
      s.log('paired with %p at epoch %d (their offer)', from, record.epoch)
      return { kind: 'accept', envelope }
    })
  }

  /** A node in maintenance (or stopping) forms no pair: its new partner's migration would wait for it. */
  #running(): boolean {
    return (this.#s.init.local?.().state ?? 'running') === 'running'
  }

  /** A connected peer to propose to: unpaired as far as we know, another network group preferred. */
  #pick(): PeerId | undefined {
    const s = this.#s
    const { scorer, groupOf } = s.init
    const mayPair = s.init.mayPair ?? (() => true)
    const peers = s.init
      .peers()
      .filter((p) => !p.equals(s.peerId) && s.partnerOf(p.toString()) === undefined && mayPair(p.toString()))
    if (peers.length === 0) return undefined
    const byId = new Map(peers.map((p) => [p.toString(), p]))
    const fresh = [...byId.keys()].filter((id) => !this.#refused.has(id))
    const pool = fresh.length > 0 ? fresh : [...byId.keys()]
    if (scorer === undefined) return byId.get(pool[Math.floor(Math.random() * pool.length)]!)
    for (const id of pool) {
      if (!scorer.has(id)) scorer.observe(id, {})
      const group = groupOf?.(id)
      if (group !== undefined && scorer.group(id) !== group) scorer.observe(id, { group })
    }
    const own = groupOf?.(s.peerId.toString())
    const elsewhere = own === undefined ? [] : pool.filter((id) => scorer.group(id) !== own)
    const from = new Set(elsewhere.length > 0 ? elsewhere : pool)
    const [id] = scorer.select(1, { filter: (x) => from.has(x), diversity: 'group' })
    return id === undefined ? undefined : byId.get(id)
  }
}

function refuse(reason: string): PairResponse {
  return { kind: 'refuse', reason }
}

/** Our own envelope in a pairing that `offer` (the other side's) is part of. */
function ownEnvelope(pairing: Pairing, offer: Envelope<'pairing'>): Envelope<'pairing'> {
  const [a, b] = pairing.signed.envelopes
  return equalBytes(a.signature, offer.signature) ? b : a
}
