// The mirror as a libp2p service: it answers `/defs/mirror/1` from what this node holds, keeps
// the users it mirrors in sync from their home (every intervalMs, retryMs after an error),
// and reads a user's root from home, falling back to the newest signed copy mirrors hold when
// home does not answer in time. The node passes in its stores; the service owns no disk.
import { decodePublicKey, fromHex, type PublicKey, type SigningKey, toHex } from '@defs/crypto'
import { handleRequests, type ServiceComponents, sendRequest } from '@defs/net'
import {
  decodeMirrorResponse,
  type Envelope,
  encodeMirrorRequest,
  limits,
  MIRROR_PROTOCOL,
  type MirrorRequest,
  type MirrorResponse,
  samePublicKey,
  type UserRoot,
  type UserTree,
  verify
} from '@defs/segment'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromMultihash, peerIdFromString } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import { userIdOf } from './account.ts'
import type { MirrorContent } from './content.ts'
import { BadBlobError, NotHomeError } from './errors.ts'
import { answerMirrorRequest } from './serve.ts'
import { blobId, blobsOf } from './signing.ts'
import type { StateStore } from './state-store.ts'
import { type Copied, type SyncProgressEvent, type SyncReport, syncUser } from './sync.ts'
import { emptyTree, openTree } from './tree-seal.ts'
import { UserAccounts } from './user-accounts.ts'
import { UserFiles } from './user-files.ts'
import { UserRecords } from './user-records.ts'

/** What the service needs of libp2p: its peer id, to serve a protocol and to open streams. */
export type MirrorComponents = Pick<ServiceComponents, 'peerId' | 'registrar' | 'connectionManager'>

export interface MirrorServiceInit {
  state: StateStore
  content: MirrorContent
  /** ms between syncs of a mirrored user; default DEFAULT_MIRROR_INTERVAL_MS (60 s). 0 turns the timer off (sync on demand). */
  intervalMs?: number
  /** ms before the next try after a failed sync; default DEFAULT_MIRROR_RETRY_MS (5 s). */
  retryMs?: number
  /** How long a root read waits for the home before asking mirrors; default 1 s. */
  homeTimeoutMs?: number
  /** Deadline of one mirror request; default 30 s (a response may carry a 64 MiB shard). */
  requestTimeoutMs?: number
  /** Told after each file a sync copied (user id, progress). */
  onProgress?: (user: string, event: SyncProgressEvent) => void
}

export interface MirrorStatus {
  user: string
  /** The peer synced from last (the user's home as far as this node knows). */
  from: string
  /** Root seq held here, and at the peer when last asked. */
  seq: number
  peerSeq: number
  /** peerSeq - seq: how many roots this mirror is behind. */
  lag: number
  lastSync?: number
  lastError?: string
  syncing: boolean
  /** While a sync runs: files done of those it copies, and what moved so far. */
  progress?: SyncProgressEvent
  /**
   * Shard bytes still to copy: of the running sync, or of the last one if it was cut off (0 after
   * a sync that finished); absent until a sync had the manifests of what it copies.
   */
  bytesToCopy?: number
  /** What the last finished sync moved (blobs, manifests, shards, bytes). */
  lastCopied?: Copied
  /**
   * What the sync that brought `seq` moved (a later sync that found nothing new leaves it, where
   * it sets lastCopied to nothing); absent until a sync brought a root since this node started.
   */
  seqCopied?: Copied
}

export interface RootRead {
  envelope: Envelope<'root'>
  root: UserRoot
  /** `home` when the home answered; `mirror` when it did not and a mirror's signed copy is served. */
  source: 'home' | 'mirror' | 'local'
  peer: string
}

interface Mirrored {
  user: PublicKey
  from: string
  seq: number
  peerSeq: number
  lastSync?: number
  lastError?: string
  progress?: SyncProgressEvent
  bytesToCopy?: number
  lastCopied?: Copied
  seqCopied?: Copied
  running?: Promise<SyncReport>
  timer?: ReturnType<typeof setTimeout>
}

/** ms between syncs of a mirrored user, unless the node says otherwise (its mirrorInterval). */
export const DEFAULT_MIRROR_INTERVAL_MS = 60_000
/** ms before the next try after a failed sync. */
export const DEFAULT_MIRROR_RETRY_MS = 5_000

const mirroredKey = (user: string): string => `mirrored/${user}`
/** Peers remembered per user as its mirrors (the latest to ask for its state). */
const MAX_ASKERS = 8
/** Rounds of asking a user's mirrors at start before the home takes writes anyway. */
const CHECK_ROUNDS = 3
const enc = new TextEncoder()
const dec = new TextDecoder()

export class MirrorService {
  readonly records: UserRecords
  /** The accounts this node knows (created here or mirrored): create, list, login, move home. */
  readonly accounts: UserAccounts
  /** The files in users' trees and those shared with them: put, list, share. */
  readonly files: UserFiles
  readonly #components: MirrorComponents
  readonly #init: MirrorServiceInit
  readonly #mirrored = new Map<string, Mirrored>()
  /** Per user, the peers that asked for their state lately: their mirrors, as far as we know. */
  readonly #askers = new Map<string, string[]>()
  /** Settles once the users this node is home of were checked against their mirrors at start. */
  #homesChecked: Promise<void> = Promise.resolve()
  #stopped = false

  constructor(components: MirrorComponents, init: MirrorServiceInit) {
    this.#components = components
    this.#init = init
    this.records = new UserRecords(init.state, components.peerId.toMultihash().bytes)
    this.accounts = new UserAccounts(this)
    this.files = new UserFiles(this)
  }

  /** This node's peer id as records name it (binary multihash). */
  get self(): Uint8Array {
    return this.#components.peerId.toMultihash().bytes
  }

  /** Users this node holds a root of (home or mirror). */
  async rootUsers(): Promise<PublicKey[]> {
    return (await this.#init.state.keys('root/')).map((k) =>
      decodePublicKey(fromHex(k.slice('root/'.length)))
    )
  }

  /** A blob held here (sealed tree, friends list, account), by its hex SHA-256. */
  blob(id: string): Promise<Uint8Array | undefined> {
    return this.#init.content.blobs.get(id)
  }

  /** The user's tree as held here, opened with their key (a session's): names and file ids. */
  async readTree(key: SigningKey): Promise<UserTree> {
    const root = await this.records.root(key.publicKey)
    if (root === undefined) return emptyTree()
    const blob = await this.blob(toHex(root.record.tree))
    if (blob === undefined)
      throw new BadBlobError(`the tree blob of root seq ${root.record.seq} is not held here`)
    return openTree(blob, key)
  }

  async start(): Promise<void> {
    this.#stopped = false
    await handleRequests(
      this.#components.registrar,
      MIRROR_PROTOCOL,
      (request, peer) =>
        answerMirrorRequest(request, peer, this.records, this.#init.content, (user, from) =>
          this.#noteAsker(user, from)
        ),
      { maxRequestBytes: limits.maxBytes.mirrorRequest, timeoutMs: this.#requestTimeout() }
    )
    for (const key of await this.#init.state.keys('mirrored/')) {
      const saved = JSON.parse(dec.decode((await this.#init.state.get(key))!)) as { from: string }
      const id = key.slice('mirrored/'.length)
      const user = decodePublicKey(fromHex(id))
      const held = await this.records.root(user)
      this.#mirrored.set(id, { user, from: saved.from, seq: held?.record.seq ?? 0, peerSeq: 0 })
      this.#schedule(id, 0)
    }
    for (const key of await this.#init.state.keys('askers/')) {
      const peers = JSON.parse(dec.decode((await this.#init.state.get(key))!)) as string[]
      this.#askers.set(key.slice('askers/'.length), peers)
    }
    this.#homesChecked = this.#checkHomes()
  }

  /**
   * A root update at this node as the user's home (compare-and-swap, see UserRecords.writeRoot)
   * with the blobs it names that are not held here yet,
   * taken only once the start-up check is done: a home back from a crash first asks the user's
   * mirrors whether the user moved home meanwhile, and refuses the write if so (NotHomeError).
   */
  async writeRoot(envelope: Envelope, blobs: readonly Uint8Array[] = []): Promise<void> {
    await this.#homesChecked
    const root = await verify(envelope, 'root')
    // Not home: refused with the error that names the home, before any blob is looked at.
    if (!(await this.records.isHome(root.user))) return this.records.writeRoot(envelope)
    // The blobs the root names are stored first, so the home never holds a root it cannot serve.
    const given = new Map<string, Uint8Array>()
    for (const blob of blobs) given.set(await blobId(blob), blob)
    for (const digest of blobsOf(root)) {
      const id = toHex(digest)
      const blob = given.get(id)
      if (blob !== undefined) await this.#init.content.blobs.put(id, blob)
      else if (!(await this.#init.content.blobs.has(id))) {
        throw new BadBlobError(`root seq ${root.seq} names blob ${id}, which is neither given nor held here`)
      }
    }
    await this.records.writeRoot(envelope)
  }

  /**
   * A home record signed by the user alone, naming the node they move to: taken if newer than
   * the one held (StaleRecordError otherwise, as everywhere), then told to the user's mirrors and
   * to the old home, as far as they answer (the move needs none of them). This node stops syncing
   * the user when it is the new home.
   */
  async moveHome(envelope: Envelope): Promise<{ home: string; seq: number; told: string[] }> {
    const record = await verify(envelope, 'home')
    const before = await this.#homePeer(record.user)
    await this.records.offerHome(envelope)
    const id = userIdOf(record.user)
    const home = peerIdFromMultihash(Digest.decode(record.home))
    if (home.equals(this.#components.peerId)) clearTimeout(this.#mirrored.get(id)?.timer)
    const peers = new Set(this.#askers.get(id) ?? [])
    if (before !== undefined) peers.add(before.toString())
    for (const m of this.#mirrored.values()) if (userIdOf(m.user) === id) peers.add(m.from)
    peers.delete(this.#components.peerId.toString())
    const told: string[] = []
    await Promise.all(
      [...peers].map(async (peer) => {
        const answer = await this.ask(
          peerIdFromString(peer),
          { kind: 'home', home: envelope as Envelope<'home'> },
          this.#init.homeTimeoutMs ?? 1000
        ).catch(() => undefined)
        if (answer?.kind === 'state') told.push(peer)
      })
    )
    return { home: home.toString(), seq: record.seq, told }
  }

  async stop(): Promise<void> {
    this.#stopped = true
    for (const m of this.#mirrored.values()) clearTimeout(m.timer)
    await this.#components.registrar.unhandle(MIRROR_PROTOCOL)
    await Promise.allSettled([...this.#mirrored.values()].map((m) => m.running))
  }

  /** Starts mirroring `user` from `from` (their home) and runs the first sync. */
  async addMirror(user: PublicKey, from: PeerId): Promise<SyncReport> {
    const id = userIdOf(user)
    await this.#init.state.put(mirroredKey(id), enc.encode(JSON.stringify({ from: from.toString() })))
    const held = await this.records.root(user)
    if (!this.#mirrored.has(id))
      this.#mirrored.set(id, { user, from: from.toString(), seq: held?.record.seq ?? 0, peerSeq: 0 })
    return this.sync(user)
  }

  /** One sync of a mirrored user now, from the home its newest home record names. */
  async sync(user: PublicKey): Promise<SyncReport> {
    const id = userIdOf(user)
    const m = this.#mirrored.get(id)
    if (m === undefined) throw new RangeError(`user ${id.slice(0, 16)}… is not mirrored here; add it first`)
    if (m.running !== undefined) return m.running
    clearTimeout(m.timer)
    m.running = (async () => {
      try {
        if (await this.records.isHome(user)) {
          // The user moved home here: this node is the source now, there is nothing to follow.
          const seq = (await this.records.root(user))?.record.seq ?? 0
          return {
            user: id,
            from: this.#components.peerId.toString(),
            seq,
            peerSeq: seq,
            filesChecked: 0,
            copied: { blobs: 0, manifests: 0, shards: 0, bytes: 0 }
          }
        }
        const from = await this.#source(user, m.from)
        const report = await syncUser(user, from, {
          records: this.records,
          content: this.#init.content,
          state: this.#init.state,
          ask: (peer, request) => this.ask(peer, request),
          onProgress: (event) => {
            m.progress = event
            m.bytesToCopy = event.bytesToCopy
            this.#init.onProgress?.(id, event)
          }
        })
        if (report.seq !== m.seq) m.seqCopied = report.copied
        Object.assign(m, {
          from: report.from,
          seq: report.seq,
          peerSeq: report.peerSeq,
          lastSync: Date.now(),
          bytesToCopy: 0,
          lastCopied: report.copied
        })
        m.lastError = undefined
        this.#schedule(id, this.#init.intervalMs ?? DEFAULT_MIRROR_INTERVAL_MS)
        return report
      } catch (err) {
        m.lastError = (err as Error).message
        this.#schedule(id, this.#init.retryMs ?? DEFAULT_MIRROR_RETRY_MS)
        throw err
      } finally {
        m.running = undefined
        m.progress = undefined
      }
    })()
    return m.running
  }

  status(): MirrorStatus[] {
    return [...this.#mirrored.entries()].map(([user, m]) => {
      const s: MirrorStatus = {
        user,
        from: m.from,
        seq: m.seq,
        peerSeq: m.peerSeq,
        lag: Math.max(0, m.peerSeq - m.seq),
        syncing: m.running !== undefined
      }
      if (m.lastSync !== undefined) s.lastSync = m.lastSync
      if (m.lastError !== undefined) s.lastError = m.lastError
      if (m.progress !== undefined) s.progress = m.progress
      if (m.bytesToCopy !== undefined) s.bytesToCopy = m.bytesToCopy
      if (m.lastCopied !== undefined) s.lastCopied = m.lastCopied
      if (m.seqCopied !== undefined) s.seqCopied = m.seqCopied
      return s
    })
  }

  /**
   * The user's newest root: asked of their home (the newest home record held names it, or `home`),
   * and when the home does not answer within homeTimeoutMs, of `mirrors`, the highest signed seq
   * winning; the answer says where it came from. A root held here is a candidate too, so a read
   * never goes below it. A root read is not stored as this node's copy: a mirror commits a root
   * only after a sync stored everything it names.
   */
  async readRoot(user: PublicKey, options: { home?: PeerId; mirrors?: PeerId[] } = {}): Promise<RootRead> {
    const home = options.home ?? (await this.#homePeer(user))
    const self = this.#components.peerId.toString()
    if (home !== undefined && home.toString() !== self) {
      const fromHome = await this.#askRoot(user, home, this.#init.homeTimeoutMs ?? 1000).catch(
        () => undefined
      )
      const held = await this.records.root(user)
      if (fromHome !== undefined && fromHome.root.seq >= (held?.record.seq ?? 0)) {
        return { ...fromHome, source: 'home', peer: home.toString() }
      }
    }
    const local = await this.records.root(user)
    const answers = await Promise.all(
      (options.mirrors ?? []).map((peer) =>
        this.#askRoot(user, peer, this.#requestTimeout()).then(
          (r) => ({ ...r, peer: peer.toString() }),
          () => undefined
        )
      )
    )
    let best: RootRead | undefined
    if (local !== undefined)
      best = {
        envelope: local.envelope,
        root: local.record,
        source: home?.toString() === self ? 'local' : 'mirror',
        peer: self
      }
    for (const a of answers) {
      if (a !== undefined && (best === undefined || a.root.seq > best.root.seq))
        best = { ...a, source: 'mirror' }
    }
    if (best === undefined) {
      throw new NotHomeError(
        `no root for user ${userIdOf(user).slice(0, 16)}…: the home did not answer and no mirror holds one`,
        home?.toString()
      )
    }
    return best
  }

  /** The peers that asked this node for the user's state lately: their mirrors, as far as it knows. */
  knownMirrors(user: PublicKey): PeerId[] {
    return (this.#askers.get(userIdOf(user)) ?? []).map((p) => peerIdFromString(p))
  }

  /** One mirror request to `peer`, its answer decoded (error answers included). */
  async ask(
    peer: PeerId,
    request: MirrorRequest,
    timeoutMs = this.#requestTimeout()
  ): Promise<MirrorResponse> {
    const bytes = await sendRequest(
      this.#components.connectionManager,
      peer,
      MIRROR_PROTOCOL,
      encodeMirrorRequest(request),
      {
        maxResponseBytes: limits.maxBytes.mirrorResponse,
        timeoutMs
      }
    )
    return decodeMirrorResponse(bytes)
  }

  async #askRoot(
    user: PublicKey,
    peer: PeerId,
    timeoutMs: number
  ): Promise<{ envelope: Envelope<'root'>; root: UserRoot }> {
    const answer = await this.ask(peer, { kind: 'state', user }, timeoutMs)
    if (answer.kind !== 'state' || answer.root === undefined)
      throw new Error(`${peer} holds no root for the user`)
    const root = await verify(answer.root, 'root')
    if (!samePublicKey(root.user, user)) throw new Error(`${peer} answered with another user's root`)
    if (answer.home !== undefined) await this.records.offerHome(answer.home).catch(() => {})
    return { envelope: answer.root, root }
  }

  async #homePeer(user: PublicKey): Promise<PeerId | undefined> {
    const home = await this.records.home(user)
    return home === undefined ? undefined : peerIdFromMultihash(Digest.decode(home.record.home))
  }

  /** The user's home when a home record names another node, else the peer synced from before. */
  async #source(user: PublicKey, fallback: string): Promise<PeerId> {
    const home = await this.#homePeer(user)
    if (home !== undefined && !home.equals(this.#components.peerId)) return home
    return peerIdFromString(fallback)
  }

  #noteAsker(user: PublicKey, peer: PeerId): void {
    const id = userIdOf(user)
    const peers = this.#askers.get(id) ?? []
    const text = peer.toString()
    if (peers.includes(text)) return
    // The latest few: a home back from a crash asks these whether the user moved meanwhile.
    const next = [...peers, text].slice(-MAX_ASKERS)
    this.#askers.set(id, next)
    void this.#init.state.put(`askers/${id}`, enc.encode(JSON.stringify(next))).catch(() => {})
  }

  /**
   * For every user this node is home of, the newest home record their mirrors hold. A node just
   * started may not reach them at once (connections come up), so up to CHECK_ROUNDS rounds, a
   * homeTimeoutMs apart, until one mirror of each user answered; a user none of whose mirrors
   * answers stays at home here (as far as anyone could tell this node).
   */
  async #checkHomes(): Promise<void> {
    const timeout = this.#init.homeTimeoutMs ?? 1000
    let pending = [...this.#askers.entries()]
    for (let round = 0; round < CHECK_ROUNDS && pending.length > 0 && !this.#stopped; round++) {
      if (round > 0) await new Promise((r) => setTimeout(r, timeout))
      const answered = await Promise.all(
        pending.map(async ([id, peers]) => {
          const user = decodePublicKey(fromHex(id))
          if (!(await this.records.isHome(user))) return true
          const answers = await Promise.all(
            peers.map(async (peer) => {
              const answer = await this.ask(peerIdFromString(peer), { kind: 'state', user }, timeout).catch(
                () => undefined
              )
              if (answer?.kind !== 'state') return false
              if (answer.home !== undefined) await this.records.offerHome(answer.home).catch(() => {})
              return true
            })
          )
          return answers.some(Boolean)
        })
      )
      pending = pending.filter((_, i) => !answered[i])
    }
  }

  #schedule(id: string, ms: number): void {
    const m = this.#mirrored.get(id)
    const interval = this.#init.intervalMs ?? DEFAULT_MIRROR_INTERVAL_MS
    if (m === undefined || this.#stopped || interval === 0) return
    clearTimeout(m.timer)
    m.timer = setTimeout(() => void this.sync(m.user).catch(() => {}), ms)
    m.timer.unref?.()
  }

  #requestTimeout(): number {
    return this.#init.requestTimeoutMs ?? 30_000
  }
}

/** The mirror service factory for net's `createHost({ services })` (and the node's services). */
export function mirrorService(init: MirrorServiceInit): (components: MirrorComponents) => MirrorService {
  return (components) => new MirrorService(components, init)
}
