// defs start --background: the daemon as a process of its own, detached from this terminal. It
// is ready when it prints its ready line; then this process exits and leaves it running. What
// the daemon writes on stderr (its last words, if it dies) goes to <logDir>/daemon-stderr.log.
import { spawn } from 'node:child_process'
import { mkdir, open } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { daemonEntryPoint } from '@defs/daemon'
import type { ReadyLine } from '../devnet/daemon-process.ts'
import { UserError } from '../user-error.ts'
import { explainStartError } from './start-error.ts'

const readyTimeoutMs = 60_000

export async function startInBackground(dir: string, logDir: string, flags: string[]): Promise<ReadyLine> {
  await mkdir(logDir, { recursive: true, mode: 0o700 })
  const stderrPath = join(logDir, 'daemon-stderr.log')
  const stderr = await open(stderrPath, 'a', 0o600)
  const entry = daemonEntryPoint()
  const child = spawn(process.execPath, [...entry.execArgv, entry.script, '--dir', dir, ...flags], {
    detached: true,
    stdio: ['ignore', 'pipe', stderr.fd]
  })
  await stderr.close()
  try {
    return await new Promise<ReadyLine>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGTERM')
        reject(new UserError(`the daemon did not start within ${readyTimeoutMs / 1000} s; see ${stderrPath}`))
      }, readyTimeoutMs)
      createInterface({ input: child.stdout! }).once('line', (line) => {
        clearTimeout(timer)
        let message: { ready?: boolean; error?: { message?: string } }
        try {
          message = JSON.parse(line)
        } catch {
          return reject(new UserError(`the daemon printed ${JSON.stringify(line)} instead of its ready line`))
        }
        if (message.ready === true) resolve(message as ReadyLine)
        else reject(explainStartError(new UserError(message.error?.message ?? line)))
      })
      child.once('exit', (code, signal) => {
        clearTimeout(timer)
        reject(
          new UserError(`the daemon exited while starting (${signal ?? `code ${code}`}); see ${stderrPath}`)
        )
      })
    })
  } finally {
    // The daemon writes nothing more on stdout; let it, and this process, go their own ways.
    child.stdout!.destroy()
    child.unref()
  }
}
