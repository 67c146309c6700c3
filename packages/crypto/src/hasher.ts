import { assertBytes } from './bytes.ts'

/** An incremental hash: feed it with `update`, read it once with `digest`. */
export interface Hasher {
  update(data: Uint8Array): Hasher
  digest(): Uint8Array
}

/** A Hasher over any engine's update and digest, with the argument check in one place. */
export function hasherFrom(update: (data: Uint8Array) => unknown, digest: () => Uint8Array): Hasher {
  const hasher: Hasher = {
    update(data) {
      assertBytes('data', data)
      update(data)
      return hasher
    },
    digest
  }
  return hasher
}
