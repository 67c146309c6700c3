// A user's files and what they shared, as their session changes them at home: a file put goes
// into their sealed tree (name -> file id and the file key wrapped to the user), a share into
// their friends list (the file id and key wrapped to the friend). Each change signs the next root
// over the one just read; a root written meanwhile by another session of the user makes the
// write a RootConflictError, and the change is read and made again (the CAS loop of a pointer).
import {
  concatBytes,
  fileKeyLength,
  type PublicKey,
  type SigningKey,
  sha256,
  toHex,
  unwrapKeyWithSigningKey,
  wrapKeyForRecipient
} from '@defs/crypto'
import {
  decodeFriendsList,
  type Envelope,
  encodeFriendsList,
  type Friend,
  type FriendsList,
  limits,
  samePublicKey,
  type TreeEntry,
  type UserTree
} from '@defs/segment'
import { userIdOf } from './account.ts'
import {
  InvalidAccountError,
  NotSharedError,
  RootConflictError,
  UnknownFileError,
  UnknownUserError
} from './errors.ts'
import type { MirrorService } from './mirror-service.ts'
import { type RootContent, signNextRoot } from './signing.ts'
import { openTree, sealTree } from './tree-seal.ts'
import type { HeldRoot } from './user-records.ts'

/** A file of the user's tree with its key opened. */
export interface OpenedFile {
  name: string
  fileId: Uint8Array
  fileKey: Uint8Array
}

/** A file another user shared with this one: whose it is, and its id and key. */
export interface SharedFile {
  from: PublicKey
  fileId: Uint8Array
  fileKey: Uint8Array
}

/** Tries of one change when other writes of the same user keep winning the compare-and-swap. */
const CAS_TRIES = 8
/** File ids are 16 bytes (put-file's randomBytes(16)); a grant is the id then the key. */
const FILE_ID_BYTES = 16

export class UserFiles {
  readonly #service: MirrorService

  constructor(service: MirrorService) {
    this.#service = service
  }

  /**
   * Adds `name` -> `fileId` to the user's tree, the key wrapped to the user; a file of the same
   * name is replaced (its id leaves the root's file list). Returns the new root's seq.
   */
  async add(
    key: SigningKey,
    name: string,
    fileId: Uint8Array,
    fileKey: Uint8Array
  ): Promise<{ seq: number }> {
    if (
      typeof name !== 'string' ||
      name.length === 0 ||
      new TextEncoder().encode(name).length > limits.maxTreeNameBytes
    )
      throw new InvalidAccountError(`a file name in a tree must be 1..${limits.maxTreeNameBytes} bytes`)
    const wrappedKey = await wrapKeyForRecipient(fileKey, key.publicKey)
    return this.#change(key, async (current, tree) => {
      const entries: TreeEntry[] = [
        ...tree.entries.filter((e) => e.name !== name),
        { name, fileId, wrappedKey }
      ]
      const sealed = await sealTree({ entries }, key.publicKey)
      const next = await signNextRoot(key, current, { tree: sealed, files: entries.map((e) => e.fileId) })
      return { next, blobs: [sealed] }
    })
  }

  /**
   * Takes the file `nameOrId` out of the user's tree (UnknownFileError when it is not in it), and
   * its grants out of the friends list in the same root.
   */
  async remove(key: SigningKey, nameOrId: string): Promise<{ seq: number; file: OpenedFile }> {
    const file = await this.find(key, nameOrId)
    if (file === undefined)
      throw new UnknownFileError(`no file ${JSON.stringify(nameOrId)} is in this user's tree (defs ls)`)
    const { seq } = await this.#change(key, async (current, tree) => {
      const gone = tree.entries.find((e) => toHex(e.fileId) === toHex(file.fileId))
      const entries = tree.entries.filter((e) => e !== gone)
      const sealed = await sealTree({ entries }, key.publicKey)
      const content: RootContent = { tree: sealed, files: entries.map((e) => e.fileId) }
      const blobs = [sealed]
      if (current !== undefined && (gone?.grants?.length ?? 0) > 0) {
        const list = await this.#friendsOf(current)
        const { friends } = await withoutGrants(list.friends, new Set(gone!.grants!.map(toHex)))
        content.friends = encodeFriendsList({ ...list, friends })
        blobs.push(content.friends)
      }
      return { next: await signNextRoot(key, current, content), blobs }
    })
    return { seq, file }
  }

  /** The user's files, keys opened with their key. */
  async list(key: SigningKey): Promise<OpenedFile[]> {
    const tree = await this.#service.readTree(key)
    return Promise.all(
      tree.entries.map(async (e) => ({
        name: e.name,
        fileId: e.fileId,
        fileKey: await unwrapKeyWithSigningKey(e.wrappedKey, key)
      }))
    )
  }

  /** The file of the user's tree named `nameOrId` (its name, or its file id in hex). */
  async find(key: SigningKey, nameOrId: string): Promise<OpenedFile | undefined> {
    const entry = entryOf(await this.#service.readTree(key), nameOrId)
    if (entry === undefined) return undefined
    return {
      name: entry.name,
      fileId: entry.fileId,
      fileKey: await unwrapKeyWithSigningKey(entry.wrappedKey, key)
    }
  }

  /**
   * Grants `friend` the file `nameOrId` of the user's tree: its id and key wrapped to the friend's
   * key, kept under the friend in the user's friends list (which mirrors copy with the root). The
   * grant's SHA-256 goes into the file's tree entry (sealed), so `revoke` can find it again.
   */
  async share(
    key: SigningKey,
    nameOrId: string,
    friend: PublicKey
  ): Promise<{ seq: number; file: OpenedFile }> {
    if (samePublicKey(friend, key.publicKey))
      throw new InvalidAccountError('a user cannot share a file with themselves')
    const file = await this.find(key, nameOrId)
    if (file === undefined)
      throw new UnknownFileError(`no file ${JSON.stringify(nameOrId)} is in this user's tree (defs ls)`)
    const grant = await wrapKeyForRecipient(concatBytes(file.fileId, file.fileKey), friend)
    const digest = await sha256(grant)
    const { seq } = await this.#change(key, async (current, tree) => {
      if (current === undefined) throw new UnknownUserError('the user has no root here yet')
      const entry = entryOf(tree, toHex(file.fileId))
      if (entry === undefined)
        throw new UnknownFileError(`file ${file.name} left this user's tree meanwhile (defs ls)`)
      if ((entry.grants?.length ?? 0) >= limits.maxFriends) {
        throw new InvalidAccountError(`${file.name} is shared ${limits.maxFriends} times already`)
      }
      const list = await this.#friendsOf(current)
      const held = list.friends.find((f) => samePublicKey(f.key, friend))
      if (held !== undefined && held.grants.length >= limits.maxGrantsPerFriend) {
        throw new InvalidAccountError(
          `${userIdOf(friend).slice(0, 16)}… already holds ${limits.maxGrantsPerFriend} grants`
        )
      }
      const friends =
        held === undefined
          ? [...list.friends, { key: friend, grants: [grant] }]
          : list.friends.map((f) => (f === held ? { ...f, grants: [...f.grants, grant] } : f))
      const entries = tree.entries.map((e) =>
        e === entry ? { ...e, grants: [...(e.grants ?? []), digest] } : e
      )
      return this.#next(key, current, entries, { ...list, friends })
    })
    return { seq, file }
  }

  /**
   * Takes back what `share` granted `friend` of the file `nameOrId`: its grants leave the friends
   * list (a friend left with nothing, and no recovery share, leaves it too) in a new root, so the
   * friend no longer finds the file wherever that root is held (its mirrors, at their next sync).
   * NotSharedError when the tree records no grant of that file to that friend. It cannot take
   * back what the friend already read: the file key stays the same.
   */
  async revoke(
    key: SigningKey,
    nameOrId: string,
    friend: PublicKey
  ): Promise<{ seq: number; file: OpenedFile; revoked: number }> {
    const file = await this.find(key, nameOrId)
    if (file === undefined)
      throw new UnknownFileError(`no file ${JSON.stringify(nameOrId)} is in this user's tree (defs ls)`)
    let revoked = 0
    const { seq } = await this.#change(key, async (current, tree) => {
      const entry = entryOf(tree, toHex(file.fileId))
      const list = current === undefined ? { friends: [] } : await this.#friendsOf(current)
      const held = list.friends.find((f) => samePublicKey(f.key, friend))
      const mine = new Set((entry?.grants ?? []).map(toHex))
      const { friends, removed } =
        held === undefined
          ? { friends: list.friends, removed: new Set<string>() }
          : await withoutGrants(list.friends, mine, held)
      if (entry === undefined || current === undefined || removed.size === 0) {
        throw new NotSharedError(`${file.name} is not shared with ${userIdOf(friend).slice(0, 16)}…`)
      }
      revoked = removed.size
      const left = (entry.grants ?? []).filter((d) => !removed.has(toHex(d)))
      const entries = tree.entries.map((e) => {
        if (e !== entry) return e
        const { grants: _grants, ...rest } = e
        return left.length > 0 ? { ...rest, grants: left } : rest
      })
      return this.#next(key, current, entries, { ...list, friends })
    })
    return { seq, file, revoked }
  }

  /**
   * Files other users shared with this one, as far as this node holds their roots (their home is
   * here, or this node mirrors them): each grant kept for this user's key, opened with it.
   */
  async sharedWith(key: SigningKey): Promise<SharedFile[]> {
    const out = new Map<string, SharedFile>()
    for (const user of await this.#service.rootUsers()) {
      if (samePublicKey(user, key.publicKey)) continue
      // Another user's list is theirs to write: one that is not held or does not decode, or a
      // grant that does not open with this key, is skipped, so it cannot hide the other shares.
      const root = await this.#service.records.root(user).catch(() => undefined)
      if (root?.record.friends === undefined) continue
      const list = await this.#friendsOf(root).catch(() => undefined)
      const entry = list?.friends.find((f) => samePublicKey(f.key, key.publicKey))
      for (const grant of entry?.grants ?? []) {
        const secret = await unwrapKeyWithSigningKey(grant, key).catch(() => undefined)
        if (secret === undefined || secret.length !== FILE_ID_BYTES + fileKeyLength) continue
        const fileId = secret.slice(0, FILE_ID_BYTES)
        out.set(`${userIdOf(user)}/${toHex(fileId)}`, {
          from: user,
          fileId,
          fileKey: secret.slice(FILE_ID_BYTES)
        })
      }
    }
    return [...out.values()]
  }

  async #friendsOf(root: HeldRoot): Promise<FriendsList> {
    if (root.record.friends === undefined) return { friends: [] }
    const blob = await this.#service.blob(toHex(root.record.friends))
    if (blob === undefined)
      throw new UnknownUserError(`the friends list of root seq ${root.record.seq} is not held here`)
    return decodeFriendsList(blob)
  }

  /** The root after `current` with `entries` as the tree and `list` as the friends list. */
  async #next(
    key: SigningKey,
    current: HeldRoot,
    entries: TreeEntry[],
    list: FriendsList
  ): Promise<{ next: Envelope<'root'>; blobs: Uint8Array[] }> {
    const tree = await sealTree({ entries }, key.publicKey)
    const friends = encodeFriendsList(list)
    const next = await signNextRoot(key, current, { tree, friends, files: entries.map((e) => e.fileId) })
    return { next, blobs: [tree, friends] }
  }

  /** Reads the root and tree, makes the next root with `step`, writes it; again on a lost CAS. */
  async #change(
    key: SigningKey,
    step: (
      current: HeldRoot | undefined,
      tree: UserTree
    ) => Promise<{ next: Awaited<ReturnType<typeof signNextRoot>>; blobs: Uint8Array[] }>
  ): Promise<{ seq: number }> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.#service.records.root(key.publicKey)
      const tree: UserTree =
        current === undefined ? { entries: [] } : await openTree(await this.#treeBlob(current), key)
      const { next, blobs } = await step(current, tree)
      try {
        await this.#service.writeRoot(next, blobs)
        return { seq: (current?.record.seq ?? 0) + 1 }
      } catch (err) {
        if (!(err instanceof RootConflictError) || attempt >= CAS_TRIES) throw err
      }
    }
  }

  async #treeBlob(root: HeldRoot): Promise<Uint8Array> {
    const blob = await this.#service.blob(toHex(root.record.tree))
    if (blob === undefined)
      throw new UnknownUserError(`the tree blob of root seq ${root.record.seq} is not held here`)
    return blob
  }
}

/** The entry of `tree` named `nameOrId` (its name, or its file id in hex). */
function entryOf(tree: UserTree, nameOrId: string): TreeEntry | undefined {
  return (
    tree.entries.find((e) => e.name === nameOrId) ?? tree.entries.find((e) => toHex(e.fileId) === nameOrId)
  )
}

/**
 * `friends` without the grants whose SHA-256 (hex) is in `digests` (of `only` that friend, when
 * given), and a friend left with no grant and no recovery share dropped; the digests removed.
 */
async function withoutGrants(
  friends: Friend[],
  digests: Set<string>,
  only?: Friend
): Promise<{ friends: Friend[]; removed: Set<string> }> {
  const removed = new Set<string>()
  const out: Friend[] = []
  for (const f of friends) {
    if (only !== undefined && f !== only) {
      out.push(f)
      continue
    }
    const grants: Uint8Array[] = []
    for (const g of f.grants) {
      const d = toHex(await sha256(g))
      if (digests.has(d)) removed.add(d)
      else grants.push(g)
    }
    if (grants.length > 0 || f.recoveryShare !== undefined) out.push({ ...f, grants })
  }
  return { friends: out, removed }
}
