// Retired identities. An operator retires a node (`defs node retire`): the node signs "P is
// retired" with its own key, tells the network on a gossip topic, and marks its directory so its
// next start is a new node under a new id. Every node that hears a valid record keeps it (the
// signer's key must be the key of the peer id named) and never takes the retired id back: it
// hangs up on it, at once and whenever it connects again, and places nothing on it.

import { constantTimeEqual as sameBytes } from '@defs/crypto'
import { signingKeyOf } from '@defs/net'
import { decodeEnvelope, type Envelope, encodeEnvelope, type RetireRecord, sign, verify } from '@defs/segment'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import type { NodeComponents } from './components.ts'
import { markRetired } from './disk/data-status.ts'

export const RETIRE_TOPIC = '/defs/retire/1'
const STATE = 'retired'
/** Retired ids kept at most; past it the oldest are forgotten (their records long spread). */
const KEEP = 10_000

interface RetiredPeer {
  peerId: string
  time: number
}

export interface RetiredPeers {
  has(peerId: string): boolean
}

export class Retirement implements RetiredPeers {
  readonly #c: NodeComponents
  readonly #key: PrivateKey
  readonly #retired = new Map<string, number>()

  constructor(components: NodeComponents, key: PrivateKey) {
    this.#c = components
    this.#key = key
  }

  /** Whether `peerId` was retired (a node must never take it back). */
  has(peerId: string): boolean {
    return this.#retired.has(peerId)
  }

  async start(): Promise<void> {
    for (const r of (await this.#c.meta.getState<RetiredPeer[]>(STATE)) ?? [])
      this.#retired.set(r.peerId, r.time)
    const { host } = this.#c
    host.addEventListener('peer:connect', this.#onConnect)
    host.services.pubsub.addEventListener('message', this.#onMessage)
    host.services.pubsub.subscribe(RETIRE_TOPIC)
  }

  async stop(): Promise<void> {
    const { host } = this.#c
    host.removeEventListener('peer:connect', this.#onConnect)
    host.services.pubsub.removeEventListener('message', this.#onMessage)
  }

  /** Retires this node: the signed record goes out, the directory is marked; stop the node next. */
  async retire(): Promise<RetireRecord> {
    const c = this.#c
    const record = { peer: c.host.peerId.toMultihash().bytes, time: Date.now() }
    const envelope = await sign('retire', record, await signingKeyOf(this.#key))
    await markRetired(c.dir)
    // Best effort: peers connected now hear it at once; it is what they keep.
    await c.host.services.pubsub.publish(RETIRE_TOPIC, encodeEnvelope(envelope)).catch(() => {})
    return record
  }

  readonly #onConnect = (e: CustomEvent<{ toString(): string }>): void => {
    if (this.has(e.detail.toString())) void this.#c.host.hangUp(e.detail as never).catch(() => {})
  }

  readonly #onMessage = (e: CustomEvent<{ topic: string; data: Uint8Array }>): void => {
    if (e.detail.topic !== RETIRE_TOPIC) return
    void this.#accept(e.detail.data).catch(() => {
      // Not a valid record: nothing to keep.
    })
  }

  async #accept(data: Uint8Array): Promise<void> {
    const envelope = decodeEnvelope(data) as Envelope<'retire'>
    const record = await verify(envelope, 'retire')
    const named = peerIdFromPublicKey(publicKeyFromRaw(envelope.publicKey.bytes))
    // The record names its signer, or it proves nothing.
    if (!sameBytes(named.toMultihash().bytes, record.peer) || named.equals(this.#c.host.peerId)) return
    const id = named.toString()
    if (this.#retired.has(id)) return
    this.#retired.set(id, record.time)
    while (this.#retired.size > KEEP) this.#retired.delete(this.#retired.keys().next().value!)
    await this.#c.meta.putState(
      STATE,
      [...this.#retired].map(([peerId, time]) => ({ peerId, time }))
    )
    await this.#c.host.hangUp(named).catch(() => {})
  }
}
