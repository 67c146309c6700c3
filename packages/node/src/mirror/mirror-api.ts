// The mirror service as the daemon and the CLI use it: users and peers named by text (a user name
// or id, a peer id or a multiaddr), answers as plain JSON-able objects.
import { decodePublicKey, fromHex, type PublicKey, type SigningKey, toHex } from '@defs/crypto'
import {
  type LoginPolicy,
  type MirrorService,
  type MirrorStatus,
  type RootRead,
  type SyncReport,
  UnknownFileError,
  UnknownUserError,
  type UserSummary,
  userIdOf
} from '@defs/mirror'
import { formatCapability, parseFileRef } from '@defs/segment'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { InvalidOptionError } from '../errors.ts'
import type { DefsNode } from '../node-types.ts'
import { mirrorOf } from './mirror-service.ts'

export interface TreeListing {
  user: string
  seq: number
  entries: TreeFile[]
}

/** A file of a user's tree; `size` when this node could read its manifest. */
export interface TreeFile {
  name: string
  fileId: string
  size?: number
}

/** A file another user shared with the session user. */
export interface SharedListing extends TreeFile {
  /** The user who shared it (their id), and their name where this node knows their account. */
  from: string
  fromName?: string
  capability: string
}

/** A user's root as a node read it, and where from. */
export interface RootSummary {
  user: string
  seq: number
  /** When the user signed it (ms since the epoch). */
  time: number
  files: number
  /** `home` when the home answered; `mirror` when it did not and a mirror's signed copy (maybe this node's) is the newest; `local` when this node is home. */
  source: RootRead['source']
  /** The peer whose copy it is. */
  peer: string
}

export interface UserMirrors {
  users(): Promise<UserSummary[]>
  createUser(name: string, passphrase: string): Promise<UserSummary>
  /** The user's key for a session (refused where their home is not, unless the policy allows). */
  login(
    user: string,
    passphrase: string,
    policy?: LoginPolicy
  ): Promise<{ key: SigningKey; summary: UserSummary }>
  tree(key: SigningKey): Promise<TreeListing>
  /** NotHomeError naming the home unless this node is the session user's home: checked before a put stores a byte. */
  assertHome(key: SigningKey): Promise<void>
  /** Puts the file of `capability` (owned by the session user) into their tree as `name`. */
  addFile(key: SigningKey, name: string, capability: string): Promise<{ seq: number }>
  /**
   * Takes `file` (name or id) out of the session user's tree, then deletes its shards (signed with
   * their key) and tombstones it, as `files.rm` does for the node's own files.
   */
  removeFile(
    key: SigningKey,
    file: string
  ): Promise<{ seq: number; name: string; fileId: string; shardsDeleted: number }>
  /** Grants `friend` (a user id, or a name known here) the file `file` (name or id) of the session user's tree. */
  share(
    key: SigningKey,
    file: string,
    friend: string
  ): Promise<{ seq: number; name: string; fileId: string; with: string }>
  /** Takes back the session user's grants of `file` (name or id) to `friend` (NotSharedError if none). */
  revoke(
    key: SigningKey,
    file: string,
    friend: string
  ): Promise<{ seq: number; name: string; fileId: string; with: string; revoked: number }>
  /** Files others shared with the session user, from the roots this node holds (home or mirror). */
  shared(key: SigningKey): Promise<SharedListing[]>
  /**
   * The capability of `ref` (a name or file id) as the session user reaches it: their own tree
   * first, then the files shared with them. UnknownFileError when neither has it.
   */
  capabilityOf(key: SigningKey, ref: string): Promise<{ name: string; fileId: string; capability: string }>
  /**
   * `user`'s (name or id) newest root: asked of their home; when it does not answer within about
   * 1 s, the newest signed copy among this node's, the mirrors it knows of the user and `mirrors`
   * (peer ids or multiaddrs). The answer says where it came from.
   */
  root(user: string, mirrors?: string[]): Promise<RootSummary>
  /** Mirror `user` (name or id) from `from` (a peer id, or a multiaddr ending in /p2p/<id>). */
  add(user: string, from: string): Promise<SyncReport>
  status(): MirrorStatus[]
  moveHome(
    user: string,
    passphrase: string,
    to: string
  ): Promise<{ home: string; seq: number; told: string[] }>
  /** Splits the session user's key among `friends` (user ids or names known here), any `threshold` recovering it. */
  setupRecovery(key: SigningKey, threshold: number, friends: string[]): Promise<{ seq: number }>
  /** The share of `user`'s key kept for the session user (a friend), opened with their key. */
  recoveryShare(user: string, friendKey: SigningKey): Promise<RecoveryShareText>
  /** `user`'s account back here from friends' shares, under a new passphrase; this node becomes home. */
  recover(user: string, shares: RecoveryShareText[], passphrase: string): Promise<UserSummary>
}

/** A recovery share as it travels from a friend to the node recovering: all hex. */
export interface RecoveryShareText {
  holder: string
  index: number
  share: string
}

const USER_ID = /^(ed01[0-9a-f]{64}|e701[0-9a-f]{66}|8024[0-9a-f]{66})$/

export function userMirrors(node: DefsNode<object>): UserMirrors {
  const mirror = mirrorOf(node)
  const summaryOf = async (key: PublicKey): Promise<UserSummary> => {
    const id = userIdOf(key)
    const found = (await mirror.accounts.list()).find((u) => u.user === id)
    if (found === undefined) throw new UnknownUserError(`no account of user ${id} is held here`)
    return found
  }
  return {
    users: () => mirror.accounts.list(),
    async createUser(name, passphrase) {
      return summaryOf((await mirror.accounts.create(name, passphrase)).account.publicKey)
    },
    async login(user, passphrase, policy) {
      const key = await mirror.accounts.login(user, passphrase, policy)
      return { key, summary: await summaryOf(key.publicKey) }
    },
    async tree(key) {
      const [files, root] = await Promise.all([mirror.files.list(key), mirror.records.root(key.publicKey)])
      return {
        user: userIdOf(key.publicKey),
        seq: root?.record.seq ?? 0,
        entries: await Promise.all(
          files.map(async (f) => ({
            name: f.name,
            fileId: toHex(f.fileId),
            ...(await sizeOf(node, formatCapability(f.fileId, f.fileKey, key.publicKey)))
          }))
        )
      }
    },
    assertHome: (key) => mirror.records.assertHome(key.publicKey),
    async addFile(key, name, capability) {
      const { fileId, fileKey, owner } = parseFileRef(capability)
      if (fileKey === undefined || owner === undefined || userIdOf(owner) !== userIdOf(key.publicKey)) {
        throw new InvalidOptionError('capability', 'must be a capability of a file the session user owns')
      }
      return mirror.files.add(key, name, fileId, fileKey)
    },
    async removeFile(key, file) {
      // Out of the tree first: once the root no longer names it, no mirror keeps copying it.
      const { seq, file: removed } = await mirror.files.remove(key, file)
      const fileId = toHex(removed.fileId)
      const { shardsDeleted } = await node.files.rm(fileId, { owner: key })
      return { seq, name: removed.name, fileId, shardsDeleted }
    },
    async share(key, file, friend) {
      const to = await userKeyOf(mirror, friend, 'with')
      const { seq, file: shared } = await mirror.files.share(key, file, to)
      return { seq, name: shared.name, fileId: toHex(shared.fileId), with: userIdOf(to) }
    },
    async revoke(key, file, friend) {
      const to = await userKeyOf(mirror, friend, 'with')
      const { seq, file: taken, revoked } = await mirror.files.revoke(key, file, to)
      return { seq, name: taken.name, fileId: toHex(taken.fileId), with: userIdOf(to), revoked }
    },
    async shared(key) {
      const names = new Map((await mirror.accounts.list()).map((u) => [u.user, u.name]))
      return Promise.all(
        (await mirror.files.sharedWith(key)).map(async (s) => {
          const capability = formatCapability(s.fileId, s.fileKey, s.from)
          const from = userIdOf(s.from)
          const info = await node.files.stat(capability).catch(() => undefined)
          const fromName = names.get(from)
          return {
            from,
            ...(fromName !== undefined ? { fromName } : {}),
            name: info?.name ?? '',
            fileId: toHex(s.fileId),
            ...(info !== undefined ? { size: info.size } : {}),
            capability
          }
        })
      )
    },
    async capabilityOf(key, ref) {
      const own = await mirror.files.find(key, ref)
      if (own !== undefined) {
        const capability = formatCapability(own.fileId, own.fileKey, key.publicKey)
        return { name: own.name, fileId: toHex(own.fileId), capability }
      }
      const shared = (await this.shared(key)).filter((s) => s.name === ref || s.fileId === ref)
      if (shared.length === 1) {
        const { name, fileId, capability } = shared[0]!
        return { name, fileId, capability }
      }
      if (shared.length > 1) {
        throw new UnknownFileError(
          `${shared.length} files named ${JSON.stringify(ref)} were shared with this user: name one by its file id (${shared.map((s) => s.fileId).join(', ')})`
        )
      }
      throw new UnknownFileError(
        `no file ${JSON.stringify(ref)} is in this user's tree or shared with them (defs ls, defs ls --shared)`
      )
    },
    async root(user, mirrors = []) {
      const key = await userKeyOf(mirror, user)
      const asked = new Map(mirror.knownMirrors(key).map((p) => [p.toString(), p]))
      for (const m of mirrors) {
        const peer = await peerOf(node, m, 'mirror')
        asked.set(peer.toString(), peer)
      }
      const read = await mirror.readRoot(key, { mirrors: [...asked.values()] })
      return {
        user: userIdOf(key),
        seq: read.root.seq,
        time: read.root.time,
        files: read.root.files.length,
        source: read.source,
        peer: read.peer
      }
    },
    async add(user, from) {
      return mirror.addMirror(await userKeyOf(mirror, user), await peerOf(node, from))
    },
    status: () => mirror.status(),
    async setupRecovery(key, threshold, friends) {
      const keys = await Promise.all(friends.map((f) => userKeyOf(mirror, f)))
      return mirror.accounts.setupRecovery(key, threshold, keys)
    },
    async recoveryShare(user, friendKey) {
      const given = await mirror.accounts.recoveryShare(await userKeyOf(mirror, user), friendKey)
      return { holder: userIdOf(given.holder), index: given.share.index, share: toHex(given.share.bytes) }
    },
    async recover(user, shares, passphrase) {
      const key = await userKeyOf(mirror, user)
      const given = shares.map((s) => {
        if (
          !USER_ID.test(s.holder) ||
          !Number.isInteger(s.index) ||
          s.index < 1 ||
          s.index > 255 ||
          !/^(?:[0-9a-f]{2})+$/.test(s.share)
        ) {
          throw new InvalidOptionError('shares', 'must be [{ holder: user id, index: 1..255, share: hex }]')
        }
        return {
          holder: decodePublicKey(fromHex(s.holder)),
          share: { index: s.index, bytes: fromHex(s.share) }
        }
      })
      await mirror.accounts.recover(key, given, passphrase)
      return summaryOf(key)
    },
    async moveHome(user, passphrase, to) {
      return mirror.accounts.moveHome(user, passphrase, await peerOf(node, to))
    }
  }
}

/** The size of a file as its manifest says, where this node can read it (else nothing). */
async function sizeOf(node: DefsNode<object>, capability: string): Promise<{ size?: number }> {
  const info = await node.files.stat(capability).catch(() => undefined)
  return info === undefined ? {} : { size: info.size }
}

/** A known account by name or id, or any user by id (a mirror knows no name before its first sync). */
async function userKeyOf(mirror: MirrorService, user: string, option = 'user'): Promise<PublicKey> {
  const known = await mirror.accounts.find(user).catch(() => undefined)
  if (known !== undefined) return known.publicKey
  if (USER_ID.test(user)) return decodePublicKey(fromHex(user))
  throw new InvalidOptionError(
    option,
    `must be a user id (ed01 and 64 hex; defs user list on their home shows it) or a user known here, got ${JSON.stringify(user)}`
  )
}

/** A peer id, or a multiaddr with /p2p/<id>, dialled first so the peer can be reached. */
async function peerOf(node: DefsNode<object>, peer: string, option = 'peer'): Promise<PeerId> {
  if (peer.startsWith('/')) {
    const id = /\/p2p\/([1-9A-HJ-NP-Za-km-z]+)$/.exec(peer)?.[1]
    if (id === undefined)
      throw new InvalidOptionError(option, `a multiaddr must end in /p2p/<peer id>, got ${peer}`)
    await node.peers.connect(peer)
    return peerIdFromString(id)
  }
  try {
    return peerIdFromString(peer)
  } catch {
    throw new InvalidOptionError(
      option,
      `must be a peer id like 12D3KooW... or a multiaddr, got ${JSON.stringify(peer)}`
    )
  }
}
