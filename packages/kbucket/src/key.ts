// The Kademlia metric over 256-bit keys: a peer's key is SHA-256 of its peer id bytes, and the
// distance between two keys is their XOR read as a big-endian unsigned integer.
import { InvalidKeyError } from './errors.ts'

/** Bytes in a key (256 bits). */
export const KEY_BYTES = 32
/** Bits in a key; also the common prefix length of a key with itself. */
export const KEY_BITS = 256

/** Throws `InvalidKeyError` unless `key` is a 32-byte Uint8Array. */
export function checkKey(name: string, key: Uint8Array): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) {
    const got = key instanceof Uint8Array ? `${key.length} bytes` : typeof key
    throw new InvalidKeyError(`${name} must be a ${KEY_BYTES}-byte Uint8Array, got ${got}`)
  }
  return key
}

/** The routing key of a peer: SHA-256 of its id bytes (WebCrypto, so it runs everywhere). */
export async function keyOf(peerIdBytes: Uint8Array): Promise<Uint8Array> {
  if (!(peerIdBytes instanceof Uint8Array)) {
    throw new TypeError(`peerIdBytes must be a Uint8Array, got ${typeof peerIdBytes}`)
  }
  const digest = await globalThis.crypto.subtle.digest('SHA-256', peerIdBytes as Uint8Array<ArrayBuffer>)
  return new Uint8Array(digest)
}

/** `a XOR b`, the distance between two keys as 32 big-endian bytes. */
export function xorDistance(a: Uint8Array, b: Uint8Array): Uint8Array {
  checkKey('a', a)
  checkKey('b', b)
  const out = new Uint8Array(KEY_BYTES)
  for (let i = 0; i < KEY_BYTES; i++) out[i] = a[i]! ^ b[i]!
  return out
}

/** Negative when `a` is closer to `target` than `b`, positive when farther, 0 when `a` equals `b`. */
export function compareDistance(a: Uint8Array, b: Uint8Array, target: Uint8Array): number {
  checkKey('a', a)
  checkKey('b', b)
  checkKey('target', target)
  return compareUnchecked(a, b, target)
}

/** `compareDistance` without the checks, for the hot loops of the routing table. */
export function compareUnchecked(a: Uint8Array, b: Uint8Array, target: Uint8Array): number {
  for (let i = 0; i < KEY_BYTES; i++) {
    const t = target[i]!
    const d = (a[i]! ^ t) - (b[i]! ^ t)
    if (d !== 0) return d
  }
  return 0
}

/** How many leading bits `a` and `b` share: 0..256 (256 when they are equal). */
export function commonPrefixLength(a: Uint8Array, b: Uint8Array): number {
  checkKey('a', a)
  checkKey('b', b)
  return cplUnchecked(a, b)
}

export function cplUnchecked(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < KEY_BYTES; i++) {
    const x = a[i]! ^ b[i]!
    if (x !== 0) return i * 8 + Math.clz32(x) - 24
  }
  return KEY_BITS
}
