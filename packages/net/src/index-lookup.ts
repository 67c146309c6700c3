// One outstanding index query: gathers checked answers until enough holders answered, the answers
// settle, or the deadline passes. A manifest counts only when its signature holds, it is for the
// file asked, and it is signed by the owner the asker expects; anything else is refused and its
// sender named, and a wrong answer never ends the wait for a right one.
import type { PublicKey } from '@defs/crypto'
import { type Envelope, type IndexAnswer, verify } from '@defs/segment'
import type { PeerId } from '@libp2p/interface'
import { equalBytes, hex } from './bytes.ts'
import { InvalidLocationRecordError } from './errors.ts'
import type { SignedManifest } from './file-routing.ts'
import { type VerifiedLocation, verifyLocation } from './location-records.ts'

export interface LookupResult {
  /** Verified, unexpired location records, one per signed envelope. */
  locations: VerifiedLocation[]
  /**
   * The newest manifest of the expected owner (when asked for). Without an expected owner, set
   * only when every valid manifest that came names one owner: a guess the caller must not take
   * for the owner's word.
   */
  manifest?: SignedManifest
  /** The newest valid manifest of each owner that answered (owner unchecked). */
  manifests: SignedManifest[]
  /** Records and manifests refused (forged, expired, wrong file or owner), each naming its sender. */
  rejected: InvalidLocationRecordError[]
  /** Where the answers came from. */
  source: 'broadcast' | 'dht' | 'none'
}

export interface PendingLookupOptions {
  /** Resolve once this many distinct holders gave a useful answer. */
  enough: number
  /** After the first useful answer, resolve when no new one came for this long. */
  settleMs: number
  /** Resolve at the latest after this long. */
  timeoutMs: number
  /** The owner whose manifest is wanted. */
  owner?: PublicKey
  signal?: AbortSignal
}

export class PendingLookup {
  readonly fileId: Uint8Array
  readonly want: 'manifest' | 'shards'
  readonly owner?: PublicKey
  private readonly options: PendingLookupOptions
  private readonly locations = new Map<string, VerifiedLocation>()
  private readonly holders = new Set<string>()
  private readonly rejected: InvalidLocationRecordError[] = []
  /** owner key hex -> its newest manifest */
  private readonly manifests = new Map<string, SignedManifest>()
  private readonly finished: Promise<void>
  private resolve!: () => void
  private settleTimer?: ReturnType<typeof setTimeout>
  private readonly deadline: ReturnType<typeof setTimeout>
  private closed = false

  constructor(fileId: Uint8Array, want: 'manifest' | 'shards', options: PendingLookupOptions) {
    this.fileId = fileId
    this.want = want
    this.owner = options.owner
    this.options = options
    this.finished = new Promise((resolve) => {
      this.resolve = resolve
    })
    this.deadline = setTimeout(() => this.finish(), options.timeoutMs)
    options.signal?.addEventListener('abort', this.onAbort, { once: true })
  }

  /** Take one holder's checked answer. */
  add(holder: string, checked: CheckedAnswer): void {
    if (this.closed) return
    this.rejected.push(...checked.rejected)
    for (const location of checked.locations) this.locations.set(hex(location.envelope.signature), location)
    const { manifest } = checked
    if (manifest !== undefined) {
      const key = ownerKey(manifest.manifest.owner)
      const seen = this.manifests.get(key)
      if (seen === undefined || manifest.manifest.seq > seen.manifest.seq) this.manifests.set(key, manifest)
    }
    const useful =
      this.want === 'shards'
        ? checked.locations.length > 0
        : manifest !== undefined &&
          (this.owner === undefined || ownerKey(manifest.manifest.owner) === ownerKey(this.owner))
    if (!useful) return
    this.holders.add(holder)
    // without an expected owner no answer is known right: gather until the answers settle
    if (this.holders.size >= this.options.enough && (this.want === 'shards' || this.owner !== undefined)) {
      this.finish()
      return
    }
    clearTimeout(this.settleTimer)
    this.settleTimer = setTimeout(() => this.finish(), this.options.settleMs)
  }

  /** Resolves with what arrived once the lookup is over. */
  async result(source: 'broadcast' | 'dht'): Promise<LookupResult> {
    await this.finished
    const locations = [...this.locations.values()]
    const manifests = [...this.manifests.values()]
    const manifest =
      this.owner !== undefined
        ? this.manifests.get(ownerKey(this.owner))
        : manifests.length === 1
          ? manifests[0]
          : undefined
    const found = locations.length > 0 || manifest !== undefined
    return { locations, manifest, manifests, rejected: this.rejected, source: found ? source : 'none' }
  }

  get answered(): number {
    return this.holders.size
  }

  private readonly onAbort = (): void => this.finish()

  finish(): void {
    if (this.closed) return
    this.closed = true
    this.options.signal?.removeEventListener('abort', this.onAbort)
    clearTimeout(this.settleTimer)
    clearTimeout(this.deadline)
    this.resolve()
  }
}

function ownerKey(key: PublicKey): string {
  return `${key.algorithm}:${hex(key.bytes)}`
}

export interface CheckedAnswer {
  locations: VerifiedLocation[]
  rejected: InvalidLocationRecordError[]
  manifest?: SignedManifest
}

/**
 * Verify every record and the manifest of an answer `from` a peer: records must be signed by the
 * holder they name, for `fileId`; a manifest must verify, be for `fileId` and, when `owner` is
 * given, be signed by it. Bad ones land in `rejected`.
 */
export async function checkAnswer(
  answer: IndexAnswer,
  from: PeerId,
  fileId: Uint8Array,
  maxTtlMs: number,
  owner?: PublicKey
): Promise<CheckedAnswer> {
  const sender = from.toString()
  const out: CheckedAnswer = { locations: [], rejected: [] }
  const now = Date.now()
  for (const envelope of answer.locations) {
    try {
      out.locations.push(await verifyLocation(envelope, sender, { fileId, now, maxTtlMs }))
    } catch (err) {
      if (!(err instanceof InvalidLocationRecordError)) throw err
      out.rejected.push(err)
    }
  }
  if (answer.manifest !== undefined) {
    try {
      out.manifest = await checkManifest(answer.manifest, fileId, owner)
    } catch (err) {
      out.rejected.push(
        new InvalidLocationRecordError(sender, `manifest ${err instanceof Error ? err.message : err}`)
      )
    }
  }
  return out
}

/** The manifest in `envelope` if it verifies, is for `fileId` and (when given) is `owner`'s; throws what is wrong. */
export async function checkManifest(
  envelope: Envelope<'manifest'>,
  fileId: Uint8Array,
  owner?: PublicKey
): Promise<SignedManifest> {
  const manifest = await verify(envelope, 'manifest')
  if (!equalBytes(manifest.fileId, fileId))
    throw new Error(`is for file ${hex(manifest.fileId)}, not ${hex(fileId)}`)
  if (owner !== undefined && ownerKey(manifest.owner) !== ownerKey(owner)) {
    throw new Error(
      `of file ${hex(fileId)} is signed by ${ownerKey(manifest.owner)}, not the owner asked for`
    )
  }
  return { manifest, envelope }
}
