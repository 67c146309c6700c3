// A development network: N daemons on 127.0.0.1, each a separate process with its own
// directory, node 1 first and the others bootstrapped to it, then meshed so any node can place
// shards on all the others. D/devnet.json (mode 0600) says how to reach each one.
import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { readApiToken, type StoredNodeOptions } from '@defs/daemon'
import { ApiClient } from '../client.ts'
import { UserError } from '../user-error.ts'
import { type DaemonExit, type DaemonProcess, spawnDaemon } from './daemon-process.ts'
import { writeDevnetFile } from './devnet-file.ts'
import { nodeFlags } from './node-flags-args.ts'

export interface DevnetOptions {
  /** How many daemons (1-32). */
  nodes: number
  /** Where the node directories and devnet.json go. */
  dir: string
  /** Node options given to every daemon (storage mode, code, quota, ...). */
  node?: StoredNodeOptions
  /**
   * Every daemon pairs with another (`--pairing`): shards mirrored to the partner, failover. Off
   * unless asked here; `defs devnet` asks for it unless `--no-pairing`.
   */
  pairing?: boolean
  /** Per daemon, to print its ready line. Default 30 s. */
  readyTimeoutMs?: number
  /** How long to wait for every node to see all the others. Default 15 s. */
  meshTimeoutMs?: number
  /** A node exited while the devnet was not stopping (crash, kill). */
  onNodeExit?: (name: string, code: number | null, signal: NodeJS.Signals | null) => void
}

export interface DevnetNode {
  name: string
  dir: string
  api: string
  token: string
  peerId: string
  addresses: string[]
  pid: number
}

export interface Devnet {
  readonly dir: string
  readonly file: string
  readonly nodes: DevnetNode[]
  client(name: string): ApiClient
  alive(name: string): boolean
  /** Kills one node (SIGKILL by default, as a crash would) and waits until it is gone. */
  kill(name: string, signal?: NodeJS.Signals): Promise<DaemonExit>
  /** SIGTERM to every node still running, waits (bounded), then SIGKILL what is left. */
  stop(): Promise<void>
}

const stopGraceMs = 25_000

export async function startDevnet(options: DevnetOptions): Promise<Devnet> {
  if (!Number.isInteger(options.nodes) || options.nodes < 1 || options.nodes > 32) {
    throw new UserError(`--nodes must be an integer in 1..32, got ${options.nodes}`)
  }
  const dir = resolve(options.dir)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000
  const processes = new Map<string, DaemonProcess>()
  const nodes: DevnetNode[] = []
  let stopping = false
  // Whatever happens to this process, its daemons must not outlive it.
  const killAll = () => {
    for (const p of processes.values())
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL')
  }
  process.on('exit', killAll)

  const launch = async (index: number, bootstrap: string[]) => {
    const name = `node-${index + 1}`
    const nodeDir = join(dir, name)
    // Ports are the devnet's (any free one) and logs stay in each node's own directory.
    const flags = nodeFlags({ ...options.node, port: 0, logDir: undefined, bootstrap })
    const pairing = options.pairing === true ? ['--pairing'] : []
    const p = await spawnDaemon(['--dir', nodeDir, '--api-port', '0', ...pairing, ...flags], readyTimeoutMs)
    processes.set(name, p)
    p.child.once('exit', (code, signal) => {
      if (!stopping) options.onNodeExit?.(name, code, signal)
    })
    const token = await readApiToken(nodeDir)
    nodes[index] = {
      name,
      dir: nodeDir,
      api: p.ready.api,
      token,
      peerId: p.ready.peerId,
      addresses: p.ready.addresses,
      pid: p.ready.pid
    }
  }

  const devnet: Devnet = {
    dir,
    file: join(dir, 'devnet.json'),
    nodes,
    client(name) {
      const node = nodes.find((n) => n.name === name)
      if (node === undefined) throw new UserError(`no devnet node ${name}`)
      return new ApiClient({ url: node.api, token: node.token })
    },
    alive(name) {
      const p = processes.get(name)
      return p !== undefined && p.child.exitCode === null && p.child.signalCode === null
    },
    async kill(name, signal = 'SIGKILL') {
      const p = processes.get(name)
      if (p === undefined) throw new UserError(`no devnet node ${name}`)
      p.child.kill(signal)
      return p.exited()
    },
    async stop() {
      stopping = true
      const running = [...processes.values()]
      for (const p of running) p.child.kill('SIGTERM')
      const grace = setTimeout(killAll, stopGraceMs)
      await Promise.all(running.map((p) => p.exited()))
      clearTimeout(grace)
      process.off('exit', killAll)
    }
  }

  try {
    await launch(0, [])
    const first = nodes[0]!
    const bootstrap = first.addresses.map((a) => (a.includes('/p2p/') ? a : `${a}/p2p/${first.peerId}`))
    await Promise.all(Array.from({ length: options.nodes - 1 }, (_, i) => launch(i + 1, bootstrap)))
    await trustEachOther(devnet)
    await mesh(devnet, options.meshTimeoutMs ?? 15_000)
    await writeDevnetFile(devnet.file, nodes)
  } catch (err) {
    await devnet.stop()
    throw err
  }
  return devnet
}

/**
 * A devnet is one operator's nodes: each trusts the others (no stranger quotas, placed on at
 * once, with no probation), as an operator would with `POST /v1/peers/trust`.
 */
async function trustEachOther(devnet: Devnet): Promise<void> {
  await Promise.all(
    devnet.nodes.map(async (node) => {
      const client = devnet.client(node.name)
      for (const other of devnet.nodes) {
        if (other !== node) await client.json('POST', '/v1/peers/trust', { peerId: other.peerId })
      }
    })
  )
}

/**
 * Connects every node to every other and waits (bounded) until each sees them all: the
 * bootstrap only links each node to node 1, and placement picks among connected peers.
 */
async function mesh(devnet: Devnet, timeoutMs: number): Promise<void> {
  const { nodes } = devnet
  if (nodes.length < 2) return
  await Promise.all(
    nodes.slice(1).map(async (node, i) => {
      const client = devnet.client(node.name)
      for (const other of nodes.slice(1, i + 1)) {
        const address = other.addresses.find((a) => a.includes('/ip4/127.0.0.1/')) ?? other.addresses[0]
        if (address !== undefined)
          await client
            .connect(address.includes('/p2p/') ? address : `${address}/p2p/${other.peerId}`)
            .catch(() => {})
      }
    })
  )
  const deadline = Date.now() + timeoutMs
  for (const node of nodes) {
    const client = devnet.client(node.name)
    while ((await client.status()).peers < nodes.length - 1) {
      if (Date.now() > deadline) return
      await new Promise((r) => setTimeout(r, 100))
    }
  }
}
