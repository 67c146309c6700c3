// What `defs put` asked for and what it got. The node's `auto` mode narrows a code to fit the
// network; that is fine when nothing was asked, but an explicit -k/-m is a requirement: without
// --allow-narrower the mode auto would pick at full width is sent instead, so a network too small
// refuses the upload (NotEnoughPeersError) rather than weakening it. What is weaker than asked, or
// has no redundancy at all, is said on stderr.
import type { PutResult } from '@defs/node'

export interface CodeAsk {
  mode?: string
  k?: number
  m?: number
  allowNarrower: boolean
}

/**
 * Below this auto stores one object with m + 1 replicas, above it rs-proportion k+m: the node's
 * default minSliceSize (a node configured otherwise only moves where that line falls).
 */
const autoFileBelow = 1024 * 1024

export function explicitCode(ask: CodeAsk): boolean {
  return ask.k !== undefined || ask.m !== undefined
}

/** The storage mode to send for `size` bytes (undefined: the node's default). */
export function modeToSend(ask: CodeAsk, size: number | undefined): string | undefined {
  if (!explicitCode(ask) || ask.allowNarrower || (ask.mode !== undefined && ask.mode !== 'auto'))
    return ask.mode
  return size !== undefined && size < autoFileBelow ? 'file' : 'rs-proportion'
}

/** How `result` is weaker than the explicit ask, or undefined. */
export function narrowerThanAsked(ask: CodeAsk, result: PutResult): string | undefined {
  const replicated = result.mode === 'file' || result.mode === 'slice'
  if (ask.m !== undefined && result.parityShards < ask.m)
    return `${code(result)}: it survives the loss of ${result.parityShards} nodes, not the ${ask.m} asked (-m ${ask.m})`
  if (ask.k !== undefined && !replicated && result.dataShards !== ask.k)
    return `${code(result)}, not the -k ${ask.k} asked`
  return undefined
}

/** Lines for stderr about what was stored: narrower than asked, narrowed by auto, no redundancy. */
export function putWarnings(ask: CodeAsk, result: PutResult): string[] {
  const out: string[] = []
  const narrower = narrowerThanAsked(ask, result)
  if (narrower !== undefined) out.push(`warning: stored as ${narrower}`)
  else if (!explicitCode(ask) && result.note !== undefined && /only \d+ peers?/.test(result.note))
    out.push(`warning: the network is small: ${result.note}`)
  if (result.parityShards === 0)
    out.push(
      'warning: stored with no redundancy (one copy, on one node): losing that node loses the file; join other nodes (defs init --bootstrap ADDR, see the README)'
    )
  return out
}

export function code(result: Pick<PutResult, 'mode' | 'dataShards' | 'parityShards'>): string {
  if (result.mode === 'file' || result.mode === 'slice')
    return `${result.mode} mode, ${result.parityShards + 1} cop${result.parityShards === 0 ? 'y' : 'ies'}`
  return `${result.mode} ${result.dataShards}+${result.parityShards}`
}
