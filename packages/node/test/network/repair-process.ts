// A repair-child node process for tests: spawned with its directory, bootstrap addresses and
// repair options; its JSON lines kept in order; waits on them bounded; SIGKILL or SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { resolveManifest } from '../../src/files/resolve-file.ts'
import {
  type CollectedShard,
  createNode,
  type DefsNode,
  type NodeComponents,
  type NodeStatus
} from '../../src/index.ts'
import type { ServiceFactories } from '../../src/services.ts'
import { liveHolders } from '../../src/steps/file-health.ts'
import { lookupHolders } from '../../src/steps/network-index.ts'
import { waitFor } from './devnet.ts'

const child = fileURLToPath(new URL('../fixtures/repair-child.ts', import.meta.url))

export interface RepairLine {
  ready?: boolean
  peerId?: string
  addresses?: string[]
  check?: { fileIdHex: string; ill: number[]; rank: number; queued?: string }
  repaired?: {
    fileIdHex: string
    slice: number
    placed: number[]
    holders: string[][]
    placedByOthers: number[]
  }
  audit?: {
    peer: string
    fileIdHex: string
    shard: string
    result: string
    reason?: string
    auditFactor: number
  }
  report?: { fileIdHex: string; slice: number; from: string }
  task?: { id: string; state: string; params: { fileIdHex: string }; error?: string }
  collected?: CollectedShard
  renewed?: { fileIdHex: string; as: 'owner' | 'repairer'; holders: string[] }
  status?: NodeStatus
}

export class RepairProcess {
  readonly proc: ChildProcess
  readonly lines: RepairLine[] = []
  readonly exited: Promise<NodeJS.Signals | number | null>
  peerId = ''
  addresses: string[] = []
  readonly #waiters = new Set<() => void>()

  readonly dir: string

  constructor(dir: string, bootstrap: string[], options: object, leaseOptions: object = {}) {
    this.dir = dir
    const proc = spawn(
      process.execPath,
      [
        '--conditions=@defs/source',
        child,
        dir,
        JSON.stringify(bootstrap),
        JSON.stringify(options),
        JSON.stringify(leaseOptions)
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] }
    )
    this.proc = proc
    this.exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve(signal ?? code)))
    void (async () => {
      for await (const text of createInterface({ input: proc.stdout! })) {
        const line = JSON.parse(text) as RepairLine
        if (line.ready) {
          this.peerId = line.peerId!
          this.addresses = line.addresses!
        }
        this.lines.push(line)
        for (const w of this.#waiters) w()
      }
    })()
  }

  /** The first line (from `from` on) that `match` accepts; throws after `ms`. */
  async waitFor(match: (l: RepairLine) => boolean, what: string, ms: number, from = 0): Promise<RepairLine> {
    const found = (): RepairLine | undefined => this.lines.slice(from).find(match)
    const now = found()
    if (now !== undefined) return now
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check)
        reject(new Error(`timed out after ${ms} ms waiting for ${what} from ${this.peerId || 'a child'}`))
      }, ms)
      const check = (): void => {
        const line = found()
        if (line === undefined) return
        clearTimeout(timer)
        this.#waiters.delete(check)
        resolve(line)
      }
      this.#waiters.add(check)
    })
  }

  /** The node's status, asked over stdin. */
  async status(ms = 10_000): Promise<NodeStatus> {
    const from = this.lines.length
    this.proc.stdin!.write('status\n')
    return (await this.waitFor((l) => l.status !== undefined, 'its status', ms, from)).status!
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal)
    await this.exited
  }
}

/** Starts `n` repair nodes one after another, each joining through `first` and those before it. */
export async function startRepairNodes(
  root: string,
  n: number,
  first: string[],
  options: object,
  readyMs = 30_000,
  leaseOptions: object = {}
): Promise<RepairProcess[]> {
  const nodes: RepairProcess[] = []
  try {
    for (let i = 0; i < n; i++) {
      const p = new RepairProcess(
        `${root}/r${i}`,
        [...first, ...nodes.map((x) => x.addresses[0]!)],
        options,
        leaseOptions
      )
      nodes.push(p)
      await p.waitFor((l) => l.ready === true, 'ready', readyMs)
    }
  } catch (err) {
    await Promise.all(nodes.map((p) => p.kill()))
    throw err
  }
  return nodes
}

/**
 * Waits (bounded) until every shard of the file has exactly one live copy, and returns who holds
 * each ([slice][shard] -> peers). A shard left with two copies after `ms` fails, naming them: a
 * race's loser withdraws its copy at its next check, so one copy is what the network ends with.
 */
export async function singleCopies(c: NodeComponents, ref: string, ms: number): Promise<string[][][]> {
  const file = await resolveManifest(c, ref)
  let live: string[][][] = []
  const until = Date.now() + ms
  for (;;) {
    live = await liveHolders(c, { ...file, holders: await lookupHolders(c, file.manifest) })
    const twice = live.flatMap((slice, i) => slice.flatMap((h, j) => (h.length !== 1 ? [{ i, j, h }] : [])))
    if (twice.length === 0) return live
    if (Date.now() >= until) {
      const { i, j, h } = twice[0]!
      throw new Error(`slice ${i} shard ${j} is held by ${JSON.stringify(h)} after ${ms} ms`)
    }
    await new Promise((r) => setTimeout(r, 500))
  }
}

/** An in-process owner and storage node processes joined to it, as the repair and lease tests use them. */
export interface RepairNetwork<S extends object> {
  /** The temporary directory every node lives under; removed by stop. */
  root: string
  owner: DefsNode<S>
  /** The storage node processes (a test may push restarted ones: stop kills them too). */
  nodes: RepairProcess[]
  /** Kills every process (a stopped one is sent SIGCONT first), stops the owner, removes root. */
  stop(): Promise<void>
}

/**
 * A temporary root named after `prefix`, an owner node in this process (slices of `sliceSize`,
 * composed with `services`), then `n` storage node processes with `repairOptions` and
 * `leaseOptions`, once the owner sees every one of them (bounded). Anything started is stopped
 * again when a later step fails.
 */
export async function startRepairNetwork<S extends object>(
  prefix: string,
  n: number,
  options: {
    sliceSize: number
    services: ServiceFactories<S>
    repairOptions: object
    leaseOptions?: object
  }
): Promise<RepairNetwork<S>> {
  const root = await mkdtemp(join(tmpdir(), prefix))
  let owner: DefsNode<S> | undefined
  const nodes: RepairProcess[] = []
  const stop = async (): Promise<void> => {
    for (const p of nodes) p.proc.kill('SIGCONT')
    await Promise.all(nodes.map((p) => p.kill()))
    await owner?.stop().catch(() => {})
    await rm(root, { recursive: true, force: true })
  }
  try {
    owner = (await createNode({
      dataDir: join(root, 'owner'),
      probationMs: 0,
      workerNum: 1,
      minSliceSize: options.sliceSize,
      maxSliceSize: options.sliceSize,
      services: options.services
    })) as unknown as DefsNode<S>
    nodes.push(
      ...(await startRepairNodes(
        root,
        n,
        owner.addresses(),
        options.repairOptions,
        30_000,
        options.leaseOptions
      ))
    )
    const started = owner
    await waitFor(async () => (await started.status()).peers >= n, 'the owner to see every node', 20_000)
    return { root, owner, nodes, stop }
  } catch (err) {
    await stop()
    throw err
  }
}
