// Both ends of an index answer: the holder builds one from what it holds (signing location
// records with its node key, cached while fresh), the asker checks every record in it.
import type { SigningKey } from '@defs/crypto'
import { type Envelope, type IndexAnswer, type IndexQuery, verify } from '@defs/segment'
import type { PeerId } from '@libp2p/interface'
import { equalBytes, hex } from './bytes.ts'
import { InvalidLocationRecordError } from './errors.ts'
import type { LookupResult } from './index-lookup.ts'
import { signLocations, type VerifiedLocation, verifyLocation } from './location-records.ts'

/** What this node holds of a file: shard ids, and the manifest if it keeps one. */
export interface IndexHoldings {
  shards: Uint8Array[]
  manifest?: Envelope<'manifest'>
}

export type HoldingsLookup = (
  fileId: Uint8Array,
  want: 'manifest' | 'shards'
) => IndexHoldings | undefined | Promise<IndexHoldings | undefined>

interface CachedRecords {
  shardsKey: string
  envelopes: Envelope<'location'>[]
  refreshAt: number
}

const MAX_CACHED_FILES = 4096

export class AnswerBuilder {
  private readonly holdings: HoldingsLookup
  private readonly key: () => Promise<SigningKey>
  private readonly self: PeerId
  private readonly ttlMs: number
  private readonly cache = new Map<string, CachedRecords>()

  constructor(holdings: HoldingsLookup, key: () => Promise<SigningKey>, self: PeerId, ttlMs: number) {
    this.holdings = holdings
    this.key = key
    this.self = self
    this.ttlMs = ttlMs
  }

  /** The answer to `query`, or undefined when this node holds nothing of the file. */
  async answer(query: IndexQuery): Promise<IndexAnswer | undefined> {
    const held = await this.holdings(query.fileId, query.want)
    const manifest = query.want === 'manifest' ? held?.manifest : undefined
    const shards = held?.shards ?? []
    if (shards.length === 0 && manifest === undefined) return undefined
    const locations = shards.length > 0 ? await this.records(query.fileId, shards) : []
    return { queryId: query.queryId, fileId: query.fileId, locations, ...(manifest ? { manifest } : {}) }
  }

  /** Signed records of `shards`, re-signed once half their lifetime has passed or the set changed. */
  private async records(fileId: Uint8Array, shards: Uint8Array[]): Promise<Envelope<'location'>[]> {
    const file = hex(fileId)
    const shardsKey = shards.map(hex).join()
    const now = Date.now()
    const cached = this.cache.get(file)
    if (cached !== undefined && cached.shardsKey === shardsKey && cached.refreshAt > now)
      return cached.envelopes
    const envelopes = await signLocations(await this.key(), this.self, fileId, shards, this.ttlMs, now)
    this.cache.delete(file)
    if (this.cache.size >= MAX_CACHED_FILES) this.cache.delete(this.cache.keys().next().value!)
    this.cache.set(file, { shardsKey, envelopes, refreshAt: now + this.ttlMs / 2 })
    return envelopes
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
