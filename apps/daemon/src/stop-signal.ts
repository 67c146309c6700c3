// Stopping a foreground daemon (the process entry, `defs start`): the first SIGINT/SIGTERM
// starts a graceful stop; later ones are ignored, because a Ctrl-C reaches a devnet and its
// daemons together and the devnet then sends SIGTERM too. A stop that hangs is bounded.
import type { Daemon } from './daemon.ts'

export interface StopSignalOptions {
  /** Also stop when stdin ends: the parent that spawned us is gone. */
  stdin?: boolean
}

/** Resolves with what asked for the stop ("SIGTERM", "SIGINT", "stdin closed"). */
export function waitForStopSignal(options: StopSignalOptions = {}): Promise<string> {
  return new Promise((resolve) => {
    let fired = false
    const fire = (why: string) => {
      if (fired) return
      fired = true
      resolve(why)
    }
    process.on('SIGTERM', () => fire('SIGTERM'))
    process.on('SIGINT', () => fire('SIGINT'))
    if (options.stdin) {
      process.stdin.on('end', () => fire('stdin closed'))
      process.stdin.on('error', () => fire('stdin closed'))
      process.stdin.resume()
    }
  })
}

export class StopTimeoutError extends Error {
  override name = 'StopTimeoutError'
}

export async function stopWithin(daemon: Daemon, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StopTimeoutError(`the daemon did not stop within ${timeoutMs / 1000} s`)),
      timeoutMs
    )
  })
  try {
    await Promise.race([daemon.stop(), timeout])
  } finally {
    clearTimeout(timer)
  }
}
