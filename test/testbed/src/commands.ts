// The testbed drives the kernel through its own tools (ip, nft, tc), one call each or one batch
// on stdin, so every change is visible in `ip netns list` and `nft list ruleset` while a test runs.
import { execFile, execFileSync } from 'node:child_process'

/** A command of the testbed failed; the message names the command and what it printed. */
export class TestbedCommandError extends Error {
  override name = 'TestbedCommandError'
}

export interface RunOptions {
  /** Written to the command's stdin (a batch for `ip -batch -` or `nft -f -`). */
  input?: string
  timeoutMs?: number
}

export function run(command: string, args: string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { timeout: options.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err === null) return resolve(stdout)
        const what = [command, ...args].join(' ')
        reject(new TestbedCommandError(`${what} failed: ${stderr.trim() || err.message}`))
      }
    )
    if (options.input !== undefined) child.stdin?.end(options.input)
  })
}

/** For exit handlers, where nothing asynchronous runs any more; errors are ignored (best effort). */
export function runSync(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).toString()
  } catch {
    return ''
  }
}

/** `ip -n NS -batch -`: many link and address changes in one process. */
export function ipBatch(namespace: string | undefined, lines: string[]): Promise<string> {
  const args = namespace === undefined ? ['-batch', '-'] : ['-n', namespace, '-batch', '-']
  return run('ip', args, { input: `${lines.join('\n')}\n` })
}

/** A command inside a namespace: `ip netns exec NS COMMAND ...`. */
export function inNamespace(namespace: string, command: string, args: string[], input?: string) {
  return run('ip', ['netns', 'exec', namespace, command, ...args], input === undefined ? {} : { input })
}
