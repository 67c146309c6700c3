// One daemon as a child process: spawned from @defs/daemon's entry point, ready when it prints
// its JSON ready line. Its stdin is a pipe it watches (--exit-with-stdin), so it stops by itself
// if this process dies without a chance to signal it.
import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { daemonEntryPoint } from '@defs/daemon'
import { UserError } from '../user-error.ts'

export interface ReadyLine {
  ready: true
  api: string
  peerId: string
  addresses: string[]
  pid: number
}

export interface DaemonProcess {
  readonly child: ChildProcess
  readonly ready: ReadyLine
  /** Resolves when the process has exited (at once if it already has), with how. */
  exited(): Promise<DaemonExit>
  /** The last lines the daemon wrote on stderr, for error messages. */
  stderrTail(): string
}

export interface DaemonExit {
  code: number | null
  signal: NodeJS.Signals | null
}

const stderrLines = 20

export async function spawnDaemon(args: string[], readyTimeoutMs: number): Promise<DaemonProcess> {
  const entry = daemonEntryPoint()
  const child = spawn(process.execPath, [...entry.execArgv, entry.script, '--exit-with-stdin', ...args], {
    stdio: ['pipe', 'pipe', 'pipe']
  })
  const tail: string[] = []
  createInterface({ input: child.stderr! }).on('line', (line) => {
    tail.push(line)
    if (tail.length > stderrLines) tail.shift()
  })
  const exit = new Promise<DaemonExit>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode })
    child.once('exit', (code, signal) => resolve({ code, signal }))
  })
  const ready = await new Promise<ReadyLine>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new UserError(`a daemon did not start within ${readyTimeoutMs / 1000} s: ${tail.join(' | ')}`))
    }, readyTimeoutMs)
    lines.on('line', (line) => {
      let message: { ready?: boolean; error?: { message?: string } }
      try {
        message = JSON.parse(line)
      } catch {
        return
      }
      clearTimeout(timer)
      if (message.ready === true) resolve(message as ReadyLine)
      else reject(new UserError(`a daemon failed to start: ${message.error?.message ?? line}`))
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(
        new UserError(`a daemon exited while starting (${signal ?? `code ${code}`}): ${tail.join(' | ')}`)
      )
    })
  })
  // Keep reading stdout so the child never blocks on a full pipe.
  child.stdout!.resume()
  return { child, ready, exited: () => exit, stderrTail: () => tail.join('\n') }
}
