// A node that comes back announces again the files it owns. kad-dht reprovides only what this
// process provided, and the records other nodes keep for it expire, so without this a file
// uploaded before a restart is found only through the gossip index (while its holders are online
// and in the mesh). It runs in the background, a few files at a time and bounded in count, so it
// is never in the way of a start or a stop.
import type { NodeComponents } from '../components.ts'
import { fromHex } from '../disk/hex.ts'
import { announceFile } from './network-index.ts'

/** At most this many files are announced per start (the rest wait for the next one). */
export const REPUBLISH_MAX_FILES = 10_000
const CONCURRENCY = 2
/** kad-dht's routing table: a size and 'peer:add' events (not part of its public KadDHT type). */
interface RoutingTableView extends EventTarget {
  readonly size: number
}
/** How long a node waits for its first DHT peer before it gives up announcing for this start. */
const FIRST_PEER_WAIT_MS = 60_000

export interface Republished {
  /** Files the DHT took again (provider and manifest record). */
  files: number
  /** Files whose announcement failed (no DHT peer answered in time). */
  failed: number
  ms: number
}

/** Starts announcing this node's own files; close() stops it and waits for what is in flight. */
export function republishOnStart(c: NodeComponents): { close(): Promise<void> } {
  const controller = new AbortController()
  const run = republishOwnFiles(c, controller.signal)
    .then((done) => {
      if (done !== undefined) c.events.safeDispatchEvent('republish', { detail: done })
    })
    .catch(() => {
      // stopped, or the meta store closed under it: the next start announces again
    })
  return {
    close: async () => {
      controller.abort()
      await run
    }
  }
}

async function republishOwnFiles(c: NodeComponents, signal: AbortSignal): Promise<Republished | undefined> {
  const started = Date.now()
  const own: { fileIdHex: string; envelope: Uint8Array }[] = []
  for await (const m of c.meta.manifests()) {
    if (own.length >= REPUBLISH_MAX_FILES) break
    // Only files this node published have a placement; manifests it fetched to read are others'.
    if ((await c.meta.getPlacement(m.fileIdHex)) !== undefined) own.push(m)
  }
  if (own.length === 0 || !(await firstPeer(c, signal))) return undefined
  let files = 0
  let failed = 0
  const next = async (): Promise<void> => {
    for (let m = own.pop(); m !== undefined && !signal.aborted; m = own.pop()) {
      if (await announceFile(c, m.envelope, fromHex(m.fileIdHex), signal)) files++
      else failed++
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, next))
  return signal.aborted ? undefined : { files, failed, ms: Date.now() - started }
}

/** Resolves true once the DHT's routing table has a peer (a provide needs one), false on timeout or stop. */
async function firstPeer(c: NodeComponents, signal: AbortSignal): Promise<boolean> {
  const table = (c.host.services.dht as unknown as { routingTable?: RoutingTableView }).routingTable
  if (table === undefined || table.size > 0) return true
  return new Promise((resolve) => {
    const done = (ok: boolean): void => {
      clearTimeout(timer)
      table.removeEventListener('peer:add', added)
      signal.removeEventListener('abort', stopped)
      resolve(ok)
    }
    const added = (): void => done(true)
    const stopped = (): void => done(false)
    const timer = setTimeout(stopped, FIRST_PEER_WAIT_MS)
    table.addEventListener('peer:add', added)
    signal.addEventListener('abort', stopped)
  })
}
