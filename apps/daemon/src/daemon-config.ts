// `<dir>/daemon.json`: where the daemon's API listens. `defs init` writes it; the daemon rewrites
// the port it actually bound (port 0 picks a free one) so that a client given only `--dir` finds
// the running daemon. The node's own options live in the node's config (`<dir>/config`, see
// @defs/node/config); a daemon.json of before kept them here under `node`: the daemon hands those
// to the node once, which keeps them, and writes daemon.json again without them.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type NodeOptions, writeFileAtomic } from '@defs/node/config'

export const daemonConfigFile = 'daemon.json'
export const defaultApiPort = 7420
export const defaultApiHost = '127.0.0.1'

/** Node options by name, as flags and daemon.json give them: all but the directory (where the file is). */
export type StoredNodeOptions = Omit<NodeOptions, 'dataDir' | 'libp2pMetrics'>

export interface DaemonConfig {
  version: 1
  api: { host: string; port: number }
  /** Node options as daemon.json kept them before the node's config did: read once, then dropped. */
  node?: StoredNodeOptions
  /**
   * Whether `defs start` runs the node paired; absent: yes. Written when a start is given
   * --pairing or --no-pairing, so the next start without either keeps the choice.
   */
  pairing?: boolean
}

export class DaemonConfigError extends Error {
  override name = 'DaemonConfigError'
}

export function daemonConfigPath(dir: string): string {
  return join(dir, daemonConfigFile)
}

export async function readDaemonConfig(dir: string): Promise<DaemonConfig | undefined> {
  const path = daemonConfigPath(dir)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw new DaemonConfigError(`${path} is not valid JSON: ${(err as Error).message}`)
  }
  return checkDaemonConfig(parsed, path)
}

export async function writeDaemonConfig(dir: string, config: DaemonConfig): Promise<void> {
  await writeFileAtomic(daemonConfigPath(dir), `${JSON.stringify(config, null, 2)}\n`)
}

function checkDaemonConfig(value: unknown, path: string): DaemonConfig {
  const c = value as Partial<DaemonConfig> | null
  if (typeof c !== 'object' || c === null) throw new DaemonConfigError(`${path} must hold a JSON object`)
  if (c.version !== 1) throw new DaemonConfigError(`${path}: unknown version ${JSON.stringify(c.version)}`)
  const api = c.api as Partial<DaemonConfig['api']> | undefined
  if (typeof api?.host !== 'string' || !isPort(api.port)) {
    throw new DaemonConfigError(`${path}: api must be { "host": "127.0.0.1", "port": 0..65535 }`)
  }
  if (c.node !== undefined && (typeof c.node !== 'object' || c.node === null))
    throw new DaemonConfigError(`${path}: node must be an object`)
  if (c.pairing !== undefined && typeof c.pairing !== 'boolean')
    throw new DaemonConfigError(`${path}: pairing must be true or false`)
  return {
    version: 1,
    api: { host: api.host, port: api.port },
    ...(c.node !== undefined ? { node: c.node } : {}),
    ...(c.pairing !== undefined ? { pairing: c.pairing } : {})
  }
}

function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535
}
