// A process run inside a host's namespace (`ip netns exec`), under bash only so that `times`
// reports the CPU of the whole process tree when it ends (utime + stime of every waited-for
// child, worker threads included): the `defs` CLI is two Node processes from a source checkout.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'

export interface ClientResult {
  code: number | null
  signal: NodeJS.Signals | null
  /** stdout, unless it was consumed by `onStdout`. */
  stdout: string
  stderr: string
  /** CPU-seconds (user + system) of the process and all its descendants. */
  cpuSeconds: number
  /** Wall time from spawn to exit, and to the first stdout byte. */
  ms: number
  firstByteMs?: number
  /** SHA-256 and length of stdout when `hashStdout` was set. */
  sha256?: string
  bytes: number
}

export interface ClientOptions {
  /** Hash stdout as it streams instead of keeping it (file bytes from `defs cat`). */
  hashStdout?: boolean
  timeoutMs?: number
  env?: NodeJS.ProcessEnv
}

const script = '"$@"; rc=$?; times >&2; exit $rc'

export function runInNamespace(
  namespace: string | undefined,
  command: string[],
  options: ClientOptions = {}
): Promise<ClientResult> {
  const argv = ['bash', '-c', script, 'defs-client', ...command]
  const [file, ...args] = namespace === undefined ? argv : ['ip', 'netns', 'exec', namespace, ...argv]
  return new Promise((resolve, reject) => {
    const started = performance.now()
    // its own process group, so a timeout kills the whole tree (bash, ip netns exec, both Nodes)
    const child = spawn(file!, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      detached: true
    })
    const hash = options.hashStdout ? createHash('sha256') : undefined
    let stdout = ''
    let stderr = ''
    let bytes = 0
    let firstByteMs: number | undefined
    child.stdout.on('data', (d: Buffer) => {
      firstByteMs ??= performance.now() - started
      bytes += d.length
      if (hash !== undefined) hash.update(d)
      else stdout += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
      if (stderr.length > 1 << 20) stderr = stderr.slice(-(1 << 19))
    })
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {}
    }, options.timeoutMs ?? 600_000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const lines = stderr.trimEnd().split('\n')
      const children = lines.at(-1) ?? ''
      resolve({
        code,
        signal,
        stdout,
        stderr: lines.slice(0, -2).join('\n'),
        cpuSeconds: timesSeconds(children),
        ms: performance.now() - started,
        ...(firstByteMs === undefined ? {} : { firstByteMs }),
        ...(hash === undefined ? {} : { sha256: hash.digest('hex') }),
        bytes
      })
    })
  })
}

/** bash's `times` line "0m1.234s 0m0.567s" (user, system) -> 1.801. */
export function timesSeconds(line: string): number {
  let total = 0
  for (const m of line.matchAll(/(\d+)m(\d+(?:\.\d+)?)s/g)) total += Number(m[1]) * 60 + Number(m[2])
  return total
}
