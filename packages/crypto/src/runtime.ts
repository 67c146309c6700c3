// The native backends of the runtime we run on, found once at module load.
// node:crypto is loaded by a dynamic import behind a runtime check, never statically, so browsers
// and bundlers never see it. Deno has node:crypto too, but its AES-GCM there is 15x slower than its
// WebCrypto, so on Deno we use WebCrypto (and noble where WebCrypto has no synchronous path).
import type * as NodeCryptoModule from 'node:crypto'

export type NodeCrypto = typeof NodeCryptoModule

interface RuntimeGlobals {
  Deno?: unknown
  process?: { versions?: { node?: string; bun?: string } }
}

const g = globalThis as RuntimeGlobals
export const isDeno = g.Deno !== undefined
const isNodeLike = !isDeno && typeof g.process?.versions?.node === 'string'

// A variable specifier keeps bundlers from trying to resolve node:crypto for the browser.
const nodeCryptoSpecifier = 'node:crypto'
export const nodeCrypto: NodeCrypto | undefined = isNodeLike
  ? await (import(nodeCryptoSpecifier) as Promise<NodeCrypto>).catch(() => undefined)
  : undefined

export const subtle: SubtleCrypto | undefined = globalThis.crypto?.subtle

export function requireSubtle(what: string): SubtleCrypto {
  if (subtle === undefined)
    throw new Error(`${what} needs WebCrypto (crypto.subtle), which this runtime lacks`)
  return subtle
}

/** The name of the runtime, for reports and backend choice. */
export const runtimeName: 'node' | 'bun' | 'deno' | 'browser' = isDeno
  ? 'deno'
  : g.process?.versions?.bun !== undefined
    ? 'bun'
    : isNodeLike
      ? 'node'
      : 'browser'
