// A browser reads a DeFS file straight from the nodes that hold it: it joins through one node's
// WebSocket address, gets the signed manifest with the index, finds the other nodes through the
// DHT and dials them, asks the index who holds which shard (holders answer over the connections
// the browser opened: it cannot be dialed), fetches any k shards of each slice (each checked
// against its SHA-256 id), rebuilds lost data shards from parity, and decrypts each slice with
// the key in the capability.
import { createAead, deriveSliceKey, toHex as hexOf, sliceAad } from '@defs/crypto'
import { ReedSolomon } from '@defs/erasure'
import { createHost, type Host } from '@defs/net'
import { type Manifest, sliceLayout } from '@defs/segment'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { type Capability, parseCapability } from './capability.ts'
import { fileName } from './file-name.ts'

export interface ReadProgress {
  slicesDone: number
  slices: number
  bytesDone: number
  /** Holders the browser is connected to. */
  peers: number
}

export interface ReadResult {
  name: string
  bytes: Uint8Array
  slices: number
  /** Slices whose lost data shards were rebuilt from parity. */
  rebuilt: number
  /** Peers shards came from. */
  holders: number
  /** Milliseconds to join, get the manifest and find the holders; then to fetch, rebuild and decrypt. */
  findMs: number
  fetchMs: number
}

export class ReadFileError extends Error {
  override name = 'ReadFileError'
}

const FIND_MS = 5_000
/** Slices fetched at once: the next one travels while this one decodes. */
const WINDOW = 2

export async function readFile(
  capabilityText: string,
  address: string,
  onProgress?: (p: ReadProgress) => void
): Promise<ReadResult> {
  const cap = parseCapability(capabilityText)
  const entry = multiaddr(address)
  // Loopback and LAN addresses are what a devnet announces; libp2p refuses them in browsers
  // unless asked (privateAddresses).
  const started = performance.now()
  const host = await createHost({
    transports: ['websockets'],
    listen: [],
    dhtMode: 'client',
    privateAddresses: true
  })
  try {
    await host.dial(entry, { signal: AbortSignal.timeout(FIND_MS) })
    await joinIndex(host)
    // The manifest from the index while the DHT walk finds and dials the other nodes.
    const [manifest] = await Promise.all([manifestOf(host, cap), dialHolders(host, cap.fileId)])
    const holders = await holdersOf(host, manifest)
    const found = performance.now()
    const out = new Uint8Array(manifest.size)
    const aead = await createAead()
    let rebuilt = 0
    let slicesDone = 0
    const used = new Set<string>()
    const report = () =>
      onProgress?.({
        slicesDone,
        slices: manifest.slices.length,
        bytesDone: Math.min(manifest.size, slicesDone * manifest.sliceSize),
        peers: host.getPeers().length
      })
    report()
    const openOne = async (i: number): Promise<void> => {
      const slice = await fetchSlice(host, manifest, i, holders, used)
      if (slice.rebuilt) rebuilt++
      const entry = manifest.slices[i]!
      const key = await deriveSliceKey(cap.fileKey, cap.fileId, i, manifest.seq)
      const plain = await aead.decrypt(key, entry.nonce, slice.cipher, sliceAad(cap.fileId, i, manifest.seq))
      out.set(plain, i * manifest.sliceSize)
      slicesDone++
      report()
    }
    const running = new Set<Promise<void>>()
    for (let i = 0; i < manifest.slices.length; i++) {
      const p = openOne(i).finally(() => running.delete(p))
      running.add(p)
      if (running.size >= WINDOW) await Promise.race(running)
    }
    await Promise.all(running)
    return {
      name: await fileName(manifest, cap),
      bytes: out,
      slices: manifest.slices.length,
      rebuilt,
      holders: used.size,
      findMs: found - started,
      fetchMs: performance.now() - found
    }
  } finally {
    await host.stop()
  }
}

/** Waits (bounded) until a connected node takes our index queries. */
async function joinIndex(host: Host): Promise<void> {
  const deadline = Date.now() + FIND_MS
  while (host.services.index.topicPeers().length === 0) {
    if (Date.now() > deadline)
      throw new ReadFileError('the node does not answer index queries (no DeFS index)')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/**
 * The file's signed manifest (checked by the index). Just after the dial our gossip stream to the
 * node may not be open yet, and a query sent then reaches nobody: ask again, a bounded number of times.
 */
async function manifestOf(host: Host, cap: Capability): Promise<Manifest> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const found = await host.services.index.lookup(cap.fileId, {
      want: 'manifest',
      owner: cap.owner,
      timeoutMs: FIND_MS
    })
    if (found.manifest !== undefined) return found.manifest.manifest
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new ReadFileError(`no node knows file ${cap.fileIdHex}`)
}

/** Dials the nodes the DHT knows near the file, by their WebSocket addresses (bounded in time). */
async function dialHolders(host: Host, fileId: Uint8Array): Promise<void> {
  const signal = AbortSignal.timeout(FIND_MS)
  const dials: Promise<unknown>[] = []
  try {
    for await (const peer of host.peerRouting.getClosestPeers(fileId, { signal })) {
      const ws = peer.multiaddrs.filter((a) => a.toString().includes('/ws'))
      if (ws.length === 0 || host.getConnections(peer.id).length > 0) continue
      dials.push(host.dial(ws, { signal: AbortSignal.timeout(FIND_MS) }).catch(() => undefined))
    }
  } catch {
    // the walk ends when the deadline passes: use the nodes found so far
  }
  await Promise.all(dials)
}

/** For each slice and shard, the peers that signed a location record for it. */
async function holdersOf(host: Host, manifest: Manifest): Promise<Map<string, string[]>> {
  const found = await host.services.index.broadcast(manifest.fileId, { want: 'shards', timeoutMs: FIND_MS })
  const byShard = new Map<string, string[]>()
  for (const { peer, record } of found.locations)
    for (const id of record.shards) {
      const key = hexOf(id)
      byShard.set(key, [...(byShard.get(key) ?? []), peer.toString()])
    }
  return byShard
}

const codes = new Map<string, Promise<ReedSolomon>>()
const codeFor = (k: number, m: number): Promise<ReedSolomon> => {
  const key = `${k}+${m}`
  if (!codes.has(key)) codes.set(key, ReedSolomon.create({ dataShards: k, parityShards: m }))
  return codes.get(key)!
}

/** Any k shards of slice i, data shards first, and the ciphertext they carry. */
async function fetchSlice(
  host: Host,
  manifest: Manifest,
  i: number,
  holders: Map<string, string[]>,
  used: Set<string>
): Promise<{ cipher: Uint8Array; rebuilt: boolean }> {
  const { dataShards: k, parityShards: m, shardSize } = sliceLayout(manifest, i)
  const entry = manifest.slices[i]!
  const ids = entry.shards
  const shards: (Uint8Array | null)[] = ids.map(() => null)
  const fetchShard = async (j: number): Promise<boolean> => {
    for (const peer of holders.get(hexOf(ids[j]!)) ?? []) {
      try {
        // get() checks the bytes against the id (SHA-256)
        const bytes = await host.services.shards.get(peerIdFromString(peer), ids[j]!, {
          signal: AbortSignal.timeout(30_000)
        })
        if (bytes.length !== shardSize) continue
        shards[j] = bytes
        used.add(peer)
        return true
      } catch {
        // this holder is gone or sent a bad shard: the next holder, or another shard
      }
    }
    return false
  }
  // Data shards first, in parallel; a parity shard for each one missing, until k are in.
  let have = (await Promise.all(ids.slice(0, k).map((_, j) => fetchShard(j)))).filter(Boolean).length
  for (let j = k; j < k + m && have < k; j++) if (await fetchShard(j)) have++
  if (have < k) throw new ReadFileError(`slice ${i}: have ${have} shards, need ${k}`)
  const rebuilt = shards.slice(0, k).some((s) => s === null)
  if (rebuilt) (await codeFor(k, m)).reconstructData(shards)
  const cipher = new Uint8Array(entry.cipherLength)
  for (let j = 0, at = 0; at < cipher.length; j++, at += shardSize)
    cipher.set(shards[j]!.subarray(0, Math.min(shardSize, cipher.length - at)), at)
  return { cipher, rebuilt }
}
