// A pairing record as both partners signed it: two `pairing` envelopes over one payload.
import type { PublicKey } from '@defs/crypto'
import { equalBytes } from './bytes.ts'
import { decodeWith, encodeWith } from './codec.ts'
import { type Envelope, envelopeSchema, verify } from './envelope.ts'
import { SignatureError } from './errors.ts'
import { samePublicKey } from './fields.ts'
import { limits } from './limits.ts'
import { PAIRING_RECORD_VERSION, type PairingRecord } from './pairing-record.ts'
import { list, uint } from './schema.ts'
import { struct } from './struct.ts'

/** A pairing record as both partners signed it: two `pairing` envelopes over the same payload. */
export interface SignedPairing {
  envelopes: [Envelope<'pairing'>, Envelope<'pairing'>]
}

const signedPairingSchema = struct<SignedPairing>(
  [{ key: 1, name: 'envelopes', schema: list(envelopeSchema(['pairing']), 2, 2) }],
  { version: PAIRING_RECORD_VERSION }
)

export function encodeSignedPairing(signed: SignedPairing): Uint8Array {
  return encodeWith(signedPairingSchema, signed, limits.maxBytes.signedPairing, 'signedPairing')
}

export function decodeSignedPairing(bytes: Uint8Array): SignedPairing {
  return decodeWith(signedPairingSchema, bytes, limits.maxBytes.signedPairing, 'signedPairing')
}

/**
 * Checks that both envelopes are valid `pairing` signatures over the same payload by two
 * different keys, and returns the record with the signers in envelope order. SignatureError when
 * one side did not sign (a key twice, or payloads that differ). Whether each key is the key of
 * the peer id the record names is the caller's check (a peer id is libp2p's encoding of its key).
 */
export async function verifySignedPairing(
  signed: SignedPairing
): Promise<{ record: PairingRecord; signers: [PublicKey, PublicKey] }> {
  const [a, b] = signed.envelopes
  if (a === undefined || b === undefined) throw new SignatureError('a pairing needs two envelopes')
  if (!equalBytes(a.payload, b.payload)) {
    throw new SignatureError('the two pairing envelopes sign different records')
  }
  if (samePublicKey(a.publicKey, b.publicKey)) {
    throw new SignatureError('a pairing record signed twice by one key is signed by one side only')
  }
  const record = await verify(a, 'pairing')
  await verify(b, 'pairing')
  return { record, signers: [a.publicKey, b.publicKey] }
}

/** What a node keeps of its pairing on its own disk: the highest epoch it signed, its pairing. */
export interface SavedPairing {
  epoch: number
  pairing?: SignedPairing
}

const savedPairingSchema = struct<SavedPairing>(
  [
    { key: 1, name: 'epoch', schema: uint() },
    { key: 2, name: 'pairing', schema: signedPairingSchema, optional: true }
  ],
  { version: PAIRING_RECORD_VERSION }
)

export function encodeSavedPairing(saved: SavedPairing): Uint8Array {
  return encodeWith(savedPairingSchema, saved, limits.maxBytes.signedPairing + 64, 'savedPairing')
}

export function decodeSavedPairing(bytes: Uint8Array): SavedPairing {
  return decodeWith(savedPairingSchema, bytes, limits.maxBytes.signedPairing + 64, 'savedPairing')
}
