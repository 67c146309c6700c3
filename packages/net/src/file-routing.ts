// The DHT fallback of the index: provider records say which peers hold something of a file, and a
// `/defs-manifest/<file id>/<owner key id>` value record carries an owner's newest signed
// manifest. Both are checked on every node that stores or returns them (validator + selector
// handed to kad-dht). The owner is part of the key so a stranger's self-signed manifest of the
// same file, however high its seq, lands under its own key and never displaces the owner's.
import { type PublicKey, publicKeyId, sha256 } from '@defs/crypto'
import {
  decodeEnvelope,
  type Envelope,
  encodeEnvelope,
  type Manifest,
  type SignedPairing,
  verify
} from '@defs/segment'
import type { AbortOptions, PeerId } from '@libp2p/interface'
import { type KadDHT, MessageType, type SelectFn, type ValidateFn } from '@libp2p/kad-dht'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { equalBytes, hex } from './bytes.ts'
import { type OpenedPairing, openPairingRecord, pairingKey, pairingValue } from './pairing-routing.ts'

/** Namespace of manifest records in the DHT. */
export const MANIFEST_NAMESPACE = 'defs-manifest'
const RAW_CODEC = 0x55
const SHA2_256 = 0x12
const fileDomain = new TextEncoder().encode('defs:file:v1\0')

/** The CID under which holders of `fileId` are announced: SHA-256 of a domain and the id. */
export async function fileCid(fileId: Uint8Array): Promise<CID> {
  const tagged = new Uint8Array(fileDomain.length + fileId.length)
  tagged.set(fileDomain)
  tagged.set(fileId, fileDomain.length)
  return CID.createV1(RAW_CODEC, Digest.create(SHA2_256, await sha256(tagged)))
}

/** The DHT key of `owner`'s manifest of `fileId`. */
export async function manifestKey(fileId: Uint8Array, owner: PublicKey): Promise<Uint8Array> {
  return new TextEncoder().encode(`/${MANIFEST_NAMESPACE}/${hex(fileId)}/${hex(await publicKeyId(owner))}`)
}

/** A verified manifest and the envelope it came in. */
export interface SignedManifest {
  manifest: Manifest
  envelope: Envelope<'manifest'>
}

/** Decode and verify a manifest record; throws (a DecodeError or RangeError) if it is not valid for `key`. */
async function openManifestRecord(key: Uint8Array, value: Uint8Array): Promise<SignedManifest> {
  const envelope = decodeEnvelope(value) as Envelope<'manifest'>
  const manifest = await verify(envelope, 'manifest')
  if (!equalBytes(await manifestKey(manifest.fileId, manifest.owner), key)) {
    throw new RangeError(`manifest record of file ${hex(manifest.fileId)} stored under another key`)
  }
  return { manifest, envelope }
}

/** kad-dht validator of manifest records: a valid owner signature, under its own file's key. */
export const validateManifestRecord: ValidateFn = async (key, value) => {
  await openManifestRecord(key, value)
}

/** kad-dht selector: the valid manifest with the highest seq (no rollback through the DHT). */
export const selectManifestRecord: SelectFn = async (key, records) => {
  let best = 0
  let bestSeq = -1
  for (const [i, value] of records.entries()) {
    try {
      const { manifest } = await openManifestRecord(key, value)
      if (manifest.seq > bestSeq) {
        best = i
        bestSeq = manifest.seq
      }
    } catch {
      // an invalid record never wins
    }
  }
  return best
}

/** Provider records and manifest records of files, and pairing records of peers, on a kad-dht. */
export class FileRouting {
  private readonly dht: () => KadDHT
  private readonly self: PeerId

  constructor(dht: () => KadDHT, self: PeerId) {
    this.dht = dht
    this.self = self
  }

  /** Tell the DHT this node holds something of `fileId`. */
  async provide(fileId: Uint8Array, options?: AbortOptions): Promise<void> {
    for await (const _ of this.dht().provide(await fileCid(fileId), options)) {
      // drain: the query runs as it is iterated
    }
  }

  /** Peers (not this one) the DHT names as holders of `fileId`, at most `limit`. */
  async providers(fileId: Uint8Array, limit: number, options?: AbortOptions): Promise<PeerId[]> {
    const found = new Map<string, PeerId>()
    const controller = new AbortController()
    const signal =
      options?.signal === undefined ? controller.signal : AbortSignal.any([options.signal, controller.signal])
    try {
      for await (const event of this.dht().findProviders(await fileCid(fileId), { signal })) {
        if (event.name !== 'PROVIDER') continue
        for (const provider of event.providers) {
          if (!provider.id.equals(this.self)) found.set(provider.id.toString(), provider.id)
        }
        if (found.size >= limit) break
      }
    } finally {
      controller.abort()
    }
    return [...found.values()].slice(0, limit)
  }

  /** Store a signed manifest under its file's key (checked first: the DHT refuses bad ones anyway). */
  async putManifest(envelope: Envelope<'manifest'>, options?: AbortOptions): Promise<void> {
    const manifest = await verify(envelope, 'manifest')
    const key = await manifestKey(manifest.fileId, manifest.owner)
    for await (const _ of this.dht().put(key, encodeEnvelope(envelope), options)) {
      // drain
    }
  }

  /** `owner`'s newest valid manifest of `fileId` the DHT returns, or undefined. */
  async getManifest(
    fileId: Uint8Array,
    owner: PublicKey,
    options?: AbortOptions
  ): Promise<SignedManifest | undefined> {
    const key = await manifestKey(fileId, owner)
    let best: SignedManifest | undefined
    try {
      for await (const event of this.dht().get(key, options)) {
        if (event.name !== 'VALUE') continue
        try {
          const found = await openManifestRecord(key, event.value)
          if (best === undefined || found.manifest.seq > best.manifest.seq) best = found
        } catch {
          // a bad value from one peer; others may have a good one
        }
      }
    } catch (err) {
      if (best === undefined && (err as Error).name !== 'NotFoundError') throw err
    }
    return best
  }

  /**
   * Store a pairing signed by both peers under each peer's key (checked first: SignatureError if
   * it is not). Resolves once some DHT peer took each of the two; throws when none did.
   */
  async putPairing(signed: SignedPairing, options?: AbortOptions): Promise<void> {
    const { value, opened } = await pairingValue(signed)
    for (const peer of opened.peers) {
      let took = 0
      for await (const event of this.dht().put(pairingKey(peer), value, options)) {
        if (event.name === 'PEER_RESPONSE' && event.messageType === MessageType.PUT_VALUE) took++
      }
      // kad-dht stores it here and calls a put with no DHT peer done: the caller tries again
      if (took === 0) throw new Error(`no DHT peer took the pairing record of ${peer}`)
    }
  }

  /** The valid pairing record of `peer` with the highest epoch the DHT returns, or undefined. */
  async getPairing(peer: PeerId | string, options?: AbortOptions): Promise<OpenedPairing | undefined> {
    const key = pairingKey(peer)
    let best: OpenedPairing | undefined
    try {
      for await (const event of this.dht().get(key, options)) {
        if (event.name !== 'VALUE') continue
        try {
          const found = await openPairingRecord(key, event.value)
          if (best === undefined || found.record.epoch > best.record.epoch) best = found
        } catch {
          // a forged value from one peer; others may have a good one
        }
      }
    } catch (err) {
      if (best === undefined && (err as Error).name !== 'NotFoundError') throw err
    }
    return best
  }
}
