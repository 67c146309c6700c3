// Location records: "peer P holds these shards of file F until T", signed by P's own libp2p key,
// so a record proves itself without any lookup: the signer's key must be the key of the peer id
// the record names.
import { importSigningKey, type PublicKey, type SigningKey } from '@defs/crypto'
import { type Envelope, type LocationRecord, limits, sign, verify } from '@defs/segment'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { equalBytes, hex } from './bytes.ts'
import { InvalidLocationRecordError } from './errors.ts'

/** A location record whose signature, signer, file and expiry were checked. */
export interface VerifiedLocation {
  /** The holder (the signer). */
  peer: PeerId
  record: LocationRecord
  envelope: Envelope<'location'>
}

export interface LocationCheck {
  fileId: Uint8Array
  now?: number
  /** Records that claim to stay valid longer than this from now are refused (default 7 days). */
  maxTtlMs?: number
  /** How far in the future `issued` may be (clock skew, default 5 minutes). */
  maxSkewMs?: number
}

/** The @defs/crypto signing key of a libp2p private key (Ed25519 or secp256k1). */
export async function signingKeyOf(privateKey: PrivateKey): Promise<SigningKey> {
  if (privateKey.type === 'Ed25519') return importSigningKey('ed25519', privateKey.raw.subarray(0, 32))
  if (privateKey.type === 'secp256k1') return importSigningKey('secp256k1', privateKey.raw)
  throw new RangeError(
    `node key must be Ed25519 or secp256k1 to sign location records, got ${privateKey.type}`
  )
}

/** Signed records for `shards` of `fileId` held by `peer`, split to the per-record cap. */
export async function signLocations(
  key: SigningKey,
  peer: PeerId,
  fileId: Uint8Array,
  shards: Uint8Array[],
  ttlMs: number,
  now = Date.now()
): Promise<Envelope<'location'>[]> {
  const envelopes: Envelope<'location'>[] = []
  const per = limits.maxShardIdsPerRecord
  for (let at = 0; at < shards.length && envelopes.length < limits.maxIndexLocations; at += per) {
    const record: LocationRecord = {
      peer: peer.toMultihash().bytes,
      fileId,
      shards: shards.slice(at, at + per),
      issued: now,
      expires: now + ttlMs
    }
    envelopes.push(await sign('location', record, key))
  }
  return envelopes
}

/**
 * Checks one location envelope; throws InvalidLocationRecordError naming `from` (the peer that
 * handed it over) when the signature, the signer-peer binding, the file or the times are wrong.
 */
export async function verifyLocation(
  envelope: Envelope<'location'>,
  from: string,
  check: LocationCheck
): Promise<VerifiedLocation> {
  const { fileId, now = Date.now(), maxTtlMs = 7 * 24 * 3600_000, maxSkewMs = 5 * 60_000 } = check
  let record: LocationRecord
  try {
    record = await verify(envelope, 'location')
  } catch (err) {
    throw new InvalidLocationRecordError(
      from,
      `location record does not verify: ${err instanceof Error ? err.message : err}`
    )
  }
  const peer = peerOfKey(envelope.publicKey, from)
  if (!equalBytes(peer.toMultihash().bytes, record.peer)) {
    throw new InvalidLocationRecordError(
      from,
      `location record names peer ${hex(record.peer)} but is signed by ${peer}`
    )
  }
  if (!equalBytes(record.fileId, fileId)) {
    throw new InvalidLocationRecordError(
      from,
      `location record is for file ${hex(record.fileId)}, not ${hex(fileId)}`
    )
  }
  if (now >= record.expires)
    throw new InvalidLocationRecordError(from, `location record expired at ${record.expires} (now ${now})`)
  if (record.expires - now > maxTtlMs) {
    throw new InvalidLocationRecordError(
      from,
      `expires ${record.expires - now} ms from now, over ${maxTtlMs}`
    )
  }
  if (record.issued - now > maxSkewMs) {
    throw new InvalidLocationRecordError(
      from,
      `location record issued ${record.issued - now} ms in the future`
    )
  }
  return { peer, record, envelope }
}

function peerOfKey(key: PublicKey, from: string): PeerId {
  if (key.algorithm !== 'ed25519' && key.algorithm !== 'secp256k1') {
    throw new InvalidLocationRecordError(
      from,
      `location record signed with ${key.algorithm}, which no libp2p peer id uses`
    )
  }
  return peerIdFromPublicKey(publicKeyFromRaw(key.bytes))
}
