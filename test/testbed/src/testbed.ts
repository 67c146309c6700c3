// createTestbed: namespaces, links and daemons for N hosts, faults on them, and a teardown that
// removes all of it, from the test's `after`, on process exit or on a signal. Dead runs' leftovers
// are swept first, so a SIGKILLed test run never leaves namespaces for long.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { maxHosts, privateAddresses, publicAddress } from './addresses.ts'
import { inNamespace, run, runSync } from './commands.ts'
import { type TestbedHost as Host, TestbedHost } from './host.ts'
import { DurabilityLedger, type ShardAck } from './ledger.ts'
import { attachSlot, createBridge } from './network.ts'
import { blockRules, lossRules } from './nft-rules.ts'
import { killNamespaceProcesses, newRunId, sweepDeadRuns } from './run-id.ts'
import { parseRate, setEgress } from './shaping.ts'

export interface TestbedOptions {
  /** How many hosts (1-250), each a namespace with its own daemon. */
  hosts: number
  /** Egress cap of every host, as tc writes rates: '100mbit'. Default: none. */
  egress?: string
  /** Fraction of every host's outgoing packets dropped at random, e.g. 0.005. Default 0. */
  loss?: number
  /** 1-based indexes of hosts that sit behind a NAT of their own. */
  nat?: number[]
  /** Node options for daemon.json. Default rs-proportion 4+2. */
  node?: Record<string, unknown>
  /** Extra `defs start` flags for host `index` (1-based). */
  flags?: (index: number) => string[]
  /**
   * The daemons pair (as `defs start` does by default). Default false: `--no-pairing`, so a test
   * that is not about pairs counts shards and holders without their partners' mirror copies.
   */
  pairing?: boolean
  /** Start the daemons (default true); false leaves bare namespaces for other programs. */
  daemons?: boolean
  /** Connect every host to every dialable one and wait until they see each other. Default true. */
  mesh?: boolean
}

export interface PutRecord {
  fileId: string
  capability: string
  size: number
  sha256: string
  result: Record<string, unknown>
}

/** The testbed could not be built or a call on it was wrong; the message says which. */
export class TestbedError extends Error {
  override name = 'TestbedError'
}

const live = new Set<Testbed>()
let handlersInstalled = false

export class Testbed {
  readonly runId: string
  readonly dir: string
  readonly bridge: string
  readonly hosts: TestbedHost[] = []
  readonly ledger = new DurabilityLedger()
  /** Every namespace this testbed made, in the order made. */
  readonly namespaces: string[] = []
  readonly #blocked = new Map<Host, Set<string>>()
  #torndown?: Promise<void>

  constructor(runId: string) {
    this.runId = runId
    this.dir = join(tmpdir(), runId)
    this.bridge = `${runId}-br`
  }

  /** Host `i`, 1-based as in the names h1, h2, ... */
  host(i: number): TestbedHost {
    const h = this.hosts[i - 1]
    if (h === undefined) throw new TestbedError(`no host ${i}: this testbed has ${this.hosts.length}`)
    return h
  }

  /** Drops every packet between a and b, both directions (existing connections go silent). */
  async partition(a: Host, b: Host): Promise<void> {
    if (a === b) throw new TestbedError(`cannot partition ${a.name} from itself`)
    await this.#block(a, [b.address])
    await this.#block(b, [a.address])
  }

  /** Partitions one host from every other. */
  async isolate(a: Host): Promise<void> {
    for (const b of this.hosts) if (b !== a) await this.partition(a, b)
  }

  /** Undoes partitions: between a and b, of a from all, or (no argument) every one. */
  async heal(a?: Host, b?: Host): Promise<void> {
    for (const [host, set] of this.#blocked) {
      const drop = [...set].filter((addr) =>
        a === undefined
          ? true
          : b === undefined
            ? host === a || addr === a.address
            : (host === a && addr === b.address) || (host === b && addr === a.address)
      )
      if (drop.length === 0) continue
      await inNamespace(host.namespace, 'nft', ['-f', '-'], blockRules('delete', drop))
      for (const addr of drop) set.delete(addr)
    }
  }

  /** Drops a fraction of what `host` sends (of what every host sends, when `host` is undefined). */
  async setLoss(fraction: number, host?: Host): Promise<void> {
    const rules = lossRules(fraction)
    for (const h of host === undefined ? this.hosts : [host])
      await inNamespace(h.namespace, 'nft', ['-f', '-'], rules)
  }

  /** Caps what `host` (every host, when undefined) sends; `undefined` rate removes the cap. */
  async setEgress(rate: string | undefined, host?: Host): Promise<void> {
    if (rate !== undefined) parseRate(rate)
    for (const h of host === undefined ? this.hosts : [host]) await setEgress(h.namespace, rate)
  }

  /** Connects every host to every host it can dial and waits (bounded) until each sees them. */
  async mesh(timeoutMs = 20_000): Promise<void> {
    const up = this.hosts.filter((h) => h.running)
    const direct = up.filter((h) => !h.behindNat)
    await Promise.all(
      up.map(async (h) => {
        const targets = direct.filter((d) => d !== h && (h.behindNat || d.index < h.index))
        if (targets.length > 0) await h.connect(targets.map((d) => d.multiaddr()))
      })
    )
    const deadline = Date.now() + timeoutMs
    for (const h of up) {
      const want = up.length - 1
      for (;;) {
        const seen = (await h.status()).peers
        if (seen >= want) break
        if (Date.now() > deadline)
          throw new TestbedError(`${h.name} sees ${seen} peers after ${timeoutMs / 1000} s, expected ${want}`)
        await new Promise((r) => setTimeout(r, 250))
      }
    }
  }

  /**
   * `defs put FILE --json` on `host`; when the daemon acknowledges, the upload goes into the
   * ledger with the SHA-256 of the file as it was sent.
   */
  async put(host: Host, file: string, flags: string[] = []): Promise<PutRecord> {
    const sha256 = await sha256File(file)
    const out = await host.cli(['put', file, '--json', ...flags])
    if (out.code !== 0) throw new TestbedError(`${host.name}: defs put ${file} failed: ${out.stderr.trim()}`)
    const result = JSON.parse(out.stdout) as {
      fileId: string
      capability: string
      size: number
      placement: { slice: number; shards: Omit<ShardAck, 'slice'>[] }[]
    }
    this.ledger.record({
      fileId: result.fileId,
      capability: result.capability,
      size: result.size,
      sha256,
      writer: host,
      acks: result.placement.flatMap(({ slice, shards }) => shards.map((s) => ({ slice, ...s })))
    })
    return { fileId: result.fileId, capability: result.capability, size: result.size, sha256, result }
  }

  /** Kills every process in the testbed's namespaces, deletes the namespaces (and so their links) and the directory. */
  teardown(): Promise<void> {
    this.#torndown ??= (async () => {
      for (const ns of this.namespaces) await killNamespaceProcesses(ns)
      for (const ns of [...this.namespaces].reverse()) await run('ip', ['netns', 'del', ns]).catch(() => '')
      await rm(this.dir, { recursive: true, force: true })
      live.delete(this)
    })()
    return this.#torndown
  }

  /** The synchronous teardown of an exit handler. */
  teardownSync(): void {
    for (const ns of this.namespaces) {
      for (const pid of runSync('ip', ['netns', 'pids', ns]).split('\n').filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL')
        } catch {}
      }
    }
    for (const ns of [...this.namespaces].reverse()) runSync('ip', ['netns', 'del', ns])
    runSync('rm', ['-rf', this.dir])
  }

  async #block(host: Host, addresses: string[]): Promise<void> {
    const set = this.#blocked.get(host) ?? new Set<string>()
    this.#blocked.set(host, set)
    const fresh = addresses.filter((a) => !set.has(a))
    if (fresh.length === 0) return
    await inNamespace(host.namespace, 'nft', ['-f', '-'], blockRules('add', fresh))
    for (const a of fresh) set.add(a)
  }
}

function installHandlers(): void {
  if (handlersInstalled) return
  handlersInstalled = true
  process.on('exit', () => {
    for (const t of live) t.teardownSync()
  })
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      for (const t of live) t.teardownSync()
      process.kill(process.pid, sig)
    })
  }
}

export async function createTestbed(options: TestbedOptions): Promise<Testbed> {
  const n = options.hosts
  if (!Number.isInteger(n) || n < 1 || n > maxHosts)
    throw new TestbedError(`hosts must be an integer in 1..${maxHosts}, got ${n}`)
  for (const i of options.nat ?? [])
    if (!Number.isInteger(i) || i < 1 || i > n)
      throw new TestbedError(`nat names host ${i}, hosts are 1..${n}`)
  if (options.egress !== undefined) parseRate(options.egress)
  lossRules(options.loss ?? 0)
  await sweepDeadRuns()
  installHandlers()
  const tb = new Testbed(newRunId())
  live.add(tb)
  try {
    tb.namespaces.push(tb.bridge)
    await createBridge(tb.bridge)
    const nat = new Set(options.nat ?? [])
    for (let i = 1; i <= n; i++) {
      const namespace = `${tb.runId}-h${i}`
      const natNamespace = nat.has(i) ? `${tb.runId}-nat${i}` : undefined
      tb.namespaces.push(namespace)
      if (natNamespace !== undefined) tb.namespaces.push(natNamespace)
      await attachSlot(tb.bridge, { index: i, namespace, ...(natNamespace ? { natNamespace } : {}) })
      tb.hosts.push(
        new TestbedHost({
          index: i,
          namespace,
          ...(natNamespace ? { natNamespace } : {}),
          address: publicAddress(i),
          listenAddress: natNamespace ? privateAddresses(i).host : publicAddress(i),
          dir: join(tb.dir, `h${i}`),
          node: options.node ?? { storageMode: 'rs-proportion', dataShards: 4, parityShards: 2 },
          flags: [...(options.pairing === true ? [] : ['--no-pairing']), ...(options.flags?.(i) ?? [])]
        })
      )
    }
    if (options.egress !== undefined) await tb.setEgress(options.egress)
    if ((options.loss ?? 0) > 0) await tb.setLoss(options.loss!)
    if (options.daemons !== false) {
      const first = tb.hosts.find((h) => !h.behindNat)
      if (first !== undefined) await first.start([])
      const join = first === undefined ? [] : [first.multiaddr()]
      await Promise.all(tb.hosts.filter((h) => h !== first).map((h) => h.start(join)))
      // One operator's hosts trust each other, as a devnet's nodes do.
      await Promise.all(
        tb.hosts.map((h) =>
          h.trust(tb.hosts.filter((o) => o !== h && o.peerId !== undefined).map((o) => o.peerId!))
        )
      )
      if (options.mesh !== false) await tb.mesh()
    }
  } catch (err) {
    await tb.teardown()
    throw err
  }
  return tb
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}
