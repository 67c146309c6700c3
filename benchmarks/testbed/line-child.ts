// A helper process driven by JSON lines (benchmarks/peers/helia-host.ts, net-agent.ts), run in a
// testbed namespace (`ip netns exec` execs, so the pid is the Node process itself) or on the
// loopback interface. One call at a time: each command line gets one answer line.
import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface, type Interface } from 'node:readline'

export class LineChild {
  readonly pid: number
  readonly #child: ChildProcess
  readonly #lines: Interface
  readonly #waiting: ((line: string) => void)[] = []
  readonly #stderr: string[] = []

  private constructor(child: ChildProcess) {
    this.#child = child
    this.pid = child.pid!
    this.#lines = createInterface({ input: child.stdout! })
    this.#lines.on('line', (line) => this.#waiting.shift()?.(line))
    createInterface({ input: child.stderr! }).on('line', (l) => {
      this.#stderr.push(l)
      if (this.#stderr.length > 20) this.#stderr.shift()
    })
  }

  static async spawn(namespace: string | undefined, argv: string[]): Promise<LineChild> {
    const [file, ...args] = namespace === undefined ? argv : ['ip', 'netns', 'exec', namespace, ...argv]
    const child = new LineChild(spawn(file!, args, { stdio: ['pipe', 'pipe', 'pipe'] }))
    const ready = await child.#next(60_000)
    if (!(ready as { ready?: boolean }).ready)
      throw new Error(`${argv.join(' ')} did not start: ${JSON.stringify(ready)}`)
    return child
  }

  async call<T = Record<string, unknown>>(
    command: Record<string, unknown>,
    timeoutMs = 1_800_000
  ): Promise<T> {
    const answer = this.#next(timeoutMs)
    this.#child.stdin!.write(`${JSON.stringify(command)}\n`)
    const out = (await answer) as T & { error?: string }
    if (out.error !== undefined) throw new Error(`${command.op}: ${out.error}`)
    return out
  }

  close(): void {
    this.#child.stdin!.end()
    setTimeout(() => this.#child.kill('SIGKILL'), 5000).unref()
  }

  #next(timeoutMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no answer within ${timeoutMs} ms: ${this.#stderr.join(' | ')}`)),
        timeoutMs
      )
      const onExit = (code: number | null) =>
        reject(new Error(`exited (${code}): ${this.#stderr.join(' | ')}`))
      this.#child.once('exit', onExit)
      this.#waiting.push((line) => {
        clearTimeout(timer)
        this.#child.off('exit', onExit)
        resolve(JSON.parse(line))
      })
    })
  }
}
