// One host of a testbed: a namespace, a node directory and a real daemon (`defs start`) run
// inside the namespace. Its API listens on 127.0.0.1 *of that namespace*, out of the test
// process's reach, so every call to it runs inside the namespace too: the `defs` CLI for files
// (`cli`), a small fetch script for the control calls (`api`). The token is still required.
import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { type ClientOptions, type ClientResult, runInNamespace } from './client-process.ts'
import { inNamespace } from './commands.ts'

export const apiPort = 7420
export const p2pPort = 4001

const repo = fileURLToPath(new URL('../../../', import.meta.url))
export const cliScript = join(repo, 'apps/cli/bin/defs.js')
const apiCallScript = fileURLToPath(new URL('./in-namespace/api-call.ts', import.meta.url))
const readyTimeoutMs = 60_000
const stopGraceMs = 25_000

/** A call on a host that cannot be made in its state (kill a stopped host, wipe a running one). */
export class HostStateError extends Error {
  override name = 'HostStateError'
}

/** The daemon's API answered with an error, or could not be reached. */
export class HostApiError extends Error {
  override name = 'HostApiError'
}

export interface HostConfig {
  index: number
  namespace: string
  natNamespace?: string
  /** The address others reach it at (its NAT's, for a host behind one). */
  address: string
  /** The address of its own eth0, which the daemon listens on. */
  listenAddress: string
  dir: string
  /** Node options written to daemon.json (storage mode, code, quota). */
  node: Record<string, unknown>
  /** Extra `defs start` flags (e.g. --nat ...). */
  flags: string[]
}

export interface PeerInfo {
  peerId: string
  addresses: string[]
  score: number
}

export class TestbedHost {
  readonly name: string
  readonly index: number
  readonly namespace: string
  readonly natNamespace?: string
  readonly address: string
  readonly listenAddress: string
  readonly dir: string
  /** Set by the first start, and again after a wipe. */
  peerId?: string
  /** The daemon's own pid (bin/defs.js runs it in a child from a source checkout). */
  pid?: number
  readonly #config: HostConfig
  #child?: ChildProcess
  #exited?: Promise<void>
  #bootstrap: string[] = []

  constructor(config: HostConfig) {
    this.#config = config
    this.index = config.index
    this.name = `h${config.index}`
    this.namespace = config.namespace
    if (config.natNamespace !== undefined) this.natNamespace = config.natNamespace
    this.address = config.address
    this.listenAddress = config.listenAddress
    this.dir = config.dir
  }

  get behindNat(): boolean {
    return this.natNamespace !== undefined
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null
  }

  /** Where others dial it directly (not through a NAT: a NATed host has no such address). */
  multiaddr(): string {
    if (this.peerId === undefined) throw new HostStateError(`${this.name} has not started yet`)
    return `/ip4/${this.address}/tcp/${p2pPort}/p2p/${this.peerId}`
  }

  /** Starts the daemon and waits for its ready line; `bootstrap` are multiaddrs to join through. */
  async start(bootstrap: string[] = this.#bootstrap): Promise<void> {
    if (this.running) throw new HostStateError(`${this.name} is already running`)
    this.#bootstrap = bootstrap
    await mkdir(this.dir, { recursive: true, mode: 0o700 })
    const config = {
      version: 1,
      api: { host: '127.0.0.1', port: apiPort },
      node: { host: this.listenAddress, port: p2pPort, ...this.#config.node }
    }
    await writeFile(join(this.dir, 'daemon.json'), `${JSON.stringify(config, null, 2)}\n`)
    const args = ['start', '--dir', this.dir, '--json', ...this.#config.flags]
    if (bootstrap.length > 0) args.push('--bootstrap', bootstrap.join(','))
    const log = createWriteStream(`${this.dir}.log`, { flags: 'a' })
    const child = spawn('ip', ['netns', 'exec', this.namespace, process.execPath, cliScript, ...args], {
      stdio: ['ignore', 'pipe', 'pipe']
    })
    child.stderr!.pipe(log)
    this.#child = child
    this.#exited = new Promise((resolve) => child.once('close', () => resolve()))
    const ready = await new Promise<{ peerId: string; pid: number }>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        reject(new HostStateError(`${this.name} printed no ready line within ${readyTimeoutMs / 1000} s`))
      }, readyTimeoutMs)
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (!line.startsWith('{')) return
        clearTimeout(timer)
        resolve(JSON.parse(line))
      })
      child.once('exit', (code, signal) => {
        clearTimeout(timer)
        reject(
          new HostStateError(`${this.name} exited while starting (${signal ?? code}); see ${this.dir}.log`)
        )
      })
    })
    this.peerId = ready.peerId
    this.pid = ready.pid
  }

  /** Signals the daemon; SIGKILL (the default) waits until it is gone, as a crash would leave it. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running || this.pid === undefined) throw new HostStateError(`${this.name} is not running`)
    process.kill(this.pid, signal)
    if (signal === 'SIGKILL') await this.#exited
  }

  /** SIGSTOP: a hung node, its sockets open and silent. */
  pause(): Promise<void> {
    return this.kill('SIGSTOP')
  }

  resume(): Promise<void> {
    return this.kill('SIGCONT')
  }

  /** SIGTERM (after a SIGCONT, should it be paused), and SIGKILL if it has not stopped within 25 s. */
  async stop(): Promise<void> {
    if (!this.running || this.pid === undefined) return
    const pid = this.pid
    signal(pid, 'SIGCONT')
    signal(pid, 'SIGTERM')
    const late = setTimeout(() => {
      signal(pid, 'SIGKILL')
      this.#child?.kill('SIGKILL')
    }, stopGraceMs)
    await this.#exited
    clearTimeout(late)
  }

  /** Stops it (gracefully if it runs) and starts it again on the same directory. */
  async restart(bootstrap?: string[]): Promise<void> {
    await this.stop()
    await this.start(bootstrap)
  }

  /** Deletes the node directory (identity, shards, tasks): the host comes back as a new node. */
  async wipe(): Promise<void> {
    if (this.running) throw new HostStateError(`${this.name} must be stopped or killed before a wipe`)
    await rm(this.dir, { recursive: true, force: true })
    delete this.peerId
  }

  /** Control calls to the daemon's API, sent from inside the namespace, one process for all. */
  async api(requests: { method: string; path: string; body?: unknown }[]): Promise<unknown[]> {
    const out = await inNamespace(this.namespace, process.execPath, [
      apiCallScript,
      this.dir,
      JSON.stringify(requests)
    ])
    const results = JSON.parse(out) as { status: number; body: unknown }[]
    return results.map((r, i) => {
      if (r.status < 200 || r.status >= 300) {
        const req = requests[i]!
        throw new HostApiError(
          `${this.name} ${req.method} ${req.path}: ${r.status} ${JSON.stringify(r.body)}`
        )
      }
      return r.body
    })
  }

  async status(): Promise<{ peerId: string; peers: number; storedShards: number; addresses: string[] }> {
    return (await this.api([{ method: 'GET', path: '/v1/status' }]))[0] as never
  }

  async peers(): Promise<PeerInfo[]> {
    return ((await this.api([{ method: 'GET', path: '/v1/peers' }]))[0] as { peers: PeerInfo[] }).peers
  }

  /** Dials each multiaddr; returns the ones that failed with why. */
  async connect(addresses: string[]): Promise<string[]> {
    const out = await inNamespace(this.namespace, process.execPath, [
      apiCallScript,
      this.dir,
      JSON.stringify(addresses.map((address) => ({ method: 'POST', path: '/v1/peers', body: { address } })))
    ])
    return (JSON.parse(out) as { status: number; body: unknown }[]).flatMap((r, i) =>
      r.status === 200 ? [] : [`${addresses[i]}: ${JSON.stringify(r.body)}`]
    )
  }

  /** Trusts these peers (the testbed's hosts are one operator's nodes: no stranger quotas, no probation). */
  async trust(peerIds: string[]): Promise<void> {
    if (peerIds.length === 0) return
    await this.api(peerIds.map((peerId) => ({ method: 'POST', path: '/v1/peers/trust', body: { peerId } })))
  }

  /** The `defs` CLI run inside the namespace against this host's daemon (`--dir` added). */
  cli(args: string[], options: ClientOptions = {}): Promise<ClientResult> {
    return runInNamespace(this.namespace, [process.execPath, cliScript, ...args, '--dir', this.dir], options)
  }

  /** CPU-seconds the daemon has used so far (utime + stime, all threads), from /proc. */
  async cpuSeconds(): Promise<number> {
    if (this.pid === undefined) throw new HostStateError(`${this.name} has not started yet`)
    return processCpuSeconds(this.pid)
  }
}

/** A signal to a process that may have exited already. */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name)
  } catch {}
}

// USER_HZ, 100 on every Linux this runs on (getconf CLK_TCK)
const ticksPerSecond = 100

export async function processCpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // utime and stime are fields 14 and 15 (11 and 12 after the name), summed over all threads
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond
}
