// Signed envelopes: `{ type, payload, publicKey, signature }`, the signature over
// `defs:<type>:v1\0 || payload`. The domain prefix makes a signature for one record type useless
// as another, and the payload is the record's canonical CBOR, checked again on verify.
import { type PublicKey, type SigningKey, verifySignature } from '@defs/crypto'
import { concatBytes, domainOf } from './bytes.ts'
import { decodeWith, encodeWith } from './codec.ts'
import { type DeleteRequest, decodeDeleteRequest, encodeDeleteRequest } from './delete-request.ts'
import { EncodeError, SignatureError, WrongRecordTypeError } from './errors.ts'
import { publicKeyField, samePublicKey, signatureField } from './fields.ts'
import { decodeHomeRecord, encodeHomeRecord, type HomeRecord } from './home-record.ts'
import { decodeLeaseRenewal, encodeLeaseRenewal, type LeaseRenewal } from './lease-renewal.ts'
import { limits } from './limits.ts'
import { decodeLocationRecord, encodeLocationRecord, type LocationRecord } from './location-record.ts'
import { decodeManifest, encodeManifest, type Manifest } from './manifest.ts'
import { decodePairingRecord, encodePairingRecord, type PairingRecord } from './pairing-record.ts'
import { decodeRetireRecord, encodeRetireRecord, type RetireRecord } from './retire-record.ts'
import { bytes, oneOf, type Schema } from './schema.ts'
import { struct } from './struct.ts'
import { decodeUserRoot, encodeUserRoot, type UserRoot } from './user-root.ts'

export const ENVELOPE_VERSION = 1

export const recordTypes = [
  'manifest',
  'location',
  'delete',
  'retire',
  'root',
  'home',
  'pairing',
  'lease'
] as const
export type RecordType = (typeof recordTypes)[number]

/** The record each envelope type carries. */
export interface SignedRecords {
  manifest: Manifest
  location: LocationRecord
  delete: DeleteRequest
  retire: RetireRecord
  root: UserRoot
  home: HomeRecord
  pairing: PairingRecord
  lease: LeaseRenewal
}

export interface Envelope<T extends RecordType = RecordType> {
  type: T
  /** The record's canonical CBOR. */
  payload: Uint8Array
  publicKey: PublicKey
  signature: Uint8Array
}

interface RecordCodec<R> {
  encode(record: R): Uint8Array
  decode(bytes: Uint8Array): R
  maxBytes: number
}

const codecs: { [T in RecordType]: RecordCodec<SignedRecords[T]> } = {
  manifest: { encode: encodeManifest, decode: decodeManifest, maxBytes: limits.maxBytes.manifest },
  location: {
    encode: encodeLocationRecord,
    decode: decodeLocationRecord,
    maxBytes: limits.maxBytes.locationRecord
  },
  delete: {
    encode: encodeDeleteRequest,
    decode: decodeDeleteRequest,
    maxBytes: limits.maxBytes.deleteRequest
  },
  retire: { encode: encodeRetireRecord, decode: decodeRetireRecord, maxBytes: limits.maxBytes.retireRecord },
  root: { encode: encodeUserRoot, decode: decodeUserRoot, maxBytes: limits.maxBytes.userRoot },
  home: { encode: encodeHomeRecord, decode: decodeHomeRecord, maxBytes: limits.maxBytes.homeRecord },
  pairing: {
    encode: encodePairingRecord,
    decode: decodePairingRecord,
    maxBytes: limits.maxBytes.pairingRecord
  },
  lease: { encode: encodeLeaseRenewal, decode: decodeLeaseRenewal, maxBytes: limits.maxBytes.leaseRenewal }
}

/**
 * The key a record of each type must be signed by, when the record names it: a manifest by its
 * owner, a user's root and home record by the user. A reader then checks the signer with no
 * other lookup; the other types name a peer, checked by the caller.
 */
function requiredSigner<T extends RecordType>(type: T, record: SignedRecords[T]): PublicKey | undefined {
  if (type === 'manifest') return (record as Manifest).owner
  if (type === 'root' || type === 'home') return (record as UserRoot | HomeRecord).user
  return undefined
}

const domains = Object.fromEntries(recordTypes.map((t) => [t, domainOf(t, ENVELOPE_VERSION)])) as Record<
  RecordType,
  Uint8Array
>

/** The domain separation prefix of `type`: `defs:<type>:v1\0`. */
export function signingDomain(type: RecordType): Uint8Array {
  return domains[type]
}

/** An envelope schema that admits only the given types (all by default); the payload cap follows the type. */
export function envelopeSchema<T extends RecordType>(types: readonly T[]): Schema<Envelope<T>> {
  return struct<Envelope<T>>(
    [
      { key: 1, name: 'type', schema: oneOf(types) },
      { key: 2, name: 'payload', schema: (before) => bytes(0, codecs[before.type as T].maxBytes) },
      { key: 3, name: 'publicKey', schema: publicKeyField },
      { key: 4, name: 'signature', schema: signatureField }
    ],
    { version: ENVELOPE_VERSION }
  )
}

const anyEnvelope = envelopeSchema(recordTypes)

/** Bytes of an envelope of `type`: the payload's cap plus room for type, key and signature. */
export function maxEnvelopeBytes(type: RecordType): number {
  return codecs[type].maxBytes + limits.maxBytes.envelopeOverhead
}

export function encodeEnvelope(envelope: Envelope): Uint8Array {
  return encodeWith(anyEnvelope, envelope, maxEnvelopeBytes('manifest'), 'envelope')
}

/** Decodes an envelope of any type; the payload is checked and the signature verified by `verify`. */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  return decodeWith(anyEnvelope, bytes, maxEnvelopeBytes('manifest'), 'envelope')
}

/**
 * Signs `record` as `type` with `key`. A manifest must name `key` as its owner, a root or home
 * record as its user (EncodeError if not), so a reader can check the signer without any other lookup.
 */
export async function sign<T extends RecordType>(
  type: T,
  record: SignedRecords[T],
  key: SigningKey
): Promise<Envelope<T>> {
  if (!(recordTypes as readonly string[]).includes(type)) {
    throw new EncodeError(`type must be one of ${recordTypes.join(', ')}, got ${String(type)}`)
  }
  const signer = requiredSigner(type, record)
  if (signer !== undefined && !samePublicKey(signer, key.publicKey)) {
    throw new EncodeError(`${type}.${type === 'manifest' ? 'owner' : 'user'} must be the signing key`)
  }
  const payload = codecs[type].encode(record)
  const signature = await key.sign(concatBytes(domains[type], payload))
  return { type, payload, publicKey: key.publicKey, signature }
}

/**
 * Checks that `envelope` is a valid signature of a `type` record and returns the record.
 * Throws WrongRecordTypeError for another type, SignatureError for a bad signature (or a manifest
 * not signed by its owner, a root or home record not by its user), another DecodeError for a bad payload. The caller still decides
 * whether it trusts the signer: the owner it expects, the peer a location record names.
 */
export async function verify<T extends RecordType>(envelope: Envelope, type: T): Promise<SignedRecords[T]> {
  if (envelope?.type !== type) {
    throw new WrongRecordTypeError(`expected a ${type} envelope, got ${String(envelope?.type)}`)
  }
  const record = codecs[type].decode(envelope.payload)
  let valid: boolean
  try {
    valid = await verifySignature(
      envelope.publicKey,
      concatBytes(domains[type], envelope.payload),
      envelope.signature
    )
  } catch (err) {
    throw new SignatureError(`${type} envelope: ${err instanceof Error ? err.message : String(err)}`)
  }
  if (!valid) throw new SignatureError(`${type} envelope signature does not verify`)
  const signer = requiredSigner(type, record)
  if (signer !== undefined && !samePublicKey(signer, envelope.publicKey)) {
    throw new SignatureError(
      type === 'manifest'
        ? 'manifest envelope is not signed by the manifest owner'
        : `${type} envelope is not signed by its user`
    )
  }
  return record
}
