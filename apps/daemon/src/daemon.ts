// startDaemon: one node, its authenticated HTTP API on the loopback interface, its metrics and
// its log, started together and stopped together at a consistent point.
import { once } from 'node:events'
import { mkdir } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, resolve } from 'node:path'
import type { DefsNode, LeaseService, NodeOptions, RepairService } from '@defs/node'
import { readNodeConfig } from '@defs/node/config'
import type { PairingOptions } from '@defs/pairing'
import { ensureApiToken } from './api-token.ts'
import {
  type DaemonConfig,
  DaemonConfigError,
  defaultApiHost,
  defaultApiPort,
  readDaemonConfig,
  type StoredNodeOptions,
  writeDaemonConfig
} from './daemon-config.ts'
import { type DaemonLog, openDaemonLog } from './daemon-log.ts'
import { createApiHandler } from './http/api-handler.ts'
import { loopbackHosts } from './http/request-origin.ts'
import type { LoginThrottlePolicy } from './login-throttle.ts'
import { DaemonMetrics } from './metrics.ts'
import { logNodeEvents } from './node-events-log.ts'
import { withDaemonServices } from './shares.ts'
import { THROUGHPUT_INTERVAL_MS } from './throughput.ts'

export interface DaemonOptions {
  /** The node directory: identity, stores, api-token, daemon.json, logs. */
  dir: string
  /** API port; 0 picks a free one. Default: daemon.json's, else 7420. */
  port?: number
  /** API host; loopback only. Default 127.0.0.1. */
  host?: string
  /** Node options over those in daemon.json (p2p port, bootstrap, code, quota, ...). */
  node?: StoredNodeOptions
  /**
   * Let users whose home is another node log in here (a mirror serving a user whose home is
   * down, before they move home). Off by default: a login is taken only where the user's home is.
   */
  allowExternalLogin?: boolean
  /** How failed passphrases slow the next tries (a test's short backoff); login-throttle.ts's defaults when absent. */
  loginThrottle?: LoginThrottlePolicy
  /** The node factory; `createNode` of @defs/node unless a test hands in another. */
  createNode?: (options: NodeOptions) => Promise<DefsNode>
  /** Run the node's pairing service with these options (`GET /v1/pair`); off when absent. */
  pairing?: PairingOptions
}

export interface Daemon {
  /** `http://127.0.0.1:PORT` */
  readonly url: string
  readonly token: string
  readonly peerId: string
  readonly dir: string
  readonly node: DefsNode
  addresses(): string[]
  /** Stops taking requests, stops the node (tasks paused and persisted), closes the log. */
  stop(): Promise<void>
}

/** The API port is taken, most often by a daemon already running on this directory. */
export class ApiPortInUseError extends Error {
  override name = 'ApiPortInUseError'
}

export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const dir = resolve(options.dir)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const stored = await readDaemonConfig(dir)
  const host = options.host ?? stored?.api.host ?? defaultApiHost
  if (!loopbackHosts.has(host)) {
    throw new DaemonConfigError(
      `API host must be a loopback address (127.0.0.1, ::1), got ${JSON.stringify(host)}`
    )
  }
  const port = options.port ?? stored?.api.port ?? defaultApiPort
  const token = await ensureApiToken(dir)
  // Options daemon.json kept before the node's config did go to the node, which keeps them.
  const nodeOptions: NodeOptions = { ...stored?.node, ...options.node, dataDir: dir }
  const logDir = nodeOptions.logDir ?? (await readNodeConfig(dir))?.logDir ?? join(dir, 'logs')
  const log = await openDaemonLog(logDir)
  let node: DefsNode
  const metrics = new DaemonMetrics()
  try {
    // Loaded on demand: the HTTP layer and `defs --help` should not pay for libp2p.
    const create = options.createNode ?? (await import('@defs/node')).createNode
    // libp2p's own metrics (connections, streams, bytes per protocol) land in the same registry.
    const { prometheusMetrics } = await import('@libp2p/prometheus-metrics')
    node = await create(
      withDaemonServices(
        {
          ...nodeOptions,
          libp2pMetrics: prometheusMetrics({ registry: metrics.registry, collectDefaultMetrics: false })
        },
        options.pairing
      )
    )
  } catch (err) {
    log.error('node_start_failed', err)
    await log.close()
    throw err
  }
  logNodeEvents(node, log)
  const sampler = setInterval(() => metrics.sampleThroughput(node), THROUGHPUT_INTERVAL_MS)
  sampler.unref()
  // Every node runs the repair service (a test's own node may not).
  const repair = (node.services as { repair?: RepairService }).repair
  if (repair !== undefined) metrics.watchRepair(repair)
  const leases = (node.services as { leases?: LeaseService }).leases
  if (leases !== undefined) metrics.watchLeases(leases)
  metrics.watchPairAcks(node)
  const server = createServer(
    createApiHandler({
      node,
      token,
      metrics,
      log,
      allowExternalLogin: options.allowExternalLogin ?? false,
      ...(options.loginThrottle === undefined ? {} : { loginThrottle: options.loginThrottle })
    })
  )
  // Uploads and downloads of large files take as long as they take; only idle headers time out.
  server.requestTimeout = 0
  server.headersTimeout = 60_000
  try {
    await listen(server, port, host)
  } catch (err) {
    await node.stop()
    log.error('api_listen_failed', err)
    await log.close()
    throw err
  }
  const bound = (server.address() as AddressInfo).port
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`
  if (
    stored === undefined ||
    stored.api.port !== bound ||
    stored.api.host !== host ||
    stored.node !== undefined
  ) {
    // the node options move to the node's own config; the choice of pairing stays here
    const config: DaemonConfig = {
      version: 1,
      api: { host, port: bound },
      ...(stored?.pairing !== undefined ? { pairing: stored.pairing } : {})
    }
    await writeDaemonConfig(dir, config)
  }
  log.info('daemon_started', { url, peerId: node.peerId, addresses: node.addresses(), pid: process.pid })
  let stopping: Promise<void> | undefined
  return {
    url,
    token,
    peerId: node.peerId,
    dir,
    node,
    addresses: () => node.addresses(),
    stop: () => {
      clearInterval(sampler)
      stopping ??= stopAll(server, node, log)
      return stopping
    }
  }
}

async function listen(server: Server, port: number, host: string): Promise<void> {
  server.listen(port, host)
  try {
    await once(server, 'listening')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new ApiPortInUseError(
        `API port ${port} on ${host} is in use (another daemon?); choose another with --api-port`
      )
    }
    throw err
  }
}

async function stopAll(server: Server, node: DefsNode, log: DaemonLog): Promise<void> {
  log.info('daemon_stopping')
  const closed = new Promise<void>((done) => server.close(() => done()))
  server.closeIdleConnections()
  try {
    // The node finishes the shard in flight and persists every task before this resolves.
    await node.stop()
  } finally {
    server.closeAllConnections()
    await closed
    log.info('daemon_stopped')
    await log.close()
  }
}
