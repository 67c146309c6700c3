// What the serving side of the shard protocol shares between its request kinds (put, reads,
// delete): the store, the caps and budgets, and how a peer is reported or banned.
import type { ShardStatus, ShardUploader } from '@defs/segment'
import type { Connection, Logger, PeerId } from '@libp2p/interface'
import type { ByteBudget } from './byte-budget.ts'
import type { PeerLimitError } from './errors.ts'
import type { Misbehavior } from './misbehavior.ts'
import type { PeerBudget } from './peer-budget.ts'
import type { ReplayGuard } from './replay-guard.ts'
import type { ShardLimits } from './shard-limits.ts'
import type { ShardStore } from './shard-store.ts'
import type { StorageAdmission } from './storage-admission.ts'

/** A well-formed request the server declines; becomes an `error` response. */
export class Refusal extends Error {
  override name = 'Refusal'
  readonly status: ShardStatus
  constructor(status: ShardStatus, message: string) {
    super(message)
    this.status = status
  }
}

export interface ServeContext {
  store: ShardStore
  limits: ShardLimits
  /** Per peer: streams open, bytes in flight. */
  budget: PeerBudget
  /** All peers: bytes held in memory. */
  memory: ByteBudget
  /** All strangers together: their part of `memory`. */
  strangerMemory: ByteBudget
  /** The peer has no standing here (its requests draw on `strangerMemory` too). */
  isStranger(peer: PeerId): boolean
  admission: StorageAdmission
  replay: ReplayGuard
  /** This node's peer id (binary): the recipient a delete must name. */
  self: Uint8Array
  /** When the server started: deletes signed before are refused (their nonces were not kept). */
  startedAt: number
  accepting: () => boolean
  /** Who a put from `peer` over `connection` is recorded as stored by. */
  uploaderOf(peer: PeerId, connection: Connection): ShardUploader
  /** Report a protocol fault (the score drops). */
  misbehaved(peer: PeerId, reason: Misbehavior, detail: string): void
  /** Report a broken cap, ban the peer, and return the error to reset its stream with. */
  breach(peer: PeerId, reason: Misbehavior, detail: string): PeerLimitError
  /** A shard of ours that no longer matches its CRC32C (rot on our disk). */
  corrupt(id: Uint8Array, detail: string): void
  log: Logger
}
