// Where the library should find node:crypto, told from the runtime's globals rather than from the
// library's own detection: Node and Bun, not Deno (its node:crypto is slower than its WebCrypto)
// and not browsers.
const g = globalThis as { Deno?: unknown; process?: { versions?: { node?: unknown } } }
export const nodeLike = g.Deno === undefined && typeof g.process?.versions?.node === 'string'
