// Account recovery by threshold sharing: the user's key split into shares (Shamir over GF(2^8)
// with a salted hash commitment, @defs/crypto), each wrapped to one friend's key and kept in the
// user's friends list, so the list travels to every mirror with the root. With any `threshold`
// friends' shares the key comes back on any node holding the list; fewer reveal nothing and say
// how many more are needed; a wrong or altered share is caught by the commitment and its holder
// named.
import {
  combineShares,
  importSigningKey,
  type PublicKey,
  type Share,
  type SigningKey,
  splitSecret,
  unwrapKeyWithSigningKey,
  verifyShare,
  wrapKeyForRecipient
} from '@defs/crypto'
import { decodeFriendsList, type FriendsList, samePublicKey } from '@defs/segment'
import { userIdOf } from './account.ts'
import { NotEnoughRecoverySharesError, RecoveryShareError } from './errors.ts'

/** A share as a friend hands it over: who held it, and the share opened with their key. */
export interface GivenShare {
  holder: PublicKey
  share: Share
}

function encodeShare(share: Share): Uint8Array {
  const out = new Uint8Array(1 + share.bytes.length)
  out[0] = share.index
  out.set(share.bytes, 1)
  return out
}

function decodeShare(bytes: Uint8Array): Share {
  if (bytes.length < 2 || bytes[0] === 0)
    throw new RecoveryShareError('a recovery share is malformed', undefined)
  return { index: bytes[0]!, bytes: bytes.slice(1) }
}

/**
 * The friends list `current` with a fresh recovery split of `key` among `friends` (kept friends
 * keep their grants; a share of an earlier split is replaced, so old shares stop counting).
 */
export async function recoveryFriendsList(
  key: SigningKey,
  threshold: number,
  friends: readonly PublicKey[],
  current: FriendsList = { friends: [] }
): Promise<FriendsList> {
  if (friends.length < 1 || friends.length > 255)
    throw new RangeError(`friends must be 1..255 keys, got ${friends.length}`)
  if (new Set(friends.map(userIdOf)).size !== friends.length)
    throw new RangeError('friends must be distinct keys')
  if (friends.some((f) => samePublicKey(f, key.publicKey)))
    throw new RangeError('a user cannot hold a share of their own key')
  const { shares, commitment } = await splitSecret(key.exportPrivate(), { threshold, shares: friends.length })
  const kept = current.friends
    .filter((f) => !friends.some((g) => samePublicKey(f.key, g)))
    .map(({ key: k, grants }) => ({ key: k, grants }))
  const named = await Promise.all(
    friends.map(async (friend, i) => {
      const grants = current.friends.find((f) => samePublicKey(f.key, friend))?.grants ?? []
      return {
        key: friend,
        grants,
        recoveryShare: await wrapKeyForRecipient(encodeShare(shares[i]!), friend)
      }
    })
  )
  return {
    friends: [...kept, ...named],
    recovery: { ...commitment, shareHashes: [...commitment.shareHashes] }
  }
}

/** A friend opens the share the friends list blob keeps for them, with their own key. */
export async function openRecoveryShare(friendsBlob: Uint8Array, friendKey: SigningKey): Promise<GivenShare> {
  const list = decodeFriendsList(friendsBlob)
  const entry = list.friends.find((f) => samePublicKey(f.key, friendKey.publicKey))
  if (entry?.recoveryShare === undefined) {
    throw new RecoveryShareError(
      `no recovery share is kept for ${userIdOf(friendKey.publicKey).slice(0, 16)}…`,
      userIdOf(friendKey.publicKey)
    )
  }
  return {
    holder: friendKey.publicKey,
    share: decodeShare(await unwrapKeyWithSigningKey(entry.recoveryShare, friendKey))
  }
}

/**
 * The user's key from friends' shares, checked against the commitment in their friends list:
 * RecoveryShareError naming the holder of a share that does not match (or who is no friend),
 * NotEnoughRecoverySharesError saying how many more are needed.
 */
export async function recoverKey(
  user: PublicKey,
  friendsBlob: Uint8Array,
  given: readonly GivenShare[]
): Promise<SigningKey> {
  const list = decodeFriendsList(friendsBlob)
  const commitment = list.recovery
  if (commitment === undefined)
    throw new RecoveryShareError('this user set up no recovery (defs user recovery setup)', undefined)
  const holders = new Set<string>()
  for (const { holder, share } of given) {
    const id = userIdOf(holder)
    if (!list.friends.some((f) => samePublicKey(f.key, holder) && f.recoveryShare !== undefined)) {
      throw new RecoveryShareError(`${id} holds no recovery share of this user`, id)
    }
    if (holders.has(id)) throw new RecoveryShareError(`two shares come from ${id}`, id)
    holders.add(id)
    if (!(await verifyShare(share, commitment))) {
      throw new RecoveryShareError(
        `the share from ${id} is wrong or was altered: it does not match the commitment`,
        id
      )
    }
  }
  if (given.length < commitment.threshold) {
    const more = commitment.threshold - given.length
    throw new NotEnoughRecoverySharesError(
      `recovery needs ${commitment.threshold} shares, got ${given.length}: ${more} more friend(s) must give theirs`,
      more
    )
  }
  const secret = await combineShares(
    given.map((g) => g.share),
    commitment
  )
  const key = await importSigningKey(user.algorithm, secret)
  if (!samePublicKey(key.publicKey, user))
    throw new RecoveryShareError('the shares give another key than the user’s', undefined)
  return key
}
