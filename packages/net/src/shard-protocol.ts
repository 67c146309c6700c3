// `/defs/shard/1.0.0` as a libp2p service: `shardProtocol(init)` serves shards from `init.store`
// (when given) and asks other peers through the same object (`host.services.shards.get(...)`).
import { networkGroupOf } from '@defs/kbucket'
import type { AuditChallenge, Envelope, ShardHeader } from '@defs/segment'
import { SHARD_PROTOCOL } from '@defs/segment'
import type { AbortOptions, Logger, PeerId, Startable } from '@libp2p/interface'
import type { ServiceComponents } from './components.ts'
import type { MisbehaviorHook } from './misbehavior.ts'
import { PeerBans } from './peer-bans.ts'
import { type GetOptions, type PutOptions, type ShardApi, ShardClient } from './shard-client.ts'
import { resolveShardLimits, type ShardLimits } from './shard-limits.ts'
import { ShardServer, type ShardsHeld } from './shard-server.ts'
import type { ShardStore } from './shard-store.ts'
import type { Standing, StandingOf } from './storage-admission.ts'

export interface ShardProtocolInit {
  /** The shards this node serves. Without one the node only asks (it registers no handler). */
  store?: ShardStore
  limits?: Partial<ShardLimits>
  /**
   * How far each peer is trusted to store here (`trusted`, `known`, `stranger`): strangers are held
   * to `limits.stranger*`, trusted peers are never banned. Default: every peer is a stranger.
   */
  standing?: StandingOf
  /** The network group of a remote address, for the per-group quota. Default @defs/kbucket's networkGroupOf. */
  groupOf?: (address: string) => string | undefined
  /** False while in maintenance: new puts are refused (503). */
  accepting?: () => boolean
  /** Told when a peer breaks a cap or the protocol, to lower its score. */
  onPeerMisbehaved?: MisbehaviorHook
  /** Told when a shard of ours no longer matches its CRC32C (rot): the node may repair or drop it. */
  onCorruptShard?: (id: Uint8Array, detail: string) => void
  /** Bytes this node can still store, told to askers in `has` and `ok` answers; none: not told. */
  freeBytes?: () => number
  /** Told the free bytes a peer's `has` or `ok` answer claims (its claim: cap it before use). */
  onPeerFreeBytes?: (peer: PeerId, freeBytes: number) => void
  /** Where bans are kept (createHost passes the host's, which its connection gater reads). */
  bans?: PeerBans
  /** Serve and ask over relayed connections (their data cap is small). Default false. */
  runOnLimitedConnection?: boolean
}

export type ShardProtocolComponents = Pick<
  ServiceComponents,
  'peerId' | 'registrar' | 'connectionManager' | 'logger'
>

const everyoneAStranger = (): Standing => 'stranger'

export class ShardProtocol implements ShardApi, Startable {
  readonly limits: ShardLimits
  private readonly components: ShardProtocolComponents
  private readonly init: ShardProtocolInit
  private readonly client: ShardClient
  private readonly server?: ShardServer
  readonly bans: PeerBans
  private readonly log: Logger
  private started = false

  constructor(components: ShardProtocolComponents, init: ShardProtocolInit = {}) {
    this.components = components
    this.init = init
    this.limits = resolveShardLimits(init.limits)
    this.log = components.logger.forComponent('defs:net:shard')
    this.bans = init.bans ?? new PeerBans()
    this.client = new ShardClient({
      opener: components.connectionManager,
      limits: this.limits,
      onPeerMisbehaved: init.onPeerMisbehaved,
      onPeerFreeBytes: init.onPeerFreeBytes,
      runOnLimitedConnection: init.runOnLimitedConnection
    })
    if (init.store !== undefined) {
      this.server = new ShardServer({
        store: init.store,
        limits: this.limits,
        self: components.peerId,
        bans: this.bans,
        standing: init.standing ?? everyoneAStranger,
        groupOf: init.groupOf ?? networkGroupOf,
        accepting: init.accepting,
        onPeerMisbehaved: init.onPeerMisbehaved,
        onCorruptShard: init.onCorruptShard,
        freeBytes: init.freeBytes,
        log: this.log
      })
    }
  }

  readonly [Symbol.toStringTag] = '@defs/net/shard-protocol'

  async start(): Promise<void> {
    if (this.server !== undefined) {
      await this.components.registrar.handle(SHARD_PROTOCOL, this.server.handle, {
        // one more than our own cap so the excess stream reaches our handler and is counted there
        maxInboundStreams: this.limits.maxStreamsPerPeer + 1,
        maxOutboundStreams: this.limits.clientStreamsPerPeer,
        runOnLimitedConnection: this.init.runOnLimitedConnection ?? false
      })
    }
    this.started = true
  }

  async stop(): Promise<void> {
    if (this.server !== undefined) await this.components.registrar.unhandle(SHARD_PROTOCOL)
    this.started = false
  }

  isStarted(): boolean {
    return this.started
  }

  /** Whether this node serves shards (it was given a store). */
  get serving(): boolean {
    return this.server !== undefined
  }

  /** Streams and bytes `peer` holds of our per-peer budget now (0 when not serving). */
  inUse(peer: PeerId): { streams: number; bytes: number } {
    return this.server?.inUse(peer) ?? { streams: 0, bytes: 0 }
  }

  /** Shard bytes in memory now (all peers, strangers), and stored bytes reserved by puts under way. */
  held(): ShardsHeld {
    return this.server?.held() ?? { memory: 0, strangerMemory: 0, reserved: 0 }
  }

  put(peer: PeerId, header: ShardHeader, bytes: Uint8Array, options?: PutOptions): Promise<Uint8Array> {
    return this.client.put(peer, header, bytes, options)
  }

  get(peer: PeerId, id: Uint8Array, options?: GetOptions): Promise<Uint8Array> {
    return this.client.get(peer, id, options)
  }

  has(peer: PeerId, ids: Uint8Array[], options?: AbortOptions): Promise<boolean[]> {
    return this.client.has(peer, ids, options)
  }

  delete(peer: PeerId, request: Envelope<'delete'>, options?: AbortOptions): Promise<void> {
    return this.client.delete(peer, request, options)
  }

  audit(peer: PeerId, challenge: AuditChallenge, options?: AbortOptions): Promise<Uint8Array> {
    return this.client.audit(peer, challenge, options)
  }
}

/** The libp2p service factory: `services: { shards: shardProtocol({ store }) }`. */
export function shardProtocol(
  init: ShardProtocolInit = {}
): (components: ShardProtocolComponents) => ShardProtocol {
  return (components) => new ShardProtocol(components, init)
}
