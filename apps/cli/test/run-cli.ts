// Runs the real `defs` executable (bin/defs.js, as a user would) and collects what it printed.
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: Buffer
  stderr: string
}

export const defsBin = fileURLToPath(new URL('../bin/defs.js', import.meta.url))

export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: Uint8Array; timeoutMs?: number } = {}
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [defsBin, ...args], {
      env: { ...process.env, DEFS_API: '', DEFS_TOKEN: '', DEFS_DIR: '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe']
    })
    const out: Buffer[] = []
    let err = ''
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString()
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: err })
    })
    child.stdin.end(options.input)
  })
}

/** Environment that points the CLI at one daemon. */
export function apiEnv(url: string, token: string): NodeJS.ProcessEnv {
  return { DEFS_API: url, DEFS_TOKEN: token }
}

/** Starts `defs` without waiting for it (devnet, start); the caller must kill it. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [defsBin, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
}

/** Polls `check` every 100 ms until it returns true; fails after `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs: number
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
