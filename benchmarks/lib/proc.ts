// What /proc says about a benchmark's processes.
import { readFile } from 'node:fs/promises'

/** The largest peak resident set (VmHWM) among the processes, in MiB. */
export async function peakRss(pids: number[]): Promise<number> {
  let max = 0
  for (const pid of pids) {
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0)
    max = Math.max(max, kb / 1024)
  }
  return Math.round(max)
}
