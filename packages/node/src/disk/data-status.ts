// Guards of a node directory, checked at every start (after the lock): `node-id` names the node
// the directory belongs to, `data-status` records the data format, where the directory lives
// (machine and path) and whether its identity was retired. A start refuses, with one line, a
// directory whose identity is another node's, one written by a newer data format, and a copy of a
// directory whose original is still in place on this machine (two processes would then share one
// identity). A directory moved (its old place is gone) is taken as it is; a retired one starts
// as a new node; one whose identity file was lost joins as a new node under a new id.
import { readFile, realpath, rename, rm, stat } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { DirectoryOwnerError, IncompatibleDataError } from '../errors.ts'
import { writeFileAtomic } from './atomic-file.ts'
import type { NodeDir } from './node-dir.ts'

/** The on-disk layout this code reads and writes (stores, meta keys, shard files). */
export const DATA_FORMAT = 1

export interface DataStatus {
  format: number
  nodeId: string
  created: number
  /** /etc/machine-id, else the host name: which machine last ran the node. */
  machine: string
  /** The directory's real path when the node last ran. */
  path: string
  /** Set by `retire`: the next start moves this identity aside and starts as a new node. */
  retired?: boolean
  /** Ids this directory ran under before (retired or lost), oldest first. */
  pastIds?: string[]
}

/** What the start found; `startsNew` explains a new identity for the log. */
export interface DirectoryCheck {
  previous?: DataStatus
  startsNew?: 'first start' | 'retired' | 'identity lost'
}

/** Before the identity is loaded: refuse what must not start, move a retired identity aside. */
export async function checkDirectory(dir: NodeDir): Promise<DirectoryCheck> {
  const status = await readStatus(dir)
  const nodeId = await readText(join(dir.root, 'node-id'))
  if (status === undefined) return nodeId === undefined ? { startsNew: 'first start' } : {}
  if (status.format > DATA_FORMAT) {
    throw new IncompatibleDataError(
      `node directory ${dir.root} holds data format ${status.format}, newer than this DeFS reads (${DATA_FORMAT}): upgrade DeFS`
    )
  }
  if (status.retired === true) {
    // The identity is dead to the network: keep it for the record, never use it again.
    await rename(dir.identity, `${dir.identity}.retired-${status.nodeId}`).catch(ignoreMissing)
    await rm(join(dir.root, 'node-id'), { force: true })
    return { previous: status, startsNew: 'retired' }
  }
  const here = await realpath(dir.root)
  if (status.path !== here && status.machine === (await machineId())) {
    const original = await readStatus({ ...dir, root: status.path })
    if (original?.nodeId === status.nodeId) {
      throw new DirectoryOwnerError(
        `node directory ${dir.root} is a copy of ${status.path}, which is node ${status.nodeId} on this machine: a copy must not run beside its original; start it with a fresh directory (or move, not copy, the original)`
      )
    }
  }
  if (!(await exists(dir.identity)) && nodeId !== undefined) {
    return { previous: status, startsNew: 'identity lost' }
  }
  return { previous: status }
}

/** After the identity is loaded: its peer id must be the directory's; then the status is updated. */
export async function claimDirectory(dir: NodeDir, peerId: string, check: DirectoryCheck): Promise<void> {
  const nodeIdPath = join(dir.root, 'node-id')
  const owner = await readText(nodeIdPath)
  if (owner !== undefined && owner !== peerId && check.startsNew === undefined) {
    throw new DirectoryOwnerError(
      `node directory ${dir.root} belongs to node ${owner}, but its identity file is node ${peerId}'s: restore ${owner}'s identity, or use another directory`
    )
  }
  const previous = check.previous
  const pastIds =
    previous !== undefined && previous.nodeId !== peerId
      ? [...(previous.pastIds ?? []), previous.nodeId]
      : previous?.pastIds
  const status: DataStatus = {
    format: DATA_FORMAT,
    nodeId: peerId,
    created: previous?.nodeId === peerId ? previous.created : Date.now(),
    machine: await machineId(),
    path: await realpath(dir.root),
    ...(pastIds !== undefined && pastIds.length > 0 ? { pastIds } : {})
  }
  if (owner !== peerId) await writeFileAtomic(nodeIdPath, `${peerId}\n`)
  await writeFileAtomic(join(dir.root, 'data-status'), `${JSON.stringify(status, null, 2)}\n`)
}

/** Marks the directory retired: its next start moves the identity aside and starts as a new node. */
export async function markRetired(dir: NodeDir): Promise<void> {
  const status = await readStatus(dir)
  if (status === undefined)
    throw new IncompatibleDataError(`node directory ${dir.root} has no data-status to retire`)
  await writeFileAtomic(
    join(dir.root, 'data-status'),
    `${JSON.stringify({ ...status, retired: true }, null, 2)}\n`
  )
}

async function readStatus(dir: Pick<NodeDir, 'root'>): Promise<DataStatus | undefined> {
  const text = await readText(join(dir.root, 'data-status'))
  if (text === undefined) return undefined
  try {
    const s = JSON.parse(text) as DataStatus
    if (typeof s.format === 'number' && typeof s.nodeId === 'string' && typeof s.path === 'string') return s
  } catch {
    // Falls through: an unreadable status is refused below, never guessed at.
  }
  throw new IncompatibleDataError(`node directory ${dir.root} has an unreadable data-status file`)
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false
      throw err
    }
  )
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

let machine: string | undefined
async function machineId(): Promise<string> {
  machine ??= (await readText('/etc/machine-id')) || hostname()
  return machine
}

function ignoreMissing(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err
}
