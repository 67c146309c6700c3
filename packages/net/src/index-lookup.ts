// One outstanding index query: gathers verified answers until enough holders answered, the
// answers settle, or the deadline passes.
import { type Envelope, type IndexAnswer, type Manifest, verify } from '@defs/segment'
import type { PeerId } from '@libp2p/interface'
import { equalBytes, hex } from './bytes.ts'
import { InvalidLocationRecordError } from './errors.ts'
import { type VerifiedLocation, verifyLocation } from './location-records.ts'

export interface LookupResult {
  /** Verified, unexpired location records, one per signed envelope. */
  locations: VerifiedLocation[]
  /** The newest verified manifest any holder sent (when asked for). */
  manifest?: { manifest: Manifest; envelope: Envelope<'manifest'> }
  /** Records refused (forged, expired, wrong file), each naming the peer that sent it. */
  rejected: InvalidLocationRecordError[]
  /** Where the answers came from. */
  source: 'broadcast' | 'dht' | 'none'
}

export interface PendingLookupOptions {
  /** Resolve once this many distinct holders answered. */
  enough: number
  /** After the first answer, resolve when no new one came for this long. */
  settleMs: number
  /** Resolve at the latest after this long. */
  timeoutMs: number
  signal?: AbortSignal
}

export class PendingLookup {
  readonly fileId: Uint8Array
  readonly want: 'manifest' | 'shards'
  private readonly options: PendingLookupOptions
  private readonly locations = new Map<string, VerifiedLocation>()
  private readonly holders = new Set<string>()
  private readonly rejected: InvalidLocationRecordError[] = []
  private manifest?: LookupResult['manifest']
  private readonly finished: Promise<void>
  private resolve!: () => void
  private settleTimer?: ReturnType<typeof setTimeout>
  private readonly deadline: ReturnType<typeof setTimeout>
  private closed = false

  constructor(fileId: Uint8Array, want: 'manifest' | 'shards', options: PendingLookupOptions) {
    this.fileId = fileId
    this.want = want
    this.options = options
    this.finished = new Promise((resolve) => {
      this.resolve = resolve
    })
    this.deadline = setTimeout(() => this.finish(), options.timeoutMs)
    options.signal?.addEventListener('abort', this.onAbort, { once: true })
  }

  /** Take one holder's checked answer. */
  add(
    holder: string,
    locations: VerifiedLocation[],
    rejected: InvalidLocationRecordError[],
    manifest?: LookupResult['manifest']
  ): void {
    if (this.closed) return
    this.rejected.push(...rejected)
    for (const location of locations) {
      this.locations.set(Buffer.from(location.envelope.signature).toString('hex'), location)
    }
    if (
      manifest !== undefined &&
      (this.manifest === undefined || manifest.manifest.seq > this.manifest.manifest.seq)
    ) {
      this.manifest = manifest
    }
    const useful = this.want === 'manifest' ? manifest !== undefined : locations.length > 0
    if (!useful) return
    this.holders.add(holder)
    if (this.holders.size >= this.options.enough) {
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
    const found = locations.length > 0 || this.manifest !== undefined
    return { locations, manifest: this.manifest, rejected: this.rejected, source: found ? source : 'none' }
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

export interface CheckedAnswer {
  locations: VerifiedLocation[]
  rejected: InvalidLocationRecordError[]
  manifest?: LookupResult['manifest']
}

/** Verify every record and the manifest of an answer `from` a peer; bad ones land in `rejected`. */
export async function checkAnswer(
  answer: IndexAnswer,
  from: PeerId,
  fileId: Uint8Array,
  maxTtlMs: number
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
      const manifest = await verify(answer.manifest, 'manifest')
      if (!equalBytes(manifest.fileId, fileId)) throw new Error(`is for file ${hex(manifest.fileId)}`)
      out.manifest = { manifest, envelope: answer.manifest }
    } catch (err) {
      out.rejected.push(
        new InvalidLocationRecordError(sender, `manifest ${err instanceof Error ? err.message : err}`)
      )
    }
  }
  return out
}
