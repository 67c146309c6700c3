// Every namespace and directory of a testbed is named `defs-<pid>-<start>-<n>-...`: the pid and
// kernel start time of the process that made it (so a reused pid is not taken for the same
// run) and a counter for several testbeds in one process. A run whose process is gone is dead,
// and whatever it left (a SIGKILLed test cannot clean up) is swept by the next createTestbed.
import { readFileSync } from 'node:fs'
import { readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { run } from './commands.ts'

export const projectPrefix = 'defs-'
const runPattern = /^defs-(\d+)-(\d+)-(\d+)(?:-|$)/

let counter = 0

/** The start time of a process in clock ticks since boot (field 22 of /proc/PID/stat). */
export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // the command name (field 2) may hold spaces and parentheses: count from the last ')'
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}

export function newRunId(): string {
  counter += 1
  return `${projectPrefix}${process.pid}-${processStartTicks(process.pid)}-${counter}`
}

/** False for names of another project, or of a run whose process still lives. */
export function isDeadRun(name: string): boolean {
  const m = runPattern.exec(name)
  if (m === null) return false
  return processStartTicks(Number(m[1])) !== m[2]
}

export async function namespaces(): Promise<string[]> {
  const out = await run('ip', ['netns', 'list'])
  return out
    .split('\n')
    .map((line) => line.split(' ')[0]!)
    .filter((name) => name.startsWith(projectPrefix))
}

async function pidsIn(namespace: string): Promise<number[]> {
  const out = await run('ip', ['netns', 'pids', namespace]).catch(() => '')
  return out.split('\n').filter(Boolean).map(Number)
}

/**
 * SIGKILLs every process inside a namespace (`ip netns pids`) and waits (at most 10 s) until
 * none is left in it; returns how many there were.
 */
export async function killNamespaceProcesses(namespace: string): Promise<number> {
  const first = await pidsIn(namespace)
  const deadline = Date.now() + 10_000
  for (let pids = first; pids.length > 0 && Date.now() < deadline; pids = await pidsIn(namespace)) {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {}
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  return first.length
}

/** Removes what dead runs of this project left: their processes, namespaces and directories. */
export async function sweepDeadRuns(): Promise<{ namespaces: string[]; dirs: string[] }> {
  const stale = (await namespaces()).filter(isDeadRun)
  for (const ns of stale) await killNamespaceProcesses(ns)
  for (const ns of stale) await run('ip', ['netns', 'del', ns]).catch(() => '')
  const dirs = (await readdir(tmpdir())).filter((d) => d.startsWith(projectPrefix) && isDeadRun(d))
  for (const d of dirs) await rm(join(tmpdir(), d), { recursive: true, force: true })
  return { namespaces: stale, dirs }
}
