// What the user signs, on their own machine or in their session: the next root after the one they
// read (compare-and-swap: it names that root's digest) and home records. Nothing here needs a node.
import { type SigningKey, sha256, toHex } from '@defs/crypto'
import { type Envelope, type HomeRecord, rootDigest, sign, type UserRoot } from '@defs/segment'
import type { HeldHome, HeldRoot } from './user-records.ts'

export interface RootContent {
  /** The sealed tree blob (see sealTree). */
  tree: Uint8Array
  /** The encoded friends list blob, if it changes (else the current root's is kept). */
  friends?: Uint8Array
  /** Every file id the tree names. */
  files: Uint8Array[]
  /** The account blob (encodeAccount), if it changes (else the current root's is kept). */
  keystore?: Uint8Array
}

/** The digests of the blobs a root names: its tree, friends list and account blob. */
export function blobsOf(root: UserRoot): Uint8Array[] {
  return [root.tree, root.friends, root.keystore].filter((d): d is Uint8Array => d !== undefined)
}

/** The hex id a blob is stored and asked for under: SHA-256 of its bytes. */
export async function blobId(bytes: Uint8Array): Promise<string> {
  return toHex(await sha256(bytes))
}

/** The root that replaces `current` (or the first root), signed by `key`. */
export async function signNextRoot(
  key: SigningKey,
  current: HeldRoot | undefined,
  content: RootContent,
  now: number = Date.now()
): Promise<Envelope<'root'>> {
  const root: UserRoot = {
    user: key.publicKey,
    seq: current === undefined ? 1 : current.record.seq + 1,
    tree: await sha256(content.tree),
    files: content.files,
    time: now
  }
  if (current !== undefined) root.previous = await rootDigest(current.envelope.payload)
  // A blob not given is kept from the current root: a tree change keeps friends and account.
  const friends = content.friends === undefined ? current?.record.friends : await sha256(content.friends)
  const keystore = content.keystore === undefined ? current?.record.keystore : await sha256(content.keystore)
  if (friends !== undefined) root.friends = friends
  if (keystore !== undefined) root.keystore = keystore
  return sign('root', root, key)
}

/** "My home is `home`" (a peer id as binary multihash), one above `current`, signed by `key` alone. */
export async function signHome(
  key: SigningKey,
  home: Uint8Array,
  current: HeldHome | undefined,
  now: number = Date.now()
): Promise<Envelope<'home'>> {
  const record: HomeRecord = { user: key.publicKey, home, seq: (current?.record.seq ?? 0) + 1, time: now }
  return sign('home', record, key)
}

/** The root after `current` with some of its blobs replaced (given as bytes), the rest kept. */
export async function signRootChange(
  key: SigningKey,
  current: HeldRoot,
  change: { friends?: Uint8Array; keystore?: Uint8Array },
  now: number = Date.now()
): Promise<Envelope<'root'>> {
  const root: UserRoot = {
    ...current.record,
    seq: current.record.seq + 1,
    previous: await rootDigest(current.envelope.payload),
    time: now
  }
  if (change.friends !== undefined) root.friends = await sha256(change.friends)
  if (change.keystore !== undefined) root.keystore = await sha256(change.keystore)
  return sign('root', root, key)
}
