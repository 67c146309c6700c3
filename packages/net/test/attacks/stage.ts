// The scene of every attack: a holder (a real host serving a real store), an honest client it
// knows, and strangers, each a host of its own with its own keys, all on loopback. Everything a
// stage starts it stops, also when a test fails.
import assert from 'node:assert/strict'
import { randomBytes } from '@defs/crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createHost, type Host } from '../../src/host.ts'
import type { HostLimits, HostOptions } from '../../src/host-options.ts'
import { MemoryShardStore } from '../../src/memory-shard-store.ts'
import type { Misbehavior } from '../../src/misbehavior.ts'
import type { ShardLimits } from '../../src/shard-limits.ts'
import type { ShardProtocolInit } from '../../src/shard-protocol.ts'
import type { Standing } from '../../src/storage-admission.ts'
import { makeShard } from '../fixtures.ts'
import { testHostOptions } from '../network.ts'

/** Strangers here all come from 127.0.0.1: the holder counts them as one network group, as it would a /24. */
export const LOOPBACK_GROUP = 'ip4:127.0.0.0/24'

export interface StageOptions {
  limits?: Partial<ShardLimits>
  hostLimits?: Partial<HostLimits>
  /** The holder's store (to restart a holder on the same one). */
  store?: MemoryShardStore
  holderKey?: PrivateKey
  /** More of the holder's shard init (hooks). */
  shards?: Partial<ShardProtocolInit>
  /** The honest client's own shard limits (its caps stay below the holder's). */
  honestLimits?: Partial<ShardLimits>
  trusted?: boolean
}

export interface Report {
  peer: string
  reason: Misbehavior
}

export class Stage {
  readonly hosts: Host[] = []
  readonly reports: Report[] = []
  holder!: Host
  honest!: Host
  store!: MemoryShardStore
  holderKey!: PrivateKey
  private honestId!: PeerId
  private options!: StageOptions

  static async open(options: StageOptions = {}): Promise<Stage> {
    const stage = new Stage()
    try {
      await stage.start(options)
      return stage
    } catch (err) {
      await stage.stop()
      throw err
    }
  }

  private async start(options: StageOptions): Promise<void> {
    this.options = options
    const honestKey = await generateKeyPair('Ed25519')
    this.honestId = peerIdFromPrivateKey(honestKey)
    this.store = options.store ?? new MemoryShardStore()
    this.holderKey = options.holderKey ?? (await generateKeyPair('Ed25519'))
    this.holder = await this.startHolder()
    this.honest = await this.host({ privateKey: honestKey, shards: { limits: options.honestLimits ?? {} } })
    await this.honest.dial(this.holder.getMultiaddrs()[0]!)
  }

  /** A holder on the stage's store and key (again, after `restartHolder`). */
  private async startHolder(): Promise<Host> {
    const { limits = {}, shards = {}, hostLimits = {} } = this.options
    const standing = (peer: PeerId): Standing =>
      peer.equals(this.honestId) ? (this.options.trusted === true ? 'trusted' : 'known') : 'stranger'
    return this.host({
      privateKey: this.holderKey,
      limits: hostLimits,
      shards: {
        store: this.store,
        limits,
        standing,
        groupOf: () => LOOPBACK_GROUP,
        onPeerMisbehaved: (peer, reason) => this.reports.push({ peer: peer.toString(), reason }),
        ...shards
      }
    })
  }

  /** Stop the holder and start it again on the same store and key (a restart). */
  async restartHolder(): Promise<void> {
    await this.holder.stop()
    this.holder = await this.startHolder()
    await this.reconnect(this.honest)
  }

  /** Drop `host`'s connections to the holder (an old one may outlive a restart) and dial it afresh. */
  async reconnect(host: Host): Promise<void> {
    await host.hangUp(this.holder.peerId)
    await host.dial(this.holder.getMultiaddrs()[0]!)
  }

  /** A new stranger: its own host and keys, connected to the holder. */
  async stranger(extra: HostOptions = {}): Promise<Host> {
    const host = await this.host(extra)
    await host.dial(this.holder.getMultiaddrs()[0]!)
    return host
  }

  async host(extra: HostOptions = {}): Promise<Host> {
    const host = await createHost(testHostOptions('tcp', extra))
    this.hosts.push(host)
    return host
  }

  reported(peer: Host, reason: Misbehavior): number {
    return this.reports.filter((r) => r.peer === peer.peerId.toString() && r.reason === reason).length
  }

  /** The honest client stores `rounds` shards of `size` bytes and reads each back; all must succeed. */
  async honestWork(rounds: number, size = 256 * 1024): Promise<void> {
    for (let i = 0; i < rounds; i++) {
      const shard = await makeShard(size)
      const { shards } = this.honest.services
      await shards.put(this.holder.peerId, shard.header, shard.bytes, { id: shard.id })
      assert.deepEqual(await shards.get(this.holder.peerId, shard.id), shard.bytes)
    }
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.hosts.map((h) => h.stop()))
  }
}

/** Random bytes, for bodies an attacker sends. */
export const junk = (n: number): Uint8Array => randomBytes(n)
