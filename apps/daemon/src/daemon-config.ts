// `<dir>/daemon.json`: where the daemon's API listens and the node options it starts with.
// `defs init` writes it; the daemon rewrites the port it actually bound (port 0 picks a free one)
// so that a client given only `--dir` finds the running daemon.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { NodeOptions } from '@defs/node'
import { writeFileAtomic } from '@defs/node'

export const daemonConfigFile = 'daemon.json'
export const defaultApiPort = 7420
export const defaultApiHost = '127.0.0.1'

/** Node options as kept in daemon.json: everything but the directory, which is where the file is. */
export type StoredNodeOptions = Omit<NodeOptions, 'dataDir'>

export interface DaemonConfig {
  version: 1
  api: { host: string; port: number }
  node: StoredNodeOptions
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
  if (typeof c.node !== 'object' || c.node === null)
    throw new DaemonConfigError(`${path}: node must be an object`)
  return { version: 1, api: { host: api.host, port: api.port }, node: c.node }
}

function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535
}
