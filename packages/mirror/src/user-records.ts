// Each user's newest home record and root as this node holds them, and the rules for replacing
// them. The home node takes root updates as compare-and-swap (the new root names the digest of
// the current one and has a higher seq: the pointer rule of Peergos' MutablePointers), so of two
// writers racing from one root exactly one wins. Any other node takes a signed root or home
// record only when its seq is above the one held: a mirror may skip roots it never saw, but never
// goes back. Changes of one user run one at a time, so a check and its write are one step.

import type { PublicKey } from '@defs/crypto'
import { constantTimeEqual, toHex } from '@defs/crypto'
import {
  decodeEnvelope,
  type Envelope,
  encodeEnvelope,
  type HomeRecord,
  rootDigest,
  type UserRoot,
  verify
} from '@defs/segment'
import { userIdOf } from './account.ts'
import { NotHomeError, RootConflictError, StaleRecordError, WrongUserError } from './errors.ts'
import { peerIdText } from './peer-text.ts'
import type { StateStore } from './state-store.ts'

export interface Held<T, R> {
  envelope: Envelope<T & ('root' | 'home')>
  record: R
}
export type HeldRoot = Held<'root', UserRoot>
export type HeldHome = Held<'home', HomeRecord>

/** What an offer did: took a newer record, or found the very same one already held. */
export type Offered = 'accepted' | 'same'

const homeKey = (user: string): string => `home/${user}`
const rootKey = (user: string): string => `root/${user}`

export class UserRecords {
  readonly #store: StateStore
  readonly #self: Uint8Array
  readonly #queues = new Map<string, Promise<unknown>>()

  /** `self`: this node's peer id (binary multihash), to know for which users it is home. */
  constructor(store: StateStore, self: Uint8Array) {
    this.#store = store
    this.#self = self
  }

  async home(user: PublicKey): Promise<HeldHome | undefined> {
    return this.#load(homeKey(userIdOf(user)), 'home', user)
  }

  async root(user: PublicKey): Promise<HeldRoot | undefined> {
    return this.#load(rootKey(userIdOf(user)), 'root', user)
  }

  /** Users this node holds a home record for. */
  async users(): Promise<string[]> {
    return (await this.#store.keys('home/')).map((k) => k.slice('home/'.length))
  }

  /** True when the newest home record held names this node. */
  async isHome(user: PublicKey): Promise<boolean> {
    const home = await this.home(user)
    return home !== undefined && constantTimeEqual(home.record.home, this.#self)
  }

  /** NotHomeError (naming the home, where one is known) unless this node is the user's home. */
  async assertHome(user: PublicKey): Promise<void> {
    const home = await this.home(user)
    if (home !== undefined && constantTimeEqual(home.record.home, this.#self)) return
    const id = userIdOf(user)
    const where = home === undefined ? undefined : peerIdText(home.record.home)
    throw new NotHomeError(
      where === undefined
        ? `user ${id.slice(0, 16)}… has no home here: writes go to their home node`
        : `this node is not the home of user ${id.slice(0, 16)}…: writes go to ${where}`,
      where
    )
  }

  /** Takes a signed home record if it is newer than the one held (StaleRecordError if older). */
  async offerHome(envelope: Envelope): Promise<Offered> {
    const record = await verify(envelope, 'home')
    return this.#serial(userIdOf(record.user), async () => {
      const held = await this.home(record.user)
      if (held !== undefined) {
        const verdict = compareSeq('home record', held.record.seq, record.seq, held.envelope, envelope)
        if (verdict === 'same') return 'same'
      }
      await this.#store.put(homeKey(userIdOf(record.user)), encodeEnvelope(envelope))
      return 'accepted'
    })
  }

  /**
   * A root update at the user's home: compare-and-swap. RootConflictError when its `previous`
   * is not the current root, StaleRecordError when its seq is not higher, NotHomeError when this
   * node is not the user's home (naming the home).
   */
  async writeRoot(envelope: Envelope): Promise<void> {
    const record = await verify(envelope, 'root')
    const user = userIdOf(record.user)
    await this.#serial(user, async () => {
      await this.assertHome(record.user)
      const held = await this.root(record.user)
      if (held === undefined) {
        if (record.seq !== 1) {
          throw new RootConflictError(
            `no root is held here yet, so the first root must have seq 1, got ${record.seq}`,
            0
          )
        }
      } else {
        const current = await rootDigest(held.envelope.payload)
        if (record.previous === undefined || !constantTimeEqual(record.previous, current)) {
          throw new RootConflictError(
            `root seq ${record.seq} replaces another root than the current one (seq ${held.record.seq}); read it again and retry`,
            held.record.seq
          )
        }
        if (record.seq <= held.record.seq) {
          throw new StaleRecordError(`root seq ${record.seq} is not above the current seq ${held.record.seq}`)
        }
      }
      await this.#store.put(rootKey(user), encodeEnvelope(envelope))
    })
  }

  /**
   * A root copied from elsewhere (a mirror's sync, a reader's cache): taken when its seq is above
   * the one held. The chain is not checked, since a copy may skip roots; the signature and seq are.
   */
  async offerRoot(envelope: Envelope): Promise<Offered> {
    const record = await verify(envelope, 'root')
    return this.#serial(userIdOf(record.user), async () => {
      const held = await this.root(record.user)
      if (held !== undefined) {
        const verdict = compareSeq('root', held.record.seq, record.seq, held.envelope, envelope)
        if (verdict === 'same') return 'same'
      }
      await this.#store.put(rootKey(userIdOf(record.user)), encodeEnvelope(envelope))
      return 'accepted'
    })
  }

  async #load<T extends 'root' | 'home'>(
    key: string,
    type: T,
    user: PublicKey
  ): Promise<Held<T, T extends 'root' ? UserRoot : HomeRecord> | undefined> {
    const bytes = await this.#store.get(key)
    if (bytes === undefined) return undefined
    // Checked again on every load: a record changed on disk is refused, not served.
    const envelope = decodeEnvelope(bytes) as Envelope<T>
    const record = await verify(envelope, type)
    if (userIdOf(record.user) !== userIdOf(user)) {
      throw new WrongUserError(
        `the ${type} record kept for user ${userIdOf(user).slice(0, 16)}… names another user`
      )
    }
    return { envelope, record } as Held<T, T extends 'root' ? UserRoot : HomeRecord>
  }

  #serial<R>(user: string, step: () => Promise<R>): Promise<R> {
    const before = this.#queues.get(user) ?? Promise.resolve()
    const run = before.then(step, step)
    const tail = run.catch(() => {})
    this.#queues.set(user, tail)
    void tail.then(() => {
      if (this.#queues.get(user) === tail) this.#queues.delete(user)
    })
    return run
  }
}

function compareSeq(
  what: string,
  held: number,
  offered: number,
  heldEnv: Envelope,
  offeredEnv: Envelope
): 'same' | 'newer' {
  if (offered > held) return 'newer'
  if (offered === held && toHex(encodeEnvelope(heldEnv)) === toHex(encodeEnvelope(offeredEnv))) return 'same'
  throw new StaleRecordError(
    offered === held
      ? `${what} seq ${offered} differs from the one held under the same seq; refused`
      : `${what} seq ${offered} is older than the held seq ${held}; refused (no rollback)`
  )
}
