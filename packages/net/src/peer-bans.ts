// Peers that broke a cap are disconnected and refused for a while: the connection gater denies
// them at the handshake (inbound and outbound), so a ban costs them a new identity, not a reconnect.
// Scoring (the misbehaviour hook) still happens; the ban is what stops the traffic now.
import type { ConnectionGater, PeerId } from '@libp2p/interface'

export interface PeerBansOptions {
  /** How long a ban lasts. Default 10 minutes. */
  banMs?: number
  /** Bans kept at most; past it the one nearest its end is dropped. Default 100 000. */
  maxBans?: number
  now?: () => number
}

export interface Ban {
  peer: string
  until: number
  reason: string
}

export class PeerBans {
  readonly banMs: number
  private readonly maxBans: number
  private readonly now: () => number
  private readonly bans = new Map<string, Ban>()
  private readonly disconnects: ((peer: PeerId) => Promise<void>)[] = []

  constructor(options: PeerBansOptions = {}) {
    this.banMs = options.banMs ?? 600_000
    this.maxBans = options.maxBans ?? 100_000
    this.now = options.now ?? Date.now
    if (!(Number.isFinite(this.banMs) && this.banMs > 0))
      throw new RangeError(`banMs must be a positive finite number, got ${this.banMs}`)
  }

  /** Refuse `peer` for `banMs` and close its connections. */
  ban(peer: PeerId, reason: string): void {
    const key = peer.toString()
    if (!this.bans.has(key) && this.bans.size >= this.maxBans) {
      // Map order is ban order, and every ban lasts as long: the first one ends first
      this.bans.delete(this.bans.keys().next().value!)
    }
    this.bans.delete(key)
    this.bans.set(key, { peer: key, until: this.now() + this.banMs, reason })
    for (const disconnect of this.disconnects) void disconnect(peer).catch(() => {})
  }

  isBanned(peer: PeerId | string): boolean {
    const key = peer.toString()
    const ban = this.bans.get(key)
    if (ban === undefined) return false
    if (ban.until > this.now()) return true
    this.bans.delete(key)
    return false
  }

  /** Bans in force now. */
  list(): Ban[] {
    const now = this.now()
    return [...this.bans.values()].filter((b) => b.until > now)
  }

  /** Called with each banned peer (the host closes its connections). */
  onBan(disconnect: (peer: PeerId) => Promise<void>): void {
    this.disconnects.push(disconnect)
  }

  /** The libp2p connection gater that refuses banned peers. */
  readonly gater: ConnectionGater = {
    denyDialPeer: (peer) => this.isBanned(peer),
    denyInboundEncryptedConnection: (peer) => this.isBanned(peer),
    denyOutboundEncryptedConnection: (peer) => this.isBanned(peer),
    denyInboundUpgradedConnection: (peer) => this.isBanned(peer)
  }
}
