// Reed-Solomon instances per (k, m), made once per thread: building the matrix and compiling the
// WASM kernel is cheap but not free, and rs-size gives the last slice of a file its own k.
import { ReedSolomon } from '@defs/erasure'

/** A few codes per thread: one file's full and last slices, plus room for a second file. */
const KEEP = 8
const codes = new Map<string, ReedSolomon>()

export function codeFor(dataShards: number, parityShards: number): ReedSolomon {
  const key = `${dataShards}+${parityShards}`
  let rs = codes.get(key)
  if (rs === undefined) {
    rs = ReedSolomon.createSync({ dataShards, parityShards })
    if (codes.size >= KEEP) codes.delete(codes.keys().next().value!)
  } else codes.delete(key)
  codes.set(key, rs)
  return rs
}
