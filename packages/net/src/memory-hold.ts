// Holding shard bytes in memory for a request: from the node-wide budget, and for a stranger from
// the part of it strangers share, so what strangers hold can never crowd out peers with standing.
import type { PeerId } from '@libp2p/interface'
import type { ServeContext } from './serve-context.ts'

export interface MemoryHold {
  /** Take `bytes` more; a reason when a budget is full. */
  take(bytes: number): string | undefined
  release(): void
}

export function holdMemory(ctx: ServeContext, peer: PeerId): MemoryHold {
  const stranger = ctx.isStranger(peer)
  let held = 0
  return {
    take(bytes) {
      if (stranger && !ctx.strangerMemory.reserve(bytes)) {
        return `strangers hold ${ctx.strangerMemory.used} of their ${ctx.strangerMemory.max} bytes of shard memory`
      }
      if (!ctx.memory.reserve(bytes)) {
        if (stranger) ctx.strangerMemory.release(bytes)
        return `the node holds ${ctx.memory.used} of ${ctx.memory.max} bytes of shard memory`
      }
      held += bytes
      return undefined
    },
    release() {
      ctx.memory.release(held)
      if (stranger) ctx.strangerMemory.release(held)
      held = 0
    }
  }
}
