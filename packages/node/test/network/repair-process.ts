// A repair-child node process for tests: spawned with its directory, bootstrap addresses and
// repair options; its JSON lines kept in order; waits on them bounded; SIGKILL or SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
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
  /** When the test read the line (ms since the epoch), set here, not by the child. */
  at?: number
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
  holders?: { n: number; live?: string[][][]; error?: string }
  pair?: { partner?: string }
  pairError?: string
}

export class RepairProcess {
  readonly proc: ChildProcess
  readonly lines: RepairLine[] = []
  readonly exited: Promise<NodeJS.Signals | number | null>
  peerId = ''
  addresses: string[] = []
  readonly #waiters = new Set<() => void>()

  readonly dir: string
  #asked = 0

  /** `pairing`: the pairing service's options (none: the node runs no pairing). */
  constructor(
    dir: string,
    bootstrap: string[],
    options: object,
    leaseOptions: object = {},
    pairing?: object
  ) {
    this.dir = dir
    const proc = spawn(
      process.execPath,
      [
        '--conditions=@defs/source',
        child,
        dir,
        JSON.stringify(bootstrap),
        JSON.stringify(options),
        JSON.stringify(leaseOptions),
        JSON.stringify(pairing ?? null)
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] }
    )
    this.proc = proc
    this.exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve(signal ?? code)))
    void (async () => {
      for await (const text of createInterface({ input: proc.stdout! })) {
        const line = { ...(JSON.parse(text) as RepairLine), at: Date.now() }
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

  /**
   * The live holders of each shard of the file `ref` names ([slice][shard] -> peers), as this node
   * finds them now: its location lookup, then a `has` of every holder (a dead one counts for none).
   */
  async holders(ref: string, ms = 15_000): Promise<string[][][]> {
    const n = ++this.#asked
    const from = this.lines.length
    this.proc.stdin!.write(`holders ${n} ${ref}\n`)
    const { holders } = await this.waitFor((l) => l.holders?.n === n, 'the holders of a file', ms, from)
    if (holders!.error !== undefined) throw new Error(`${this.peerId} found no holders: ${holders!.error}`)
    return holders!.live!
  }

  /** Pairs this node (it runs pairing) with `peer`; resolves once this side has formed the pair. */
  async pairWith(peer: string, ms = 20_000): Promise<void> {
    const from = this.lines.length
    this.proc.stdin!.write(`pair ${peer}\n`)
    const line = await this.waitFor(
      (l) => l.pair?.partner === peer || l.pairError !== undefined,
      `a pair with ${peer}`,
      ms,
      from
    )
    if (line.pairError !== undefined) throw new Error(`${this.peerId} could not pair: ${line.pairError}`)
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal)
    await this.exited
  }
}

/** How repair nodes are started: their services' options. */
export interface RepairNodeOptions {
  repairOptions: object
  leaseOptions?: object
  /** The pairing service's options; none: the nodes run no pairing. */
  pairing?: object
  readyMs?: number
}

/** Starts `n` repair nodes one after another, each joining through `first` and those before it. */
export async function startRepairNodes(
  root: string,
  n: number,
  first: string[],
  options: RepairNodeOptions
): Promise<RepairProcess[]> {
  const nodes: RepairProcess[] = []
  try {
    for (let i = 0; i < n; i++) {
      const p = new RepairProcess(
        `${root}/r${i}`,
        [...first, ...nodes.map((x) => x.addresses[0]!)],
        options.repairOptions,
        options.leaseOptions,
        options.pairing
      )
      nodes.push(p)
      await p.waitFor((l) => l.ready === true, 'ready', options.readyMs ?? 30_000)
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
  /**
   * Starts a storage node process again in the directory of `p` (which has exited: the same peer
   * id and shards), with the network's options, joined through the live ones; adds it to `nodes`.
   */
  restart(p: RepairProcess): Promise<RepairProcess>
  /** Kills every process (a stopped one is sent SIGCONT first), stops the owner, removes root. */
  stop(): Promise<void>
}

/**
 * A temporary root named after `prefix`, an owner node in this process (slices of `sliceSize`,
 * composed with `services`), then `n` storage node processes with `repairOptions`,
 * `leaseOptions` and `pairing` (options of their pairing service; none: no pairing), once the
 * owner sees every one of them (bounded). Anything started is stopped again when a later step
 * fails.
 */
export async function startRepairNetwork<S extends object>(
  prefix: string,
  n: number,
  options: {
    sliceSize: number
    services: ServiceFactories<S>
    repairOptions: object
    leaseOptions?: object
    pairing?: object
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
  const nodeOptions = {
    repairOptions: options.repairOptions,
    leaseOptions: options.leaseOptions,
    pairing: options.pairing
  }
  const restart = async (p: RepairProcess): Promise<RepairProcess> => {
    const live = nodes.filter((x) => x.proc.exitCode === null && x.proc.signalCode === null)
    const again = new RepairProcess(
      p.dir,
      live.map((x) => x.addresses[0]!),
      nodeOptions.repairOptions,
      nodeOptions.leaseOptions,
      nodeOptions.pairing
    )
    nodes.push(again)
    await again.waitFor((l) => l.ready === true, 'ready again', 30_000)
    return again
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
    nodes.push(...(await startRepairNodes(root, n, owner.addresses(), nodeOptions)))
    const started = owner
    await waitFor(async () => (await started.status()).peers >= n, 'the owner to see every node', 20_000)
    return { root, owner, nodes, restart, stop }
  } catch (err) {
    await stop()
    throw err
  }
}

/** Per slice, its shards with at least one live copy, of live holders [slice][shard] -> peers. */
export function liveShards(live: string[][][]): number[] {
  return live.map((slice) => slice.filter((peers) => peers.length > 0).length)
}

/**
 * Waits (bounded) until `asked`, a live holder, finds every shard of the file `ref` names with a
 * live copy, and returns the live holders ([slice][shard] -> peers).
 */
export async function fullHealth(asked: RepairProcess, ref: string, ms: number): Promise<string[][][]> {
  let live: string[][][] = []
  await waitFor(
    async () => {
      live = await asked.holders(ref)
      return live.every((slice) => slice.every((peers) => peers.length > 0))
    },
    `every shard of the file back with a live copy (asked ${asked.peerId})`,
    ms
  )
  return live
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

/** What was acknowledged: each stored file's capability and the SHA-256 of what was sent. */
export type Ledger = { fileId: string; capability: string; sha256: string }[]

/** Uploads `bytes` as file `name` under `root` (k + m Reed-Solomon) and records it once it is done. */
export async function putRecorded(
  node: DefsNode<object>,
  root: string,
  name: string,
  bytes: Uint8Array,
  code: { dataShards: number; parityShards: number },
  ledger: Ledger
): Promise<{ fileId: string; capability: string }> {
  const path = join(root, name)
  await writeFile(path, bytes)
  const put = await node.files.put(path, { mode: 'rs-proportion', ...code })
  const task = await node.tasks.settled(put.taskId)
  if (task.state !== 'done') throw new Error(`the upload of ${name} ended ${task.state}: ${task.error}`)
  ledger.push({ fileId: put.fileId, capability: put.capability, sha256: sha256(bytes) })
  return put
}

/** Reads every file of `ledger` back through `reader`; throws naming each one that differs. */
export async function readBack(reader: DefsNode<object>, root: string, ledger: Ledger): Promise<void> {
  const wrong: string[] = []
  for (const [i, f] of ledger.entries()) {
    const out = join(root, `back-${i}`)
    await reader.files.get(f.capability, out)
    const got = sha256(await readFile(out))
    if (got !== f.sha256) wrong.push(`${f.fileId}: sha256 ${got}, acknowledged ${f.sha256}`)
  }
  if (wrong.length > 0)
    throw new Error(`${wrong.length} of ${ledger.length} files differ:\n${wrong.join('\n')}`)
}
