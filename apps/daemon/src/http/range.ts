// HTTP Range for downloads (RFC 9110 §14): one range of bytes, in any of its three forms.
// Several ranges at once (multipart/byteranges) are not served; as the RFC allows, such a header
// is ignored and the whole file is sent. A range that starts past the end is 416.

export type RangeRequest =
  | { kind: 'whole' }
  | { kind: 'partial'; offset: number; length: number }
  | { kind: 'unsatisfiable' }

export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: 'whole' }
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header)
  if (match === null) return { kind: 'whole' }
  const [, first = '', last = ''] = match
  if (first === '' && last === '') return { kind: 'whole' }
  if (first === '') {
    // bytes=-n: the last n bytes.
    const n = Number(last)
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' }
    const length = Math.min(n, size)
    return { kind: 'partial', offset: size - length, length }
  }
  const offset = Number(first)
  if (!Number.isSafeInteger(offset) || offset >= size) return { kind: 'unsatisfiable' }
  if (last === '') return { kind: 'partial', offset, length: size - offset }
  const end = Number(last)
  // An end before the start makes the header invalid, so it is ignored (not 416).
  if (end < offset) return { kind: 'whole' }
  return { kind: 'partial', offset, length: Math.min(end, size - 1) - offset + 1 }
}

export function contentRange(offset: number, length: number, size: number): string {
  return `bytes ${offset}-${offset + length - 1}/${size}`
}
