import { toHex } from '@defs/crypto'

/** Lower-case hex of `bytes`: map keys and messages. @defs/crypto's, as Node's Buffer is not in browsers. */
export const hex = (bytes: Uint8Array): string => toHex(bytes)

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}
