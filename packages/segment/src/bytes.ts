// The few byte helpers the codec needs.

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0
  for (const p of parts) length += p.length
  const out = new Uint8Array(length)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

export function toHex(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += b.toString(16).padStart(2, '0')
  return s
}

const ascii = new TextEncoder()

/** The domain separation prefix of a signed or hashed type: `defs:<name>:v<version>\0`. */
export function domainOf(name: string, version: number): Uint8Array {
  return ascii.encode(`defs:${name}:v${version}\0`)
}
