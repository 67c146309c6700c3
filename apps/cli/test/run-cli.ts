// Runs the real `defs` executable (bin/defs.js, as a user would) and collects what it printed.
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import { createServer } from 'node:net'
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
  options: { env?: NodeJS.ProcessEnv; input?: Uint8Array; timeoutMs?: number; cwd?: string } = {}
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [defsBin, ...args], {
      env: { ...process.env, DEFS_API: '', DEFS_TOKEN: '', DEFS_DIR: '', DEFS_SESSION: '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.cwd === undefined ? {} : { cwd: options.cwd })
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
    // A command that does not read stdin may exit before it is written.
    child.stdin.on('error', () => {})
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

/** One line on stderr, starting `defs: `, and exit code 1. */
export function assertOneLineError(result: { code: number | null; stderr: string }, pattern: RegExp): void {
  assert.equal(result.code, 1, result.stderr)
  const lines = result.stderr.trimEnd().split('\n')
  assert.equal(lines.length, 1, result.stderr)
  assert.match(lines[0]!, /^defs: /)
  assert.match(lines[0]!, pattern)
}

/**
 * Runs `defs` with stdout read by a slow consumer (one chunk every `delayMs`), or by one that
 * closes the pipe after `closeAfter` bytes, as `| head -c N` does.
 */
export function runCliPiped(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; delayMs?: number; closeAfter?: number; timeoutMs?: number }
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [defsBin, ...args], {
      env: { ...process.env, DEFS_API: '', DEFS_TOKEN: '', DEFS_DIR: '', DEFS_SESSION: '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    const out: Buffer[] = []
    let got = 0
    let err = ''
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString()
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
    const pump = async () => {
      for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
        out.push(chunk)
        got += chunk.length
        if (options.closeAfter !== undefined && got >= options.closeAfter) {
          child.stdout.destroy()
          return
        }
        if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs))
      }
    }
    const pumped = pump().catch(() => {})
    child.on('error', reject)
    // 'close': the process has exited and its stdout and stderr are read to their end.
    child.on('close', async (code, signal) => {
      clearTimeout(timer)
      await pumped
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: err })
    })
  })
}

/** A port nothing listens on: bound by the OS, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}
