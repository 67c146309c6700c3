// The wrapped-key blob: a self-describing header, then AES-256-GCM of the secret under a key
// encryption key (KEK) derived per blob. The header is the AAD, so its parameters cannot be
// changed without the unwrap failing.
//
//   'D' 'K' version=1 kind | kind fields | nonce (12) | ciphertext || tag (16)
//   kind 1 passphrase: memoryKiB u32be, iterations u32be, parallelism u8, salt (16)
//   kind 2 key:        salt (16)
//   kind 3 recipient:  algorithm u8 (1 ed25519, 2 secp256k1, 3 p256), ephemeral public key (32 or 33)
import { createAead } from './aead.ts'
import { concatBytes } from './bytes.ts'
import { AuthenticationError, MalformedWrappedKeyError } from './errors.ts'
import { randomBytes } from './random.ts'

export const wrapKinds = { passphrase: 1, key: 2, recipient: 3 } as const
export type WrapKind = keyof typeof wrapKinds

const magic = [0x44, 0x4b] as const
const version = 1
const nonceLength = 12
export const maxWrappedSecret = 4096

export function headerStart(kind: WrapKind): Uint8Array {
  return Uint8Array.of(magic[0], magic[1], version, wrapKinds[kind])
}

/** Reads the fields of a header after its 4-byte start, with bounds checks that name the blob. */
export class HeaderReader {
  readonly blob: Uint8Array
  offset = 4

  constructor(blob: Uint8Array, kind: WrapKind) {
    this.blob = blob
    if (blob.length < 4 || blob[0] !== magic[0] || blob[1] !== magic[1]) {
      throw new MalformedWrappedKeyError('blob is not a wrapped key (no DK magic)')
    }
    if (blob[2] !== version)
      throw new MalformedWrappedKeyError(`blob has wrapped-key version ${blob[2]}, want ${version}`)
    const found =
      Object.entries(wrapKinds).find(([, code]) => code === blob[3])?.[0] ?? `unknown (${blob[3]})`
    if (found !== kind) throw new MalformedWrappedKeyError(`blob is wrapped by ${found}, not by ${kind}`)
  }

  bytes(length: number): Uint8Array {
    if (this.offset + length > this.blob.length) throw new MalformedWrappedKeyError('blob is truncated')
    const out = this.blob.subarray(this.offset, this.offset + length)
    this.offset += length
    return out
  }

  u8(): number {
    return this.bytes(1)[0]!
  }

  u32(): number {
    const b = this.bytes(4)
    return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0
  }
}

const aead = createAead()

export async function seal(header: Uint8Array, kek: Uint8Array, secret: Uint8Array): Promise<Uint8Array> {
  const nonce = randomBytes(nonceLength)
  const sealed = await (await aead).encrypt(kek, nonce, secret, header)
  return concatBytes(header, nonce, sealed)
}

/** The secret after the header the reader has consumed; AuthenticationError if the KEK is wrong or the blob was altered. */
export async function open(reader: HeaderReader, kek: Uint8Array, what: string): Promise<Uint8Array> {
  const header = reader.blob.subarray(0, reader.offset)
  const nonce = reader.bytes(nonceLength)
  const sealed = reader.blob.subarray(reader.offset)
  try {
    return await (await aead).decrypt(kek, nonce, sealed, header)
  } catch (error) {
    if (error instanceof AuthenticationError) {
      throw new AuthenticationError(`wrapped key does not open: wrong ${what}, or the blob was altered`)
    }
    throw error
  }
}
