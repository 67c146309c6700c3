// The node's pairing service: @defs/pairing's PairingService on this node's host, key and disk,
// plus the data mirror. A shard stored here (by a peer's put or by this node's own upload) is
// forwarded to the partner before the put is acknowledged, and the acknowledgement says how many
// durable copies exist: 2, or 1 while the partner is unreachable. A shard the partner holds
// already is not sent back. Placement learns the pairs from the service's directory. When a
// pair forms, and whenever the partners' inventory digests differ, a `migrate` task sends the
// partner what it lacks (both sides run one, so the difference goes both ways); the partners
// compare their inventories by prefix, so only the ids of the buckets that differ cross.
import { networkGroupOf } from '@defs/kbucket'
import { headerOf, joinShardBody, type ShardBody } from '@defs/net'
import { type PairEvents, type PairingOptions, PairingService, partnerIn } from '@defs/pairing'
import type { ShardClaim } from '@defs/segment'
import type { NodeComponents } from '../components.ts'
import { loadOrCreateIdentity } from '../disk/identity.ts'
import { pairingOptionsOf } from '../service-options.ts'
import type { ServiceFactory } from '../services.ts'
import { BandwidthBudget } from '../steps/bandwidth-budget.ts'
import { finalStates } from '../tasks/task-types.ts'
import { InventoryDigest } from './inventory-digest.ts'
import { MIGRATE_PRIORITY, type MigrateParams, MigrateRunner, type MigrateSync } from './migrate-task.ts'
import { PairFile } from './pair-file.ts'
import { type Backlog, SyncBacklog } from './sync-backlog.ts'

/** The inventory digest is recomputed at least this often even when the store looks unchanged. */
const DIGEST_MAX_AGE_MS = 5000
/** How far the digest a heartbeat carries may lag the store (its rebuilds are spaced). */
const DIGEST_LAG_MS = 10_000

/** The pairing service of a node: `createNode({ services: { pairing: pairingService() } })`. */
export function pairingService(options: PairingOptions = {}): ServiceFactory<NodePairing> {
  return { create: (c) => new NodePairing(c, options) }
}

export class NodePairing {
  readonly #c: NodeComponents
  readonly #options: PairingOptions
  readonly #backlog = new SyncBacklog()
  #service: PairingService | undefined

  constructor(components: NodeComponents, options: PairingOptions) {
    this.#c = components
    this.#options = options
  }

  /** The running PairingService (partner, status, pairWith, events). */
  get service(): PairingService {
    if (this.#service === undefined) throw new Error('the pairing service is not started')
    return this.#service
  }

  /**
   * The sync backlog: shards (and bytes) acknowledged with one copy that the partner is known to
   * lack, none once they synced; a new partner's full copy shows as its migration instead.
   */
  backlog(): Backlog {
    // The digests agreed then: what was acknowledged a while before is on both. (Our digest may
    // lag the store by a few rebuild times, so only that long before.)
    const syncedAt = this.#service?.status().syncedAt
    if (syncedAt !== undefined) this.#backlog.clear(syncedAt - DIGEST_LAG_MS)
    return this.#backlog.current
  }

  async start(): Promise<void> {
    const c = this.#c
    const { key } = await loadOrCreateIdentity(c.dir.identity)
    const digest = new InventoryDigest(c.shards, DIGEST_MAX_AGE_MS)
    const service = new PairingService({
      // the node's config under what the service was given
      ...pairingOptionsOf(c.options),
      ...this.#options,
      peerId: c.host.peerId,
      privateKey: key,
      registrar: c.host,
      streams: { openStream: (peer, protocol, o) => c.host.dialProtocol(peer, protocol, o) },
      peers: () => c.host.getPeers().filter((p) => !c.retired.has(p.toString())),
      store: new PairFile(c.dir),
      local: () => ({
        freeBytes: c.disk.room(),
        state: c.lifecycle.state,
        digest: digest.current().digest
      }),
      inventory: () => digest.current(),
      // pairing records go in the DHT beside the manifest records
      routing: c.host.services.index.routing,
      scorer: c.scorer,
      // a partner holds a copy of everything: trusted peers, or known ones past probation
      mayPair: (id) => c.standing.proven(id),
      groupOf: (id) => {
        const conn = c.host.getConnections().find((x) => x.remotePeer.toString() === id)
        return conn === undefined ? undefined : networkGroupOf(conn.remoteAddr.toString())
      },
      logger: c.logger
    })
    // every migration of this node shares one budget (a failover and a sync may run at once)
    const budget = new BandwidthBudget(service.options.pairMigrationBandwidth)
    const sync: MigrateSync = {
      inventory: () => digest.current(),
      lacking: (...args) => service.lacking(...args)
    }
    c.tasks.register(
      'migrate',
      new MigrateRunner(c, (peer, epoch) => this.#isPartner(peer, epoch), budget, sync)
    )
    // A new pair (a failover's, or a first one) gets every shard its new partner lacks.
    service.addEventListener('pair', (e) => {
      const { pairing } = (e as CustomEvent<PairEvents['pair']>).detail
      this.#backlog.clear()
      void this.#migrate(partnerIn(pairing, service.peerId).toString(), pairing.record.epoch)
    })
    // Partners whose inventories differ (one was down or cut off when shards arrived) sync.
    service.addEventListener('diverged', (e) => {
      const { partner, epoch } = (e as CustomEvent<PairEvents['diverged']>).detail
      void this.#migrate(partner, epoch)
    })
    // A sync with the partner that ran to its end leaves it lacking nothing it had then.
    c.events.addEventListener('task', (e) => {
      const t = e.detail
      if (t.kind !== 'migrate' || t.state !== 'done') return
      const { partner, epoch } = t.params as MigrateParams
      if (
        (t.result as { superseded?: boolean } | undefined)?.superseded !== true &&
        this.#isPartner(partner, epoch)
      )
        this.#backlog.clear(t.created)
    })
    await service.start()
    this.#service = service
    c.pairs.attach(
      (peer) => service.partnerOf(peer),
      (peer) => service.lookupPairing(peer)
    )
    c.shards.mirror = async (id, body, claim) => {
      const copies = await this.#mirror(id, body, claim)
      if (copies < 2 && service.partner() !== undefined)
        this.#backlog.oneCopy(
          id,
          body instanceof Uint8Array ? body.length : body.reduce((n, b) => n + b.length, 0)
        )
      c.events.safeDispatchEvent('pair:acknowledged', { detail: { copies } })
      return copies
    }
  }

  async stop(): Promise<void> {
    this.#c.shards.mirror = undefined
    this.#c.pairs.attach(undefined)
    await this.#service?.stop()
  }

  #isPartner(peer: string, epoch: number): boolean {
    const s = this.#service
    return s?.partner()?.toString() === peer && s.pairing?.record.epoch === epoch
  }

  async #migrate(partner: string, epoch: number): Promise<void> {
    const c = this.#c
    const open = c.tasks
      .list()
      .some(
        (t) =>
          t.kind === 'migrate' &&
          !finalStates.includes(t.state) &&
          (t.params as MigrateParams).epoch === epoch
      )
    if (open) return
    try {
      await c.tasks.submit<MigrateParams>('migrate', { partner, epoch }, { priority: MIGRATE_PRIORITY })
    } catch (err) {
      // maintenance or draining refuses new background work; the pair's next sync catches up
      c.logger.forComponent('defs:node:pairing')('no migration to %s now: %e', partner, err)
    }
  }

  async #mirror(id: Uint8Array, body: ShardBody, claim: ShardClaim): Promise<number> {
    const partner = this.#service?.partner()
    if (partner === undefined) return 1
    // A partner already silent would hold the acknowledgement until the put times out: one copy
    // now, and the digest sync sends it the shard once it answers again.
    if (this.#service!.status().health !== 'alive') return 1
    const shards = this.#c.host.services.shards
    try {
      // From the partner: a copy it forwarded (it holds the shard: nothing to send back), or a
      // shard it uploaded itself and placed here (it does not: it gets its mirror copy).
      if (claim.uploader?.peer === partner.toString() && (await shards.has(partner, [id]))[0] === true)
        return 2
      await shards.put(partner, headerOf(claim), joinShardBody(body), { id })
      return 2
    } catch (err) {
      this.#c.logger.forComponent('defs:node:pairing')(
        'forwarding a shard to partner %p failed: %e',
        partner,
        err
      )
      return 1
    }
  }
}
