// BLAKE3 (256-bit output): hash-wasm's WASM build, 3x @noble/hashes here; noble where WASM cannot
// be instantiated (a strict content-security policy) and as the reference in tests.
import { blake3 as nobleBlake3 } from '@noble/hashes/blake3.js'
import { createBLAKE3, type IHasher } from 'hash-wasm'
import { assertBytes } from './bytes.ts'
import { BackendUnavailableError } from './errors.ts'
import { type Hasher, hasherFrom } from './hasher.ts'

export type Blake3Backend = 'wasm' | 'noble'

let shared: Promise<IHasher | undefined> | undefined

async function wasmHasher(backend: 'auto' | Blake3Backend, fresh: boolean): Promise<IHasher | undefined> {
  if (backend === 'noble') return undefined
  // One instance serves every one-shot hash: init, update and digest run synchronously, so no two
  // hashes ever interleave on it.
  if (!fresh) shared ??= createBLAKE3(256).catch(() => undefined)
  const hasher = fresh ? createBLAKE3(256).catch(() => undefined) : shared!
  const wasm = await hasher
  if (wasm === undefined && backend === 'wasm') {
    throw new BackendUnavailableError('backend wasm is not available: WebAssembly could not be instantiated')
  }
  return wasm
}

/** BLAKE3 of `data` (32 bytes). */
export async function blake3(
  data: Uint8Array,
  backend: 'auto' | Blake3Backend = 'auto'
): Promise<Uint8Array> {
  assertBytes('data', data)
  const wasm = await wasmHasher(backend, false)
  if (wasm === undefined) return nobleBlake3(data)
  wasm.init()
  wasm.update(data)
  return wasm.digest('binary')
}

/** A streaming BLAKE3. */
export async function createBlake3(backend: 'auto' | Blake3Backend = 'auto'): Promise<Hasher> {
  const wasm = await wasmHasher(backend, true)
  if (wasm !== undefined) {
    wasm.init()
    return hasherFrom(
      (data) => wasm.update(data),
      () => wasm.digest('binary')
    )
  }
  const hash = nobleBlake3.create()
  return hasherFrom(
    (data) => hash.update(data),
    () => hash.digest()
  )
}
