// The accounts a node knows: those created here and those it mirrors. An account is the blob a
// user's root names as its keystore (the user's key wrapped under their passphrase), so a mirror
// holds it as soon as it holds the root, and the user can log in there and move home with their
// passphrase alone. Login is refused where the user's home is not, unless allowExternalLogin.
import {
  type Argon2idParams,
  type PublicKey,
  type SigningKey,
  toHex,
  wrapKeyWithPassphrase
} from '@defs/crypto'
import { decodeFriendsList, encodeFriendsList } from '@defs/segment'
import type { PeerId } from '@libp2p/interface'
import {
  createAccount,
  decodeAccount,
  encodeAccount,
  type UserAccount,
  unlockAccount,
  userIdOf
} from './account.ts'
import { ExternalLoginError, InvalidAccountError, UnknownUserError } from './errors.ts'
import type { MirrorService } from './mirror-service.ts'
import { peerIdText } from './peer-text.ts'
import { type GivenShare, openRecoveryShare, recoverKey, recoveryFriendsList } from './recovery.ts'
import { signHome, signNextRoot, signRootChange } from './signing.ts'
import { emptyTree, sealTree } from './tree-seal.ts'

export interface UserSummary {
  name: string
  /** The user id: the multikey hex of their public key. */
  user: string
  /** Peer id of the node the newest home record names. */
  home: string | undefined
  isHome: boolean
  /** Root seq held here (0: none). */
  seq: number
}

export interface LoginPolicy {
  /** Let users whose home is another node log in here (off by default). */
  allowExternalLogin?: boolean
}

const dec = new TextDecoder()
const enc = new TextEncoder()

export class UserAccounts {
  readonly #service: MirrorService

  constructor(service: MirrorService) {
    this.#service = service
  }

  /**
   * A new user whose home is this node: their key under `passphrase`, a home record naming this
   * node and a first root (an empty sealed tree and the account blob), all signed by the new key.
   */
  async create(
    name: string,
    passphrase: string,
    kdf: Argon2idParams = {}
  ): Promise<{ account: UserAccount; key: SigningKey }> {
    if ((await this.#all()).some((a) => a.name === name)) {
      throw new InvalidAccountError(`a user named ${name} is known here already`)
    }
    const created = await createAccount(name, passphrase, kdf)
    const { key } = created
    const records = this.#service.records
    await records.offerHome(await signHome(key, this.#service.self, undefined))
    const tree = await sealTree(emptyTree(), key.publicKey)
    const keystore = enc.encode(encodeAccount(created.account))
    await this.#service.writeRoot(await signNextRoot(key, undefined, { tree, files: [], keystore }), [
      tree,
      keystore
    ])
    return created
  }

  async list(): Promise<UserSummary[]> {
    const out: UserSummary[] = []
    for (const account of await this.#all()) {
      const [home, root] = await Promise.all([
        this.#service.records.home(account.publicKey),
        this.#service.records.root(account.publicKey)
      ])
      out.push({
        name: account.name,
        user: userIdOf(account.publicKey),
        home: home === undefined ? undefined : peerIdText(home.record.home),
        isHome: await this.#service.records.isHome(account.publicKey),
        seq: root?.record.seq ?? 0
      })
    }
    return out.sort((a, b) => a.name.localeCompare(b.name))
  }

  /** The account named `nameOrId` (a user name, or the user id when names collide). */
  async find(nameOrId: string): Promise<UserAccount> {
    const all = await this.#all()
    const byId = all.find((a) => userIdOf(a.publicKey) === nameOrId)
    if (byId !== undefined) return byId
    const named = all.filter((a) => a.name === nameOrId)
    if (named.length === 1) return named[0]!
    if (named.length > 1) {
      throw new UnknownUserError(
        `${named.length} users named ${nameOrId} are known here: name one by its id (${named.map((a) => userIdOf(a.publicKey)).join(', ')})`
      )
    }
    throw new UnknownUserError(`no user ${JSON.stringify(nameOrId)} is known here (defs user list)`)
  }

  /**
   * The user's key, for a session: only where their home is, unless `allowExternalLogin`
   * (ExternalLoginError naming the home). WrongPassphraseError for a wrong passphrase.
   */
  async login(nameOrId: string, passphrase: string, policy: LoginPolicy = {}): Promise<SigningKey> {
    const account = await this.find(nameOrId)
    if (!policy.allowExternalLogin && !(await this.#service.records.isHome(account.publicKey))) {
      const home = await this.#service.records.home(account.publicKey)
      const where = home === undefined ? 'no node known here' : peerIdText(home.record.home)
      throw new ExternalLoginError(
        `user ${account.name}'s home is ${where}, not this node: log in there, move home here (defs user move-home), or start this node with allowExternalLogin`
      )
    }
    return unlockAccount(account, passphrase)
  }

  /** "My home is now `to`", signed with the key `passphrase` opens: no other node is asked. */
  async moveHome(nameOrId: string, passphrase: string, to: PeerId) {
    const account = await this.find(nameOrId)
    const key = await unlockAccount(account, passphrase)
    const current = await this.#service.records.home(account.publicKey)
    return this.#service.moveHome(await signHome(key, to.toMultihash().bytes, current))
  }

  /**
   * Splits the user's key among `friends` (any `threshold` of them give it back) and signs the
   * next root with the friends list holding each share wrapped to its friend. At home only.
   */
  async setupRecovery(
    key: SigningKey,
    threshold: number,
    friends: readonly PublicKey[]
  ): Promise<{ seq: number }> {
    const records = this.#service.records
    const current = await records.root(key.publicKey)
    if (current === undefined)
      throw new UnknownUserError(`no root of ${userIdOf(key.publicKey).slice(0, 16)}… is held here`)
    const held =
      current.record.friends === undefined
        ? undefined
        : await this.#service.blob(toHex(current.record.friends))
    const list = await recoveryFriendsList(
      key,
      threshold,
      friends,
      held === undefined ? undefined : decodeFriendsList(held)
    )
    const blob = encodeFriendsList(list)
    const next = await signRootChange(key, current, { friends: blob })
    await this.#service.writeRoot(next, [blob])
    return { seq: current.record.seq + 1 }
  }

  /** The share of `user`'s key kept for the friend whose key is `friendKey`, opened with it. */
  async recoveryShare(user: PublicKey, friendKey: SigningKey): Promise<GivenShare> {
    const root = await this.#service.records.root(user)
    const blob =
      root?.record.friends === undefined ? undefined : await this.#service.blob(toHex(root.record.friends))
    if (blob === undefined) {
      throw new UnknownUserError(`no friends list of ${userIdOf(user).slice(0, 16)}… is held here`)
    }
    return openRecoveryShare(blob, friendKey)
  }

  /**
   * The user's account back at this node from friends' shares (this node must hold their root and
   * friends list: mirror them first): the key recovered, wrapped under `passphrase`, this node
   * made their home (signed by the recovered key alone), and a root naming the new account blob.
   */
  async recover(user: PublicKey, given: readonly GivenShare[], passphrase: string, kdf: Argon2idParams = {}) {
    const records = this.#service.records
    const root = await records.root(user)
    const friendsBlob =
      root?.record.friends === undefined ? undefined : await this.#service.blob(toHex(root.record.friends))
    if (root === undefined || friendsBlob === undefined) {
      throw new UnknownUserError(
        `no root and friends list of ${userIdOf(user).slice(0, 16)}… are held here: mirror the user first`
      )
    }
    const key = await recoverKey(user, friendsBlob, given)
    const old = await this.find(userIdOf(user)).catch(() => undefined)
    const name = old?.name ?? `user-${userIdOf(user).slice(4, 12)}`
    const wrappedKey = await wrapKeyWithPassphrase(key.exportPrivate(), passphrase, kdf)
    const keystore = enc.encode(encodeAccount({ name, publicKey: key.publicKey, wrappedKey }))
    await this.#service.moveHome(await signHome(key, this.#service.self, await records.home(user)))
    await this.#service.writeRoot(await signRootChange(key, root, { keystore }), [keystore])
    return { name, key }
  }

  async #all(): Promise<UserAccount[]> {
    const accounts = new Map<string, UserAccount>()
    for (const user of await this.#service.rootUsers()) {
      const root = await this.#service.records.root(user)
      if (root?.record.keystore === undefined) continue
      const blob = await this.#service.blob(toHex(root.record.keystore))
      if (blob === undefined) continue
      const account = decodeAccount(dec.decode(blob))
      if (userIdOf(account.publicKey) === userIdOf(user)) accounts.set(userIdOf(user), account)
    }
    return [...accounts.values()]
  }
}
